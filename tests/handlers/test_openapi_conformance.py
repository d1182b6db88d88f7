"""Schemathesis over the shop's own /openapi.json: what it generates, valid and invalid,
gets only the answers the document names, and never a 5xx.

The five HTTP functions are combined as API Gateway routes to them (by the first path
segment, meta taking the rest), and called through WSGI on each test database. Each
case carries an admin's or a customer's bearer token (chosen by the case), so the
routes behind authentication are explored too, and not only their 401. Besides the
generated cases, schemathesis sends methods no path takes (405 with Allow expected).
"""

from __future__ import annotations

import importlib
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests import factories
from tests.gateway import function_of

EXAMPLES_PER_OPERATION = 25


def shop_app():
    """One WSGI app that hands each request to its function's Flask app."""

    def dispatch(environ, start_response):
        app = importlib.import_module(function_of(environ.get("PATH_INFO", "/"))).app
        return app(environ, start_response)

    return dispatch


CONFIG = schemathesis.Config.from_dict(
    {
        # The tokens are ours (below): generated Authorization headers would all be a 401.
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES_PER_OPERATION,
            "with-security-parameters": False,
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "unsupported_method": {"enabled": True},
            "allow_header_conformance": {"enabled": True},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/openapi.json", shop_app(), config=CONFIG)


@pytest.fixture
def tokens(session) -> dict[str, str]:
    return {
        "admin": factories.tokens_for(session, factories.admin(session))["access_token"],
        "customer": factories.tokens_for(session, factories.customer(session))["access_token"],
    }


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_of_the_shop_is_one_its_document_names(case, tokens):
    # Mostly an admin, who may call every route; a customer for one case in four.
    seed = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
    role = "customer" if seed % 4 == 0 else "admin"

    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"})
