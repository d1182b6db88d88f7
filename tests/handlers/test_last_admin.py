"""The shop always keeps at least one active admin, also when admins change each other at once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from shared import db
from shared.errors import Conflict
from shared.models import User
from shared.services import users
from tests import factories
from tests.apigw import Client

FUNCTION = "users"  # the handler behind the `api` fixture (tests/conftest.py)

DEMOTE = {"role": "customer"}
DEACTIVATE = {"is_active": False}


def active_admins(session) -> list[int]:
    session.expire_all()
    return [u.id for u in session.query(User).filter_by(role="admin", is_active=True)]


@pytest.mark.parametrize("change", [DEMOTE, DEACTIVATE])
def test_an_admin_may_demote_or_deactivate_another_active_admin(api, session, change):
    ada, bob = factories.admin(session), factories.admin(session)
    token = factories.tokens_for(session, ada)["access_token"]

    reply = api.patch(f"/users/{bob.id}", change, token=token)

    assert reply.status == 200
    assert active_admins(session) == [ada.id]


@pytest.mark.parametrize("change", [DEMOTE, DEACTIVATE])
def test_an_admin_demoted_a_moment_ago_cannot_remove_the_last_admin(session, change):
    ada, bob = factories.admin(session), factories.admin(session)
    bob_as_he_was = session.get(User, bob.id)
    users.update_user(session, bob.id, changes=change, acting=ada)

    # Bob's request was authenticated before Ada's change committed.
    with pytest.raises(Conflict, match="at least one active admin"):
        users.update_user(session, ada.id, changes=change, acting=bob_as_he_was)

    assert active_admins(session) == [ada.id]


def test_demoting_an_already_deactivated_admin_is_allowed(api, session):
    ada, bob = factories.admin(session), factories.admin(session)
    token = factories.tokens_for(session, ada)["access_token"]
    assert api.patch(f"/users/{bob.id}", DEACTIVATE, token=token).status == 200

    reply = api.patch(f"/users/{bob.id}", DEMOTE, token=token)

    assert reply.status == 200
    assert reply.json["role"] == "customer"


def test_renaming_the_only_admin_is_allowed(api, session):
    ada = factories.admin(session)
    token = factories.tokens_for(session, ada)["access_token"]

    assert api.patch(f"/users/{ada.id}", {"name": "Ada"}, token=token).status == 200


def patches_at_once(api: Client, *requests: tuple[str, dict, str]) -> list[int]:
    """The statuses of PATCH requests (path, body, token), each sent by a thread of its own."""
    statuses: list[int] = []

    def send(path: str, body: dict, token: str) -> None:
        statuses.append(api.patch(path, body, token=token).status)

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.parametrize(
    ("first", "second"),
    [(DEMOTE, DEMOTE), (DEACTIVATE, DEACTIVATE), (DEMOTE, DEACTIVATE)],
)
def test_two_admins_demoting_each_other_at_once_leave_exactly_one_admin(
    postgres, monkeypatch, first, second
):
    from handlers.users import handler

    api = Client(handler)
    # Both requests pass authentication before either changes anything: the race itself.
    both_authenticated = threading.Barrier(2)
    update_user = users.update_user

    def update_once_both_are_in(*args, **kwargs):
        both_authenticated.wait(timeout=10)
        return update_user(*args, **kwargs)

    monkeypatch.setattr(users, "update_user", update_once_both_are_in)
    for _ in range(5):
        with db.session_scope() as session:
            session.query(User).update({"role": "customer"})
            session.commit()
            ada, bob = factories.admin(session), factories.admin(session)
            tokens = [factories.tokens_for(session, u)["access_token"] for u in (ada, bob)]

        statuses = patches_at_once(
            api, (f"/users/{bob.id}", first, tokens[0]), (f"/users/{ada.id}", second, tokens[1])
        )

        assert Counter(statuses) == {200: 1, 409: 1}
        with db.session_scope() as session:
            assert len(active_admins(session)) == 1
