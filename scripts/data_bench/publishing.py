"""Part of section b: what the post-commit publish to the outbox queue adds to a placement."""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from scripts.bench_report import Report, ms, p50, p99
from scripts.data_bench import BenchError, progress
from scripts.data_bench.placing import place_orders
from scripts.data_bench.shop import World
from scripts.data_bench.trace import ClientsOf

OUTBOX_TARGET = 0.20
# Placements per turn of a mode: the modes take turns, so that drift in machine speed
# falls on every mode alike.
TURN = 10


class StubSQS:
    """An SQS client whose send_message does nothing: the outbox's own cost, without moto."""

    def send_message(self, **_kwargs: Any) -> dict[str, str]:
        return {"MessageId": str(uuid.uuid4())}


def bench_outbox(world: World, args: argparse.Namespace, spread: list[int], report: Report) -> None:
    """p50 of one client's placements: publishing as usual, to a stub SQS, or not at all."""
    progress(f"outbox overhead: {args.outbox_orders} orders each way")
    samples = placements_by_mode(world, args.outbox_orders, spread)
    base = p50(samples["no publish"])
    report.line()
    report.line(
        f"outbox: 1 client, {len(samples['no publish'])} placements each way, in turns of "
        f"{TURN}; the publish is SELECT ... FOR UPDATE SKIP LOCKED, SQS send_message, "
        "UPDATE, COMMIT, after the order's own COMMIT:"
    )
    rows = [
        [
            mode,
            ms(p50(values)),
            ms(p99(values)),
            "-" if mode == "no publish" else f"+{(p50(values) / base - 1) * 100:.1f} %",
        ]
        for mode, values in samples.items()
    ]
    report.table(["POST /orders", "p50", "p99", "vs no publish"], rows, {1, 2, 3})
    overhead = p50(samples["publish (moto SQS)"]) / base - 1
    report.target(
        "outbox publish overhead (p50)",
        f"+{overhead * 100:.1f} % (moto SQS in-process)",
        f"< +{OUTBOX_TARGET * 100:.0f} %",
        overhead < OUTBOX_TARGET,
    )


def placements_by_mode(world: World, orders: int, spread: list[int]) -> dict[str, list[float]]:
    """Each placement's seconds, by how the outbox publishes: about `orders` of each."""
    from shared.services import outbox

    original_publish, original_aws = outbox.publish, outbox.aws
    stub = ClientsOf(lambda _service, **_options: StubSQS())

    def no_publish(_session: Any, **_kwargs: Any) -> int:
        return 0

    modes = {
        "publish (moto SQS)": (original_publish, original_aws),
        "publish (SQS stubbed)": (original_publish, stub),
        "no publish": (no_publish, original_aws),
    }
    samples: dict[str, list[float]] = {mode: [] for mode in modes}
    try:
        for _ in range(-(-orders // TURN)):
            for mode, (publish, clients) in modes.items():
                outbox.publish, outbox.aws = publish, clients
                result = place_orders(world, 1, TURN, lambda rng: rng.choice(spread), mode)
                if set(result.statuses) != {201}:
                    raise BenchError(f"placements answered {dict(result.statuses)}")
                samples[mode].extend(result.latencies)
    finally:
        outbox.publish, outbox.aws = original_publish, original_aws
    return samples
