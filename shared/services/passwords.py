"""argon2id password hashes; argon2 is imported only by the functions that hash."""

from __future__ import annotations

from functools import cache


@cache
def _hasher():
    from argon2 import PasswordHasher

    # argon2-cffi's defaults are RFC 9106's low-memory profile of argon2id.
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, with a salt of its own."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed; False for a hash that is no argon2 hash."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """A real hash of nothing anyone knows, to spend the same time on unknown e-mails."""
    return hash_password("not a password anyone has: timing-equaliser")


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's, so login renews it."""
    return _hasher().check_needs_rehash(password_hash)
