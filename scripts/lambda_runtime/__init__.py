"""Run the artifacts as shipped, the way Lambda's python3.12 runtime runs them.

`sls package` writes one zip per function and the layer's zip. `unpack` unzips them into
read-only folders; `LambdaRuntime.invoke` then runs a function's handler in a fresh
python3.12 process (bootstrap.py) whose sys.path holds only what Lambda's would: the
function (/var/task), the layer's python/ (/opt/python), the packages the runtime itself
provides (/var/runtime: boto3 and its dependencies, installed once under .build/) and the
standard library. Nothing of the venv is importable there, and nothing is written:
`-I -S -B` keep site-packages, PYTHON* variables and byte-code caching out.

Used by tests/artifacts (does what ships work, compiled and lean?) and scripts/bench
(how fast does it start, next to the floor?).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
CACHE = REPO / ".build" / "lambda-runtime"
# What a python3.12 function gets from Lambda itself, besides its code and layers.
LAMBDA_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin/:/bin",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    # Where the real runtime fetches events; here only its presence matters (handlers/__init__).
    "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    # The role's credentials, here fake ones: nothing may reach a real account.
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_SESSION_TOKEN": "test",
    "AWS_EC2_METADATA_DISABLED": "true",
    # Ignored under -I; set because Lambda sets it, and as a second guard against writes.
    "PYTHONDONTWRITEBYTECODE": "1",
}
# The Python build the layer's wheels and byte code are made for (see scripts/build_layer).
LAMBDA_WHEELS = (
    "--platform",
    "manylinux2014_x86_64",
    "--platform",
    "manylinux_2_28_x86_64",
    "--only-binary=:all:",
    "--python-version",
    "3.12",
    "--implementation",
    "cp",
)


class InvocationFailed(Exception):
    """The child process failed: the handler raised, or the init phase ended it."""


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


@dataclass(frozen=True)
class Step:
    """One event handled `calls` times: the last answer, the first call's time, each's."""

    response: Any
    ms: float
    samples_ms: list[float]
    statuses: list[int]
    modules: list[str]


@dataclass(frozen=True)
class Run:
    """One execution environment's life: the init phase, then each step's invocations."""

    init_ms: float
    init_modules: list[str]
    # The garbage collector once the handler module is imported: on, or the container leaks.
    collector_enabled: bool
    frozen_objects: int
    steps: list[Step]
    compiled: list[str]
    sys_path: list[str]
    wall_ms: float
    stderr: str

    @property
    def response(self) -> Any:
        """The last step's answer."""
        return self.steps[-1].response

    def cold_start_modules(self) -> set[str]:
        """Modules imported by the init phase and the first invocation."""
        first = self.steps[0].modules if self.steps else []
        return {*self.init_modules, *first}

    def compiled_under(self, folders: Iterable[Path]) -> list[str]:
        roots = [str(folder) + os.sep for folder in folders]
        return [path for path in self.compiled if path.startswith(tuple(roots))]


@cache
def lambda_python() -> Path:
    """The python3.12 to run artifacts with: this venv's base interpreter, not the venv."""
    candidates = [getattr(sys, "_base_executable", sys.executable), shutil.which("python3.12")]
    for candidate in candidates:
        if candidate and _is_python_312(candidate):
            return Path(candidate)
    raise RuntimeError("no python3.12 found: Lambda's runtime is CPython 3.12")


def _is_python_312(python: str) -> bool:
    check = "import sys; sys.exit(sys.version_info[:2] != (3, 12))"
    return subprocess.run([python, "-I", "-c", check], check=False).returncode == 0


def pinned(requirement: str, requirements: Path) -> str:
    """`name==version` as pinned in a requirements file (e.g. boto3 in requirements-dev.txt)."""
    text = requirements.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(requirement)}==(\S+)", text, re.MULTILINE | re.IGNORECASE)
    if not match:
        raise RuntimeError(f"{requirements.name} pins no {requirement}")
    return f"{requirement}=={match.group(1)}"


def installed(requirements: list[str], *, lambda_wheels: bool = False) -> Path:
    """A folder holding `requirements`, installed once per set and reused from .build/.

    With `lambda_wheels`, the packages are wheels for Lambda's platform compiled as
    unchecked-hash byte code, as scripts/build_layer builds the layer; otherwise pip's own
    install, as Lambda's runtime carries its boto3.
    """
    key = hashlib.sha256(json.dumps([requirements, lambda_wheels]).encode()).hexdigest()[:12]
    target = CACHE / f"{requirements[0].replace('==', '-')}-{key}"
    if target.is_dir():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    # Built aside and renamed when complete: a concurrent or interrupted run never sees half.
    building = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=CACHE))
    try:
        pip = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            + ["--target", str(building), *(LAMBDA_WHEELS if lambda_wheels else ()), *requirements]
            + (["--no-compile"] if lambda_wheels else []),
            capture_output=True,
            text=True,
            check=False,
        )
        if pip.returncode != 0:
            raise RuntimeError(f"pip could not install {requirements}:\n{pip.stderr[-3000:]}")
        if lambda_wheels:
            compile_for_lambda(building)
        building.rename(target)
    except OSError:
        if not target.is_dir():
            raise
        # Another run got there first.
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


def compile_for_lambda(folder: Path, *, mode: str = "unchecked-hash") -> None:
    """Byte code for python3.12, hash-based: osls zips every file with one fixed date.

    Unchecked for what no one edits once built (a layer on read-only /opt); checked for
    code whose source may change in place, as handlers/ does between local runs.
    """
    subprocess.run(
        [
            *(str(lambda_python()), "-m", "compileall", "-q", "-f", "-j", "0"),
            *("--invalidation-mode", mode, str(folder)),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def runtime_packages() -> Path:
    """Lambda's /var/runtime as far as the shop can tell: boto3 at requirements-dev.txt's pin."""
    return installed([pinned("boto3", REPO / "requirements-dev.txt")])


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
    functions = {}
    for name, function in state["functions"].items():
        properties = deployed[function["name"]]
        task_root = into / "functions" / name
        _unzip(package_dir / Path(properties["Code"]["S3Key"]).name, task_root)
        variables = properties.get("Environment", {}).get("Variables", {})
        functions[name] = Function(
            name=name,
            task_root=task_root,
            handler=properties["Handler"].replace("/", "."),
            # A value CloudFormation resolves at deploy (a queue's URL) is left out.
            environment={k: v for k, v in variables.items() if isinstance(v, str)},
        )
    layer_root = into / "layer"
    _unzip(package_dir / layer_zip, layer_root)
    artifacts = Artifacts(functions, layer_root)
    for folder in artifacts.folders():
        make_read_only(folder)
    return artifacts


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


@dataclass(frozen=True)
class LambdaRuntime:
    """Runs handlers as Lambda's python3.12 runtime does, one fresh process per `invoke`."""

    python: Path
    runtime_dir: Path

    @classmethod
    def prepare(cls) -> LambdaRuntime:
        return cls(lambda_python(), runtime_packages())

    def invoke(
        self,
        task_root: Path,
        layer_root: Path,
        handler: str,
        steps: list[dict[str, Any]],
        *,
        environment: Mapping[str, str],
        python_flags: Iterable[str] = (),
        timeout: float = 120,
    ) -> Run:
        """Init `handler` ("module.function") in a new process, then run each step.

        A step is {"event": ..., "calls": 1, "warm_up": 0}. `environment` is the
        function's (its deployed variables and the caller's settings); Lambda's own
        variables are added, and nothing of this process's environment is passed on.
        """
        env = {
            **LAMBDA_ENVIRONMENT,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(self.runtime_dir),
            "_HANDLER": handler,
            **environment,
        }
        argv = [str(self.python), "-I", "-S", "-B", *python_flags, str(BOOTSTRAP)]
        argv += [str(task_root), str(layer_root), str(self.runtime_dir), handler]
        started = time.perf_counter()
        child = subprocess.run(
            argv,
            input=json.dumps({"steps": steps}).encode(),
            capture_output=True,
            env=env,
            cwd=task_root,
            timeout=timeout,
            check=False,
        )
        wall_ms = (time.perf_counter() - started) * 1e3
        stderr = child.stderr.decode(errors="replace")
        if child.returncode != 0 or not child.stdout:
            tail = "\n".join(stderr.strip().splitlines()[-30:])
            raise InvocationFailed(f"{handler} exited {child.returncode}:\n{tail}")
        report = json.loads(child.stdout)
        return Run(
            init_ms=report["init"]["ms"],
            init_modules=report["init"]["modules"],
            collector_enabled=report["init"]["collector"]["enabled"],
            frozen_objects=report["init"]["collector"]["frozen"],
            steps=[Step(**step) for step in report["steps"]],
            compiled=report["compiled"],
            sys_path=report["sys_path"],
            wall_ms=wall_ms,
            stderr=stderr,
        )

    def invoke_function(
        self,
        artifacts: Artifacts,
        name: str,
        events: list[dict[str, Any]],
        *,
        settings: Mapping[str, str],
        python_flags: Iterable[str] = (),
    ) -> Run:
        """Cold-start an unpacked function and hand it each event once."""
        function = artifacts.functions[name]
        return self.invoke(
            function.task_root,
            artifacts.layer_root,
            function.handler,
            [{"event": event} for event in events],
            environment=function.environment_with(settings),
            python_flags=python_flags,
        )
