"""Lambda contexts that run out of time, for event functions that must stop before it."""

from __future__ import annotations

import time

from tests.apigw import LambdaContext


class TimeRunningOut(LambdaContext):
    """Answers `get_remaining_time_in_millis` from a script: one value per question.

    The first is read as the invocation starts (a function's deadline is made then, see
    shared.deadline); the last is repeated once the script is used up, so
    `TimeRunningOut(120_000, 1_000)` is a 2-minute run with a second left from then on.
    """

    def __init__(self, *remaining_ms: int) -> None:
        self.script = list(remaining_ms)
        self.questions = 0

    def get_remaining_time_in_millis(self) -> int:
        self.questions += 1
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


class RealTimeout(LambdaContext):
    """A context whose invocation times out `seconds` from now, by the wall clock."""

    def __init__(self, seconds: float) -> None:
        self.ends_at = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.ends_at - time.monotonic()) * 1000))
