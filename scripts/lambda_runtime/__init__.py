"""Run the artifacts as shipped, the way Lambda's python3.12 runtime runs them.

`sls package` writes one zip per function and the layer's zip. `unpack` unzips them into
read-only folders; `LambdaRuntime.invoke` then runs a function's handler in a fresh
python3.12 process (bootstrap.py) whose sys.path holds only what Lambda's would: the
function (/var/task), the layer's python/ (/opt/python), the packages the runtime itself
provides (/var/runtime: boto3 and its dependencies, installed once under .build/) and the
standard library. Nothing of the venv is importable there, and nothing is written:
`-I -S -B` keep site-packages, PYTHON* variables and byte-code caching out.

In parts: artifacts (the unzipped functions and layer), packages (the interpreter, pinned
packages, byte code), runtime (the process per execution environment) and runs (what it
reports). Used by tests/artifacts (does what ships work, compiled and lean?) and
scripts/bench (how fast does it start, next to the floor?).
"""

from __future__ import annotations

from scripts.lambda_runtime.artifacts import (
    Artifacts,
    Function,
    listing,
    make_read_only,
    make_writable,
    unpack,
)
from scripts.lambda_runtime.packages import (
    CACHE,
    LAMBDA_WHEELS,
    REPO,
    compile_for_lambda,
    installed,
    lambda_python,
    pinned,
    runtime_packages,
)
from scripts.lambda_runtime.runs import Run, Step
from scripts.lambda_runtime.runtime import (
    BOOTSTRAP,
    LAMBDA_ENVIRONMENT,
    InvocationFailed,
    LambdaRuntime,
)

__all__ = [
    "BOOTSTRAP",
    "CACHE",
    "LAMBDA_ENVIRONMENT",
    "LAMBDA_WHEELS",
    "REPO",
    "Artifacts",
    "Function",
    "InvocationFailed",
    "LambdaRuntime",
    "Run",
    "Step",
    "compile_for_lambda",
    "installed",
    "lambda_python",
    "listing",
    "make_read_only",
    "make_writable",
    "pinned",
    "runtime_packages",
    "unpack",
]
