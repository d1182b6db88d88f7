"""Problem documents (RFC 9457): the one place that turns an error into a response body."""

from __future__ import annotations

import json
from http import HTTPStatus

PROBLEM_TYPE_BASE = "https://shop-api.example.com/problems/"
MEDIA_TYPE = "application/problem+json"


def problem_body(status: int, detail: str, *, errors: list[dict] | None = None) -> str:
    phrase = HTTPStatus(status).phrase
    document = {
        "type": PROBLEM_TYPE_BASE + phrase.lower().replace(" ", "-").replace("'", ""),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        document["errors"] = errors
    return json.dumps(document)
