"""How much of the shop may run at once, and the database connections that can hold.

Every function has reserved concurrency (serverless.yml `params`), so a burst of one
cannot take the executions, or the database connections, the others need. Each execution
environment serves one invocation at a time on one pooled connection, so the stack can
hold at most the sum of the reservations (README, "Connection budget").
"""

from __future__ import annotations

import inspect

from shared.db import build_engine
from tests.packaging.test_package import lambda_functions, resources_of_type

# PostgreSQL's default max_connections (and the smallest RDS instances' order of size),
# less the superuser slots and some for an operator's psql, monitoring and a migration.
DATABASE_CONNECTIONS = 100
RESERVED_FOR_PEOPLE = 3 + 10
# Lambda refuses a reservation that leaves an account fewer than 100 unreserved executions;
# a new account's quota is 1,000.
ACCOUNT_CONCURRENCY, UNRESERVED_MINIMUM = 1000, 100


def reservations(template: dict, functions: dict) -> dict[str, int]:
    return {
        name: function["ReservedConcurrentExecutions"]
        for name, function in lambda_functions(template, functions).items()
    }


def test_every_function_has_a_reserved_concurrency_of_its_own(template, functions):
    reserved = reservations(template, functions)

    assert set(reserved) == set(functions)
    assert all(concurrency >= 1 for concurrency in reserved.values()), reserved
    assert reserved["migrate"] == 1  # two migrations would race for one schema change


def test_at_peak_the_shop_holds_fewer_database_connections_than_the_database_allows(
    template, functions
):
    pool_size = inspect.signature(build_engine).parameters["pool_size"].default
    peak = sum(reservations(template, functions).values()) * pool_size

    assert pool_size == 1
    assert peak <= DATABASE_CONNECTIONS - RESERVED_FOR_PEOPLE


def test_the_reservations_leave_a_new_account_its_unreserved_executions(template, functions):
    reserved = sum(reservations(template, functions).values())

    assert ACCOUNT_CONCURRENCY - reserved >= UNRESERVED_MINIMUM


def test_the_orders_queue_trigger_stops_polling_before_order_events_is_throttled(
    template, functions
):
    (mapping,) = resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
    polled = mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"]

    assert 2 <= polled <= reservations(template, functions)["order_events"]
