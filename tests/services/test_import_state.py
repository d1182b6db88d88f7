"""An import's status as a run moves it: claimed, then done, failed or given back."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from shared import db
from shared.deadline import NEVER
from shared.models import ProductImport
from shared.services import import_rows, import_state, imports
from tests import factories
from tests.catalog_files import HEADER, products
from tests.concurrency import at_once

MINUTE = timedelta(minutes=1)


def status_of(session, found: ProductImport) -> str:
    """The import's status as the database holds it now."""
    return session.scalar(select(ProductImport.status).where(ProductImport.id == found.id))


def test_a_waiting_import_is_claimed_by_one_run_and_refused_to_the_next(engine, session):
    found = factories.product_import(session)

    assert import_state.claim(session, found.id) is True
    assert import_state.claim(session, found.id) is False
    assert status_of(session, found) == "processing"


def test_two_runs_racing_for_one_import_claim_it_once(postgres):
    with db.session_scope() as session:
        found = factories.product_import(session)

    def claim(_: int) -> bool:
        with db.session_scope() as session:
            return import_state.claim(session, found.id)

    assert sorted(at_once(4, claim)) == [False, False, False, True]


def test_a_claim_is_taken_over_only_once_it_is_older_than_a_run_can_live(engine, session):
    running = factories.product_import(
        session, status="processing", changed_ago=import_state.STALE_CLAIM - MINUTE
    )
    crashed = factories.product_import(
        session, status="processing", changed_ago=import_state.STALE_CLAIM + MINUTE
    )

    assert import_state.claim(session, running.id) is False
    assert import_state.claim(session, crashed.id) is True


@pytest.mark.parametrize("status", import_state.FINISHED)
def test_a_done_or_failed_import_is_never_claimed_again_however_old(engine, session, status):
    found = factories.product_import(session, status=status, changed_ago=timedelta(days=30))

    assert import_state.claim(session, found.id) is False
    assert status_of(session, found) == status


def test_a_released_import_waits_for_the_next_run_to_claim_it(engine, session):
    found = factories.product_import(session)
    import_state.claim(session, found.id)

    import_state.release(session, found.id)

    assert status_of(session, found) == "waiting"
    assert import_state.claim(session, found.id) is True


def test_a_release_the_database_refuses_raises_nothing_and_leaves_the_claim_to_go_stale(
    engine, session, monkeypatch, log_lines
):
    # Raising here would hide the run's own error, the one worth seeing.
    found = factories.product_import(session)
    import_state.claim(session, found.id)

    def connection_lost(*args, **kwargs):
        raise OperationalError("UPDATE product_imports", {}, Exception("connection lost"))

    with monkeypatch.context() as patch:
        patch.setattr(session, "execute", connection_lost)
        import_state.release(session, found.id)

    assert status_of(session, found) == "processing"
    assert any("could not release the import" in line for line in log_lines())


def test_an_import_marked_done_commits_its_report_with_the_products_its_run_loaded(
    engine, session, monkeypatch
):
    monkeypatch.setattr(import_rows, "LISTED_REJECTIONS", 1)
    found = factories.product_import(session)
    import_state.claim(session, found.id)
    content = HEADER + "PEN-1,Pen,,,100,1\nBAD-1,Bad,,,x,1\nBAD-2,Bad,,,x,1\nBAD-3,Bad,,,x,1\n"
    tally = import_rows.load(session, io.BytesIO(content.encode()), deadline=NEVER)

    import_state.mark_done(session, found.id, tally=tally, etag="0123abcd")

    with db.session_scope() as another_request:
        report = imports.get_import(another_request, found.id)
        assert set(products(another_request)) == {"PEN-1"}
    assert (report["status"], report["created"], report["updated"]) == ("done", 1, 0)
    assert report["rejected"] == [
        {"line": 3, "error": "price_cents: must be a whole number from 0 to 2147483647, not 'x'"},
        {"line": 4, "error": "2 rejected rows from this line on are not listed"},
    ]
