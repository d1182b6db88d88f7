"""The shop's functions and layer as `sls package` ships them, and the floor built alike."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.function_bench import BenchError, progress
from scripts.function_bench.targets import Target
from scripts.lambda_runtime import (
    Artifacts,
    compile_for_lambda,
    installed,
    make_read_only,
    pinned,
    unpack,
)
from tests.packaging import package_service

REPO = Path(__file__).resolve().parents[2]

FLOOR_FILES = ("handler_b.py", "event.py", "seed_db.py")
# The floor's dependencies, at the versions the shop's layer pins.
FLOOR_REQUIREMENTS = ("Flask", "serverless-wsgi", "SQLAlchemy")


@contextmanager
def output_to_stderr() -> Iterator[None]:
    """Child processes' standard output (build_layer's) on stderr, with the progress."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def shop_artifacts(tmp: Path, package_dir: Path | None) -> tuple[Path, Artifacts]:
    """The service's zips (packaged afresh unless given) and their read-only unzipped copy."""
    if package_dir is None:
        progress("building the layer and packaging the service (sls package)")
        try:
            with output_to_stderr():
                package_dir = package_service(tmp / "package", DB_SECRET_ARN="", JWT_SECRET_ARN="")
        except (AssertionError, subprocess.CalledProcessError) as error:
            raise BenchError(f"packaging failed: {error}") from None
    elif not (package_dir / "serverless-state.json").is_file():
        raise BenchError(f"{package_dir} holds no `sls package` output")
    progress(f"unzipping {package_dir}")
    return package_dir, unpack(package_dir, tmp / "unpacked")


def floor_target(tmp: Path, floor_dir: Path) -> Target:
    """The floor, built as a careful deploy would build it, and its seeded database."""
    missing = [name for name in FLOOR_FILES if not (floor_dir / name).is_file()]
    if missing:
        raise BenchError(f"{floor_dir} lacks {', '.join(missing)}; pass --floor-dir")
    progress("building the floor's layer (its dependencies for python3.12, byte-compiled)")
    requirements = [pinned(name, REPO / "requirements.txt") for name in FLOOR_REQUIREMENTS]
    built = installed(requirements, lambda_wheels=True)
    layer_root, task_root = tmp / "floor" / "layer", tmp / "floor" / "task"
    shutil.copytree(built, layer_root / "python")
    task_root.mkdir()
    # A copy, so that the original is never imported, compiled or written to.
    shutil.copyfile(floor_dir / "handler_b.py", task_root / "handler_b.py")
    compile_for_lambda(task_root, mode="checked-hash")
    for folder in (layer_root, task_root):
        make_read_only(folder)

    progress("seeding the floor's database")
    database = tmp / "floor.db"
    seeding = tmp / "floor" / "seed"
    seeding.mkdir()
    for name in ("handler_b.py", "seed_db.py"):
        shutil.copyfile(floor_dir / name, seeding / name)
    seeded = subprocess.run(
        [sys.executable, "-B", str(seeding / "seed_db.py")],
        env={**os.environ, "FLOOR_DB": str(database)},
        capture_output=True,
        text=True,
        check=False,
    )
    if seeded.returncode != 0:
        raise BenchError(f"seeding the floor's database failed:\n{seeded.stderr.strip()}")
    event = runpy.run_path(str(floor_dir / "event.py"))["EVENT"]
    environment = {"FLOOR_DB": str(database), "AWS_LAMBDA_FUNCTION_NAME": "perf-floor"}
    return Target(
        "floor", "GET /hello", task_root, layer_root, "handler_b.handler", environment, event
    )
