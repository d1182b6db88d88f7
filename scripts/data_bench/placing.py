"""Orders placed as the benchmark's clients place them: what to buy, threads, row-lock times."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from scripts.data_bench import BenchError, timed
from scripts.data_bench.shop import BATCH_LIMIT, World


def order_products(world: World, spread: int, prefix: str) -> tuple[int, list[int]]:
    """One hot product and `spread` others, all with stock enough for the whole run."""
    api = world.client("products", world.admin_token)
    items = [
        {
            "sku": f"{prefix}-HOT-{world.tag}",
            "name": "The hot product",
            "category": "a",
            "price_cents": 1999,
            "stock": 10_000_000,
        },
        *(
            {
                "sku": f"{prefix}-SPREAD-{world.tag}-{i:05d}",
                "name": f"Spread product {i}",
                "category": "abcdefghij"[i % 10],
                "price_cents": 100 + i,
                "stock": 1_000_000,
            }
            for i in range(spread)
        ),
    ]
    ids = []
    for start in range(0, len(items), BATCH_LIMIT):
        reply = api.post("/products/batch", json={"items": items[start : start + BATCH_LIMIT]})
        if reply.status != 201:
            raise BenchError(f"POST /products/batch answered {reply.status}: {reply.text[:300]}")
        ids.extend(item["id"] for item in reply.json["items"])
    return ids[0], ids[1:]


class LockClock:
    """How long each placement holds its product row lock: from the stock UPDATE to COMMIT.

    The conditional UPDATE of products takes the row lock; the session's commit releases
    it. Timed per thread (one request at a time on each), through SQLAlchemy events.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.local = threading.local()
        self.holds: list[float] = []

    def after_execute(
        self, _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if statement.startswith("UPDATE products"):
            self.local.started = time.perf_counter()

    def after_commit(self, _session: Any) -> None:
        started = getattr(self.local, "started", None)
        if started is not None:
            self.holds.append(time.perf_counter() - started)
            self.local.started = None

    def after_rollback(self, _session: Any) -> None:
        self.local.started = None

    @contextmanager
    def running(self) -> Iterator[LockClock]:
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        hooks = [
            (self.engine, "after_cursor_execute", self.after_execute),
            (Session, "after_commit", self.after_commit),
            (Session, "after_rollback", self.after_rollback),
        ]
        for target, name, hook in hooks:
            event.listen(target, name, hook)
        try:
            yield self
        finally:
            for target, name, hook in hooks:
                event.remove(target, name, hook)


@dataclass
class Placements:
    clients: int
    mode: str
    latencies: list[float]
    statuses: Counter
    wall: float
    holds: list[float]
    cpu: float  # this process's CPU time over the run (all threads)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall


def place_orders(
    world: World, clients: int, per_client: int, choose: Callable[[random.Random], int], mode: str
) -> Placements:
    """`clients` threads, each its own customer, placing `per_client` 1-line orders at once."""
    barrier = threading.Barrier(clients + 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[Counter] = [Counter() for _ in range(clients)]
    errors: list[BaseException] = []

    def client(number: int) -> None:
        try:
            api = world.client("orders", world.customer_tokens[number])
            rng = random.Random(number)  # noqa: S311 - which product to buy, not a secret
            barrier.wait()
            for _ in range(per_client):
                body = {"items": [{"product_id": choose(rng), "quantity": 1}]}
                seconds, reply = timed(lambda body=body: api.post("/orders", json=body))
                latencies[number].append(seconds)
                statuses[number][reply.status] += 1
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    clock = LockClock(world.engine)
    with clock.running():
        wall, cpu = run_at_once(threads, barrier)
    if errors:
        raise BenchError(f"a client thread failed: {errors[0]!r}") from errors[0]
    return Placements(
        clients,
        mode,
        [s for per in latencies for s in per],
        sum(statuses, Counter()),
        wall,
        clock.holds,
        cpu,
    )


def run_at_once(threads: list[threading.Thread], barrier: threading.Barrier) -> tuple[float, float]:
    """Start the threads, let them go together: wall and CPU seconds until the last ends."""
    for thread in threads:
        thread.start()
    with suppress(threading.BrokenBarrierError):
        barrier.wait()  # a client that failed broke it: its error is raised by the caller
    started, cpu_started = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, time.process_time() - cpu_started
