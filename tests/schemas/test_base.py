"""Timestamps in answers: ISO 8601 in UTC with Z, always to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.schemas.base import ResponseModel, UTCTimestamp


class Stamped(ResponseModel):
    at: UTCTimestamp


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00.000000Z"),
        (datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC), "2026-01-01T00:00:00.000001Z"),
        (datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=UTC), "2026-06-30T23:59:59.999999Z"),
        (
            datetime(2026, 1, 1, 1, 30, tzinfo=timezone(timedelta(hours=1, minutes=30))),
            "2026-01-01T00:00:00.000000Z",
        ),
        (
            datetime(2025, 12, 31, 20, 0, 0, 120000, tzinfo=timezone(timedelta(hours=-5))),
            "2026-01-01T01:00:00.120000Z",
        ),
    ],
)
def test_a_timestamp_is_written_in_utc_to_the_microsecond_with_z(moment, text):
    assert Stamped(at=moment).model_dump_json() == f'{{"at":"{text}"}}'
