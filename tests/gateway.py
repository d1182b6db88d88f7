"""The shop's HTTP functions behind one address, routed as API Gateway routes them.

`FUNCTIONS` maps a path's first segment to its function (meta takes the rest), as
serverless.yml does. `GatewayTransport` lets an httpx client call the shop without a
server: each request becomes an HTTP API (v2) event for its function's Lambda handler,
and the handler's answer the response, so what is tested is what ships.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from urllib.parse import parse_qsl

import httpx

from tests.apigw import LambdaContext, http_v2_event, reply_of

FUNCTIONS = {
    "auth": "handlers.auth",
    "users": "handlers.users",
    "products": "handlers.products",
    "orders": "handlers.orders",
}
META = "handlers.meta"


def function_of(path: str) -> str:
    """The module of the function that serves `path`."""
    return FUNCTIONS.get(path.split("/")[1], META)


class GatewayTransport(httpx.BaseTransport):
    """Hands each request to its function's handler as API Gateway would, in-process."""

    def __init__(self) -> None:
        self._handlers: dict[str, Callable[[dict, object], dict]] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        raw_query = request.url.query.decode()
        event = http_v2_event(
            request.method,
            path,
            headers={k: v for k, v in request.headers.items() if k.lower() != "content-length"},
            body=request.read() or None,
        )
        event["rawQueryString"] = raw_query
        if raw_query:
            # API Gateway joins a repeated parameter's values with commas.
            parameters: dict[str, list[str]] = {}
            for name, value in parse_qsl(raw_query, keep_blank_values=True):
                parameters.setdefault(name, []).append(value)
            event["queryStringParameters"] = {k: ",".join(v) for k, v in parameters.items()}
        reply = reply_of(self._handler(path)(event, LambdaContext()))
        return httpx.Response(reply.status, headers=reply.headers, content=reply.text.encode())

    def _handler(self, path: str) -> Callable[[dict, object], dict]:
        module = function_of(path)
        if module not in self._handlers:
            self._handlers[module] = importlib.import_module(module).handler
        return self._handlers[module]
