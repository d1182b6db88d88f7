"""API Gateway events as AWS sends them, and a client that calls a handler with them."""

from __future__ import annotations

import base64
import copy
import gzip
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

EVENTS = Path(__file__).parent / "events"


def _template(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


class LambdaContext:
    function_name = "shop-api-test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:shop-api-test"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/shop-api-test"
    log_stream_name = "2026/11/25/[$LATEST]test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    # The body as it crossed the wire: compressed, if Content-Encoding says so.
    sent: bytes = b""

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


def http_v2_event(
    method: str,
    path: str,
    *,
    query: dict | None = None,
    headers: dict | None = None,
    body: bytes | None = None,
    base64_body: bool = False,
) -> dict:
    event = _template("http_api_v2.json")
    event["rawPath"] = path
    event["rawQueryString"] = urlencode(query or {})
    event["routeKey"] = f"{method} {path}"
    event["requestContext"]["http"].update(method=method, path=path)
    event["requestContext"]["routeKey"] = event["routeKey"]
    event["headers"].update({k.lower(): v for k, v in (headers or {}).items()})
    if query:
        event["queryStringParameters"] = {k: str(v) for k, v in query.items()}
    if body is not None:
        event["headers"]["content-length"] = str(len(body))
        if base64_body or not _is_utf8(body):
            # API Gateway base64-encodes any body that is not valid UTF-8 text.
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        else:
            event["body"] = body.decode("utf-8")
    return event


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def rest_v1_event(
    method: str,
    path: str,
    *,
    query: dict | None = None,
    headers: dict | None = None,
    body: bytes | None = None,
) -> dict:
    event = _template("rest_api_v1.json")
    event.update(path=path, httpMethod=method, resource=path)
    event["requestContext"].update(path=f"/prod{path}", httpMethod=method, resourcePath=path)
    all_headers = {**event["headers"], **(headers or {})}
    if body is not None:
        all_headers["Content-Length"] = str(len(body))
        if _is_utf8(body):
            event["body"] = body.decode("utf-8")
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    event["headers"] = all_headers
    event["multiValueHeaders"] = {k: [v] for k, v in all_headers.items()}
    if query:
        event["queryStringParameters"] = {k: str(v) for k, v in query.items()}
        event["multiValueQueryStringParameters"] = {k: [str(v)] for k, v in query.items()}
    return event


def api_event(
    method: str,
    path: str,
    *,
    json_body: Any = None,
    body: bytes | None = None,
    headers: dict | None = None,
    query: dict | None = None,
    token: str | None = None,
    base64_body: bool = False,
    version: str = "2.0",
) -> dict:
    """The event of one request: a JSON body encoded and a bearer token sent, if given."""
    headers = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers.setdefault("Content-Type", "application/json")
    if token:
        headers.setdefault("Authorization", f"Bearer {token}")
    if version == "2.0":
        return http_v2_event(
            method, path, query=query, headers=headers, body=body, base64_body=base64_body
        )
    return rest_v1_event(method, path, query=query, headers=headers, body=body)


def reply_of(result: dict) -> Reply:
    """A handler's answer to an API Gateway event, as the client receives it."""
    raw = result.get("body") or ""
    sent = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    if "multiValueHeaders" in result:
        headers = {k: ", ".join(v) for k, v in result["multiValueHeaders"].items()}
    else:
        headers = result.get("headers", {})
    reply = Reply(result["statusCode"], headers, "", sent)
    # As a client does: what it asked to be compressed, it decompresses.
    body = gzip.decompress(sent) if reply.header("Content-Encoding") == "gzip" else sent
    reply.text = body.decode()
    return reply


class Client:
    """Calls a Lambda handler the way API Gateway would, one event per request."""

    def __init__(self, handler, *, version: str = "2.0") -> None:
        self.handler = handler
        self.version = version
        self.token: str | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> Reply:
        """One request; keywords as for `api_event` (the client's token by default)."""
        kwargs["token"] = kwargs.get("token") or self.token
        event = api_event(method, path, version=self.version, **kwargs)
        return reply_of(self.handler(copy.deepcopy(event), LambdaContext()))

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, json_body=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Reply:
        return self.request("PATCH", path, json_body=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.request("DELETE", path, **kwargs)


def client_of(function: str, **options: Any) -> Client:
    """A client of `function`'s Lambda handler (handlers/<function>.py), as API Gateway calls it."""
    return Client(importlib.import_module(f"handlers.{function}").handler, **options)
