"""Domain errors raised by services; shared/web.py maps them to problem+json in one place."""

from __future__ import annotations


class ShopError(Exception):
    """Base of every error a client can cause; `detail` is safe to show to that client."""

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class InvalidInput(ShopError):
    """The request is well-formed but its values are not acceptable."""


class NotAuthenticated(ShopError):
    """No, malformed, expired or revoked credentials."""


class NotAllowed(ShopError):
    """Authenticated, but the role may not do this."""


class NotFound(ShopError):
    """No such thing, or one the caller may not see."""


class Conflict(ShopError):
    """The request contradicts the current state (a duplicate, a forbidden transition)."""


class Busy(ShopError):
    """The database kept refusing the transaction (deadlocks, serialization); retry later."""


class TooManyAttempts(ShopError):
    """A client passed a rate limit (failed logins, registrations); `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)
