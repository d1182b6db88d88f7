"""The handlers under test, and what every measurement of them needs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scripts.function_bench import BenchError
from scripts.lambda_runtime import (
    Artifacts,
    InvocationFailed,
    LambdaRuntime,
    Run,
)

COLD_TARGET = 1.3


@dataclass(frozen=True)
class Target:
    """One handler under test, the floor or a shop function, as unpacked for Lambda."""

    name: str
    request: str
    task_root: Path
    layer_root: Path
    handler: str
    environment: dict[str, str]
    event: dict[str, Any]
    cold_target: float | None = COLD_TARGET
    warm_target: float | None = None
    # The answer that counts as success: an HTTP status, or NO_FAILURES for a queue batch.
    expect: Any = 200
    # True when the timed path must not load boto3 (no AWS client, so no AWS call).
    aws_free: bool = False


@dataclass
class Bench:
    """What every measurement needs: the runner, the shop's settings, its accounts."""

    runtime: LambdaRuntime
    artifacts: Artifacts
    settings: dict[str, str]
    floor: Target | None = None
    # E-mail address and password of each account, and its access token once logged in.
    customer: dict[str, str] = field(default_factory=dict)
    admin: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def run(self, target: Target, steps: list[dict[str, Any]], **options: Any) -> Run:
        try:
            return self.runtime.invoke(
                target.task_root,
                target.layer_root,
                target.handler,
                steps,
                environment=target.environment,
                **options,
            )
        except InvocationFailed as error:
            raise BenchError(f"{target.name}: {error}") from None

    def function(self, name: str, request: str, event: dict[str, Any], **options: Any) -> Target:
        """A shop function as shipped, with the deployed environment and the bench's settings."""
        function = self.artifacts.functions[name]
        return Target(
            name,
            request,
            function.task_root,
            self.artifacts.layer_root,
            function.handler,
            function.environment_with(self.settings),
            event,
            **options,
        )

    def call(self, name: str, *events: dict[str, Any], **settings: str | None) -> list[Any]:
        """Setup work: one cold start of a function handed each event; the answers."""
        target = self.function(name, "setup", {})
        environment = {k: v for k, v in {**target.environment, **settings}.items() if v}
        run = self.run(
            replace(target, environment=environment), [{"event": event} for event in events]
        )
        return [step.response for step in run.steps]


def outcome(response: Any) -> Any:
    """An HTTP answer's status code; a queue batch's whole answer."""
    if isinstance(response, dict) and "statusCode" in response:
        return response["statusCode"]
    return response
