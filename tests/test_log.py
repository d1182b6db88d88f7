"""The access line: one JSON line per request, exactly as the Powertools logger writes it."""

from __future__ import annotations

import json

import pytest

from shared.log import log_request, logger


def _lines_of(write, log_lines) -> list[dict]:
    write()
    return [json.loads(line) for line in log_lines()]


def _written_by_powertools() -> None:
    logger.info("request", method="GET", path="/products", status=200, duration_ms=1.25)


def _written_lean() -> None:
    log_request(method="GET", path="/products", status=200, duration_ms=1.25)


@pytest.mark.parametrize("trace", [None, "Root=1-65f0c0de-1234567890abcdef12345678;Sampled=1"])
def test_the_access_line_has_the_keys_values_and_order_of_a_powertools_line(
    log_lines, monkeypatch, trace
):
    if trace:
        monkeypatch.setenv("_X_AMZN_TRACE_ID", trace)
    logger.append_keys(request_id="req-1")
    try:
        reference, lean = _lines_of(lambda: (_written_by_powertools(), _written_lean()), log_lines)
    finally:
        logger.remove_keys(["request_id"])

    assert list(lean) == list(reference)
    for line in (reference, lean):
        line.pop("timestamp")
        # The location names the calling function and its line.
        assert line.pop("location").startswith("_written_")
    assert lean == reference
    assert lean["request_id"] == "req-1"
    assert ("xray_trace_id" in lean) == bool(trace)


def test_the_access_line_keeps_the_powertools_timestamp_format(log_lines):
    reference, lean = _lines_of(lambda: (_written_by_powertools(), _written_lean()), log_lines)

    assert len(lean["timestamp"]) == len(reference["timestamp"])
    assert lean["timestamp"][:16] == reference["timestamp"][:16]


def test_no_access_line_is_written_when_the_level_is_above_info(log_lines):
    previous = logger.log_level
    logger.setLevel("WARNING")
    try:
        assert _lines_of(_written_lean, log_lines) == []
    finally:
        logger.setLevel(previous)
