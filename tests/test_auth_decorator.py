"""@auth_required on a resource app: who gets in, who gets 401 and who gets 403."""

from __future__ import annotations

import pytest
import serverless_wsgi
from flask import g, jsonify

from shared.auth import auth_required
from shared.web import create_app
from tests import factories
from tests.apigw import Client

app = create_app("decorated")
loads = []


@app.get("/admin-only")
@auth_required(role="admin")
def admin_only():
    loads.append(g.user.id)
    return jsonify(user=g.user.id)


@app.get("/anyone")
@auth_required
def anyone():
    return jsonify(role=g.user.role)


@pytest.fixture
def api(engine) -> Client:
    return Client(lambda event, context: serverless_wsgi.handle_request(app, event, context))


def test_an_admin_route_answers_403_to_a_customer(api, session):
    token = factories.tokens_for(session, factories.customer(session))["access_token"]

    reply = api.get("/admin-only", token=token)

    assert reply.status == 403
    assert reply.header("WWW-Authenticate") is None


def test_an_admin_route_lets_an_admin_in(api, session):
    admin = factories.admin(session)
    token = factories.tokens_for(session, admin)["access_token"]

    reply = api.get("/admin-only", token=token)

    assert reply.status == 200 and reply.json == {"user": admin.id}


def test_an_admin_route_answers_401_before_403_without_a_token(api):
    reply = api.get("/admin-only")

    assert reply.status == 401
    assert reply.header("WWW-Authenticate") == "Bearer"


def test_a_plain_auth_required_route_takes_any_role(api, session):
    token = factories.tokens_for(session, factories.customer(session))["access_token"]

    assert api.get("/anyone", token=token).json == {"role": "customer"}
