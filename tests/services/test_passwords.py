"""Password hashes: argon2id, checked without ever raising, upgraded when the cost changes."""

from __future__ import annotations

from argon2 import PasswordHasher

from shared.services import passwords


def test_a_hash_accepts_its_password_and_no_other():
    stored = passwords.hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "Correct horse battery")


def test_a_stored_value_that_is_not_an_argon2_hash_accepts_nothing():
    assert not passwords.verify_password("plain text", "plain text")
    assert not passwords.verify_password("", "")


def test_the_hash_spent_on_unknown_accounts_accepts_nothing_and_stays_the_same():
    assert passwords.dummy_hash() == passwords.dummy_hash()
    assert not passwords.verify_password(passwords.dummy_hash(), "")


def test_a_hash_made_at_another_cost_needs_rehashing_and_a_new_one_does_not():
    # The suite hashes at the lowest cost (tests/conftest.py); any other cost is outdated.
    older = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash("pw")

    assert passwords.needs_rehash(older)
    assert not passwords.needs_rehash(passwords.hash_password("pw"))
