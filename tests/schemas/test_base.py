"""Timestamps in answers (ISO 8601, UTC, Z, to the microsecond); refusals in the shop's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.schemas.auth import RegisterIn
from shared.schemas.base import ResponseModel, UTCTimestamp, field_errors
from shared.schemas.orders import OrderIn, OrderQuery


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


@pytest.mark.parametrize(
    ("model", "data", "expected"),
    [
        (OrderIn, {}, [("items", "is required")]),
        (OrderIn, {"items": []}, [("items", "must not be empty")]),
        (OrderIn, {"items": "all"}, [("items", "must be a JSON array")]),
        (OrderIn, {"items": [3]}, [("items[0]", "must be a JSON object")]),
        (
            OrderIn,
            {"items": [{"product_id": "1", "quantity": 0}], "note": "x"},
            [
                ("items[0].product_id", "must be a whole number"),
                ("items[0].quantity", "must be at least 1"),
                ("note", "unknown field"),
            ],
        ),
        (
            OrderIn,
            {"items": [{"product_id": 1.5, "quantity": 1001}]},
            [
                ("items[0].product_id", "must be a whole number"),
                ("items[0].quantity", "must be at most 1000"),
            ],
        ),
        (
            OrderQuery,
            {"status": "lost", "user_id": "me"},
            [
                ("status", "must be one of 'pending', 'confirmed', 'shipped' or 'cancelled'"),
                ("user_id", "must be a whole number"),
            ],
        ),
        (
            RegisterIn,
            {"email": 5, "password": True, "name": "n" * 101},
            [
                ("email", "must be text"),
                ("password", "must be text"),
                ("name", "must be at most 100 characters long"),
            ],
        ),
        (
            RegisterIn,
            {"email": "ada@example.com", "password": "short", "name": ""},
            [("password", "must be at least 10 characters long"), ("name", "must not be empty")],
        ),
    ],
)
def test_a_refused_field_is_explained_in_the_shops_own_words(model, data, expected):
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)

    assert [(e["field"], e["message"]) for e in field_errors(refused.value)] == expected
