"""What every benchmark's command line shares: its --help, its exit status, its last line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable


class BenchError(Exception):
    """The benchmark cannot run; the message says why."""


def parser_for(doc: str) -> argparse.ArgumentParser:
    """A parser whose --help opens with the first paragraph of the script's docstring."""
    return argparse.ArgumentParser(
        description=doc.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def run_benchmark(program: str, run: Callable[[], None], *, took: str = "") -> int:
    """The exit status: 0 whether targets pass or fail, 1 when the benchmark cannot run.

    A report, not a gate: a failed target is the report's to show, and a non-zero status
    means only that the benchmark itself could not run (`took` adds to how long it ran).
    """
    started = time.monotonic()
    try:
        run()
    except BenchError as error:
        print(f"{program}: {error}", file=sys.stderr)
        return 1
    print(
        f"\n(benchmark took {time.monotonic() - started:.0f} s{took}; targets are reported, "
        "not enforced: the exit status is 0 either way)"
    )
    return 0
