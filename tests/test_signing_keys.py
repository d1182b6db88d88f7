"""Signing keys by name: the one tokens are signed with, and those they verify against."""

from __future__ import annotations

import pytest

from shared.config import settings
from shared.signing_keys import SigningKeys, signing_keys

OLD = "the-old-key-that-is-long-enough-for-hs256"
NEW = "the-new-key-that-is-long-enough-for-hs256"


@pytest.fixture
def keys_from(monkeypatch):
    monkeypatch.delenv("JWT_PREVIOUS_SECRET", raising=False)

    def use(**env: str) -> SigningKeys:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings.cache_clear()
        signing_keys.cache_clear()
        return signing_keys()

    yield use
    monkeypatch.undo()
    settings.cache_clear()
    signing_keys.cache_clear()


def test_without_a_rotation_the_current_key_is_the_only_one_verified_against(keys_from):
    keys = keys_from(JWT_SECRET=NEW)

    assert keys == SigningKeys(current=NEW.encode(), verifying=(NEW.encode(),))


def test_after_a_rotation_tokens_are_signed_with_the_new_key_and_the_old_one_still_verifies(
    keys_from,
):
    keys = keys_from(JWT_SECRET=NEW, JWT_PREVIOUS_SECRET=OLD)

    assert keys.current == NEW.encode()
    assert keys.verifying == (NEW.encode(), OLD.encode())
