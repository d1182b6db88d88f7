"""Each domain error answers with its own status, headers and an RFC 9457 problem document."""

from __future__ import annotations

import pytest

from shared.errors import (
    BadRequest,
    Busy,
    Conflict,
    ContentTooLarge,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    ShopError,
    TooManyAttempts,
    UnsupportedMediaType,
    problem_document,
)
from shared.schemas.problem import Problem


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (BadRequest, 400),
        (NotAuthenticated, 401),
        (NotAllowed, 403),
        (NotFound, 404),
        (Conflict, 409),
        (ContentTooLarge, 413),
        (UnsupportedMediaType, 415),
        (InvalidInput, 422),
        (Busy, 503),
    ],
)
def test_each_error_carries_the_status_the_contract_gives_it(error, status):
    assert issubclass(error, ShopError)
    assert error("detail").status_code == status


def test_too_many_attempts_is_a_429_that_says_when_to_try_again():
    error = TooManyAttempts("Too many failed logins.", retry_after=30)

    assert error.status_code == 429
    assert error.headers() == {"Retry-After": "30"}


def test_a_rate_limit_never_asks_to_retry_in_less_than_a_second():
    assert TooManyAttempts("Slow down.", retry_after=0).headers() == {"Retry-After": "1"}


@pytest.mark.parametrize(
    ("error", "headers"),
    [
        (NotAuthenticated("No token."), {"WWW-Authenticate": "Bearer"}),
        (Busy("Contention."), {"Retry-After": "1"}),
        (NotFound("No such order."), {}),
        (InvalidInput("Bad fields."), {}),
    ],
)
def test_errors_bring_the_headers_the_contract_asks_for(error, headers):
    assert error.headers() == headers


def test_a_problem_document_has_type_title_status_and_detail():
    document = problem_document(404, "No such order.")

    assert document == {
        "type": "https://shop-api.example.com/problems/not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "No such order.",
    }


def test_a_problem_document_lists_the_fields_at_fault_and_fits_the_published_model():
    errors = [{"field": "quantity", "message": "must be at least 1"}]

    document = problem_document(422, "The request has invalid fields.", errors=errors)

    assert document["errors"] == errors
    assert Problem.model_validate(document).model_dump(exclude_none=True) == document


def test_a_problem_type_is_the_status_phrase_as_a_slug():
    assert problem_document(429, "Slow down.")["type"].endswith("/too-many-requests")
    assert problem_document(415, "JSON only.")["type"].endswith("/unsupported-media-type")
