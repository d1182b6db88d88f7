"""Work started in several threads at once, for races that need real row locks."""

from __future__ import annotations

import threading
from collections.abc import Callable


def at_once[Result](count: int, action: Callable[[int], Result]) -> list[Result]:
    """Run `action(i)` in `count` threads released together by a barrier; their results."""
    start = threading.Barrier(count)
    results: list[Result | None] = [None] * count

    def run(i: int) -> None:
        start.wait()
        results[i] = action(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
