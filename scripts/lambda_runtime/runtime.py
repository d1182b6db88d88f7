"""Lambda's python3.12 runtime here: one fresh bootstrap.py process per execution environment."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.lambda_runtime.artifacts import Artifacts
from scripts.lambda_runtime.packages import lambda_python, runtime_packages
from scripts.lambda_runtime.runs import Run

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
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


class InvocationFailed(Exception):
    """The child process failed: the handler raised, or the init phase ended it."""


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
        env = self._environment(task_root, handler, environment)
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
        return Run.from_report(json.loads(child.stdout), wall_ms=wall_ms, stderr=stderr)

    def _environment(
        self, task_root: Path, handler: str, environment: Mapping[str, str]
    ) -> dict[str, str]:
        return {
            **LAMBDA_ENVIRONMENT,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(self.runtime_dir),
            "_HANDLER": handler,
            **environment,
        }

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
