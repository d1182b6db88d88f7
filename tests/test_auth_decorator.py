"""@auth_required and current_user() on a resource app: who gets in, 401s and 403s."""

from __future__ import annotations

import pytest
import serverless_wsgi
from flask import jsonify

from shared.auth import auth_required, current_user
from shared.routing import Resource
from shared.web import create_app
from tests import factories
from tests.apigw import Client

routes = Resource("decorated", __name__, description="Views behind @auth_required")
loads = []


@routes.get("/admin-only")
@auth_required(role="admin")
def admin_only():
    loads.append(current_user().id)
    return jsonify(user=current_user().id)


@routes.get("/anyone")
@auth_required
def anyone():
    return jsonify(role=current_user().role)


@routes.get("/whoami")
def whoami():
    return jsonify(email=current_user().email)


@routes.get("/whoami-twice")
@auth_required
def whoami_twice():
    loads.append(current_user().id)
    return jsonify(same=current_user() is current_user())


app = create_app(routes)


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


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/admin-only", id="an admin route, 401 before 403"),
        pytest.param("/whoami", id="an undecorated route that asks for current_user()"),
    ],
)
def test_a_route_that_needs_the_caller_answers_401_without_a_token(api, path):
    reply = api.get(path)

    assert reply.status == 401
    assert reply.header("WWW-Authenticate") == "Bearer"


def test_a_plain_auth_required_route_takes_any_role(api, session):
    token = factories.tokens_for(session, factories.customer(session))["access_token"]

    assert api.get("/anyone", token=token).json == {"role": "customer"}


def test_current_user_is_the_caller_the_token_speaks_for(api, session):
    customer = factories.customer(session)
    token = factories.tokens_for(session, customer)["access_token"]

    assert api.get("/whoami", token=token).json == {"email": customer.email}


def test_current_user_loads_the_caller_once_per_request(api, session):
    token = factories.tokens_for(session, factories.customer(session))["access_token"]

    assert api.get("/whoami-twice", token=token).json == {"same": True}
