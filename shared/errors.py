"""Every error a client can cause, with the HTTP status and problem document it answers with.

Services raise these without knowing of HTTP; shared/web.py turns any of them into a
response through `problem_document`, the one place a problem's shape is decided.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import ClassVar

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://shop-api.example.com/problems/"


class ShopError(Exception):
    """Base of every error a client can cause; `detail` is safe to show to that client.

    Each kind names its HTTP status where it is declared: `class X(ShopError, status_code=N)`.
    """

    status_code: ClassVar[int] = 400

    def __init_subclass__(cls, *, status_code: int | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if status_code is not None:
            cls.status_code = status_code

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors

    def headers(self) -> dict[str, str]:
        """Response headers the contract asks for with this error."""
        return {}


class BadRequest(ShopError, status_code=400):
    """The body is not JSON, or not the JSON object the route expects."""


class NotAuthenticated(ShopError, status_code=401):
    """No, malformed, expired or revoked credentials."""

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class NotAllowed(ShopError, status_code=403):
    """Authenticated, but the role may not do this."""


class NotFound(ShopError, status_code=404):
    """No such thing, or one the caller may not see."""


class Conflict(ShopError, status_code=409):
    """The request contradicts the current state (a duplicate, a forbidden transition)."""


class ContentTooLarge(ShopError, status_code=413):
    """The body is over the limit every route shares (RFC 9110's name for a 413)."""


class UnsupportedMediaType(ShopError, status_code=415):
    """A body was sent with a content type other than JSON."""


class InvalidInput(ShopError, status_code=422):
    """The request is well-formed but its values are not acceptable."""


class TooManyAttempts(ShopError, status_code=429):
    """A client passed a rate limit (failed logins, registrations); `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Busy(ShopError, status_code=503):
    """The database kept refusing the transaction (deadlocks, serialization); retry later."""

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


def problem_document(status: int, detail: str, *, errors: list[dict] | None = None) -> dict:
    """The RFC 9457 document of an error: type, title, status, detail, and errors if any."""
    phrase = HTTPStatus(status).phrase
    document: dict = {
        "type": PROBLEM_TYPE_BASE + phrase.lower().replace(" ", "-").replace("'", ""),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        document["errors"] = errors
    return document
