"""What `sls package` made, unzipped read-only as Lambda's /var/task and /opt are."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Function:
    """One unpacked function zip: its /var/task, handler and deployed environment."""

    name: str
    task_root: Path
    handler: str
    environment: dict[str, str]

    def environment_with(self, settings: Mapping[str, str]) -> dict[str, str]:
        """Its deployed variables and its name, with `settings` over them."""
        return {**self.environment, "AWS_LAMBDA_FUNCTION_NAME": f"shop-api-{self.name}", **settings}


@dataclass(frozen=True)
class Artifacts:
    """What `sls package` made, unzipped: the functions and the one layer (its /opt)."""

    functions: dict[str, Function]
    layer_root: Path

    def folders(self) -> list[Path]:
        return [self.layer_root, *(f.task_root for f in self.functions.values())]


def unpack(package_dir: Path, into: Path) -> Artifacts:
    """Unzip every function and the layer of `sls package --package package_dir`, read-only."""
    state = json.loads((package_dir / "serverless-state.json").read_text())["service"]
    template = json.loads((package_dir / "cloudformation-template-update-stack.json").read_text())
    resources = template["Resources"].values()
    # The zips a deploy would upload, as the template names them.
    (layer_zip,) = (
        Path(r["Properties"]["Content"]["S3Key"]).name
        for r in resources
        if r["Type"] == "AWS::Lambda::LayerVersion"
    )
    deployed = {
        r["Properties"]["FunctionName"]: r["Properties"]
        for r in resources
        if r["Type"] == "AWS::Lambda::Function"
    }
    functions = {
        name: _unpack_function(package_dir, name, deployed[function["name"]], into)
        for name, function in state["functions"].items()
    }
    layer_root = into / "layer"
    _unzip(package_dir / layer_zip, layer_root)
    artifacts = Artifacts(functions, layer_root)
    for folder in artifacts.folders():
        make_read_only(folder)
    return artifacts


def _unpack_function(
    package_dir: Path, name: str, properties: dict[str, Any], into: Path
) -> Function:
    task_root = into / "functions" / name
    _unzip(package_dir / Path(properties["Code"]["S3Key"]).name, task_root)
    variables = properties.get("Environment", {}).get("Variables", {})
    return Function(
        name=name,
        task_root=task_root,
        handler=properties["Handler"].replace("/", "."),
        # A value CloudFormation resolves at deploy (a queue's URL) is left out.
        environment={k: v for k, v in variables.items() if isinstance(v, str)},
    )


def _unzip(archive: Path, folder: Path) -> None:
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)


def make_read_only(folder: Path) -> None:
    """As Lambda's /var/task and /opt are (root ignores the bits: compare `listing`s too)."""
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def make_writable(folder: Path) -> None:
    """Undo make_read_only, so that the folder can be deleted."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below `folder`, with its size and modification time."""
    entries = {}
    for path in folder.rglob("*"):
        info = path.lstat()
        entries[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return entries
