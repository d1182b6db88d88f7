"""Static files a function serves itself (the docs page's): versioned, cached, compressed.

A file is named by the digest of its content (`/docs/<digest>/<name>`), so a browser may
keep it for a year without asking again: new content gets a new URL. Every response of a
function crosses API Gateway as JSON, at most 6 MB, and serverless-wsgi base64-encodes a
body that has a Content-Encoding; gzip shrinks Swagger UI's 1.5 MB bundle to ~0.4 MB
(~0.55 MB as base64) for every client that accepts it, and the bundle as text stays far
below the limit for one that does not.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cached_property

from flask import Response, request

# What a URL with the content's digest may be cached as: it never changes.
IMMUTABLE = "public, max-age=31536000, immutable"
# Any other URL of a file (no digest, or an older one) is checked again on each use.
REVALIDATE = "no-cache"
# Below this, gzip's header and the base64 encoding cost more than they save.
MIN_GZIP_BYTES = 1024


@dataclass(frozen=True)
class Asset:
    name: str
    body: bytes
    mimetype: str

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:16]

    @cached_property
    def gzipped(self) -> bytes:
        # Compressed once per container; mtime=0 makes the bytes the same in every one.
        return gzip.compress(self.body, compresslevel=9, mtime=0)

    def url(self, prefix: str) -> str:
        return f"{prefix}/{self.digest}/{self.name}"


def asset_response(asset: Asset, *, digest: str | None) -> Response:
    """`asset`, gzipped if the client accepts it, cached for good if `digest` is its own."""
    compress = len(asset.body) >= MIN_GZIP_BYTES and request.accept_encodings["gzip"] > 0
    response = Response(asset.gzipped if compress else asset.body, mimetype=asset.mimetype)
    if compress:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Cache-Control"] = IMMUTABLE if digest == asset.digest else REVALIDATE
    # A cache between the client and the function must keep both encodings apart.
    response.vary.add("Accept-Encoding")
    return response
