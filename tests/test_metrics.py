"""Business metrics leave each invocation as one CloudWatch embedded-metric-format line."""

from __future__ import annotations

import warnings

import pytest

from shared import metrics


def test_an_invocations_counts_go_out_as_one_line_in_the_shop_namespace(written_metrics):
    metrics.count(metrics.ORDERS_PLACED)
    metrics.count(metrics.ORDERS_PLACED)
    metrics.count(metrics.IMPORT_ROWS_CREATED, 40)

    metrics.flush()

    [line] = written_metrics.lines()
    [directive] = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ShopApi"
    assert directive["Dimensions"] == [["service"]] and line["service"] == "shop-api"
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "OrdersPlaced": "Count",
        "ImportRowsCreated": "Count",
    }
    assert written_metrics.totals() == {"OrdersPlaced": 2, "ImportRowsCreated": 40}


def test_an_invocation_that_counted_nothing_writes_nothing_and_warns_of_nothing(
    written_metrics,
):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.flush()

    assert written_metrics.lines() == []


def test_counts_go_out_once_and_never_again_with_the_next_invocation(written_metrics):
    metrics.count(metrics.EMAILS_SENT)
    metrics.flush()
    metrics.flush()
    metrics.count(metrics.ORDERS_CONFIRMED)
    metrics.flush()

    assert written_metrics.counts() == [{"EmailsSent": 1}, {"OrdersConfirmed": 1}]


def test_a_handler_that_fails_still_writes_what_it_counted_before_failing(written_metrics):
    @metrics.flushed
    def handler(event: dict, context: object) -> dict:
        metrics.count(metrics.ORDERS_CONFIRMED)
        raise RuntimeError("the batch failed after one order was confirmed")

    with pytest.raises(RuntimeError):
        handler({}, None)

    assert written_metrics.totals() == {"OrdersConfirmed": 1}


def test_with_metrics_disabled_counts_are_dropped_not_piled_up(written_metrics, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics.count(metrics.ORDERS_PLACED)
    metrics.flush()
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED")

    metrics.count(metrics.ORDERS_CANCELLED)
    metrics.flush()

    assert written_metrics.totals() == {"OrdersCancelled": 1}
