"""The API's CORS policy: which browsers may call it, with which headers (api.md, "CORS").

Three places apply it, all from CORS_ALLOWED_ORIGINS as `shared.config` checks it:
API Gateway's HTTP API (serverless.yml's `provider.httpApi.cors`, which the osls plugin
scripts/serverless/cors.js gets from `python -m shared.cors`), scripts/dev's
serverless-offline (the same plugin, with the same object), and the app itself for REST API
(payload 1.0) events, whose proxy integration leaves CORS to the function (shared/web.py).

This module imports nothing beyond the standard library: osls runs it while it reads
serverless.yml, before anything is installed for Lambda.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Collection

from shared.config import ConfigError, cors_allowed_origins

ALLOWED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id")
EXPOSED_HEADERS = ("Location", "X-Request-Id")
ALLOWED_METHODS = ("GET", "HEAD", "POST", "PATCH", "DELETE")
# How long a browser may reuse a preflight's answer: a changed policy reaches every
# browser within ten minutes, and an app that calls the API often still preflights rarely.
MAX_AGE_SECONDS = 600


def http_api_cors(origins: Collection[str]) -> dict | bool:
    """`provider.httpApi.cors` for these origins: False (no CORS at all) without any.

    Tokens travel in the Authorization header, never in cookies, so no credentials.
    """
    if not origins:
        return False
    return {
        "allowedOrigins": list(origins),
        "allowedHeaders": list(ALLOWED_HEADERS),
        "allowedMethods": list(ALLOWED_METHODS),
        "exposedResponseHeaders": list(EXPOSED_HEADERS),
        "allowCredentials": False,
        "maxAge": MAX_AGE_SECONDS,
    }


def cors_headers(origin: str | None, origins: Collection[str], *, preflight: bool) -> dict:
    """The headers API Gateway's HTTP API adds for `origin`: none for an origin not allowed."""
    any_origin = tuple(origins) == ("*",)
    if not origin or not (any_origin or origin in origins):
        return {}
    headers = {"Access-Control-Allow-Origin": "*" if any_origin else origin}
    if preflight:
        headers["Access-Control-Allow-Methods"] = ",".join(ALLOWED_METHODS)
        headers["Access-Control-Allow-Headers"] = ",".join(ALLOWED_HEADERS)
        headers["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
    else:
        headers["Access-Control-Expose-Headers"] = ",".join(EXPOSED_HEADERS)
    return headers


def main(argv: list[str]) -> int:
    """Print `provider.httpApi.cors` as JSON; `--deployed` for a stage that goes to AWS."""
    try:
        origins = cors_allowed_origins(os.environ, deployed="--deployed" in argv)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(http_api_cors(origins)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
