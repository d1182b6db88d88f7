"""Lambda's interpreter and packages here: python3.12, pinned wheels installed once, byte code."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".build" / "lambda-runtime"
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
        _pip_install(requirements, building, lambda_wheels=lambda_wheels)
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


def _pip_install(requirements: list[str], target: Path, *, lambda_wheels: bool) -> None:
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["--target", str(target), *(LAMBDA_WHEELS if lambda_wheels else ()), *requirements]
        + (["--no-compile"] if lambda_wheels else []),
        capture_output=True,
        text=True,
        check=False,
    )
    if pip.returncode != 0:
        raise RuntimeError(f"pip could not install {requirements}:\n{pip.stderr[-3000:]}")


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
