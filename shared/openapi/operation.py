"""`@operation(...)`: what a view takes and answers, as the OpenAPI document tells clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel

# An answer: a response model, a description, or None for the shared answer of its status.
Answer = type[BaseModel] | str | None


@dataclass(frozen=True)
class Operation:
    """A view's entry in the document; see `operation` for each field."""

    summary: str
    responses: dict[int, Answer]
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: type[BaseModel] | None = None
    headers: dict[int, str] = field(default_factory=dict)
    request_headers: dict[str, dict] = field(default_factory=dict)
    media_types: dict[int, str] = field(default_factory=dict)
    uses_database: bool = True
    token_optional: bool = False


def operation(
    *,
    summary: str,
    responses: dict[int, Answer],
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    query: type[BaseModel] | None = None,
    headers: dict[int, str] | None = None,
    request_headers: dict[str, dict] | None = None,
    media_types: dict[int, str] | None = None,
    uses_database: bool = True,
    token_optional: bool = False,
) -> Callable:
    """Describe a view for the document: its body, query, optional request headers (name:
    {description, schema}) and answers by status (with a response header per status).

    The view's docstring is the operation's description, its resource's name the tag. An
    answer is a response model, a description, or None for the shared one of that status;
    `media_types` names the type of a described answer that is no problem document. The
    answers every route of its kind can give (400, 401, 403, 404, 405, 413, 415, 422, and
    503 where `uses_database`) are added without being listed. `token_optional`: a route
    without `@auth_required` that reads a bearer token when one is sent.
    """

    def decorate(view: Callable) -> Callable:
        view.openapi = Operation(
            summary=summary,
            responses=responses,
            body=body,
            body_required=body_required,
            query=query,
            headers=headers or {},
            request_headers=request_headers or {},
            media_types=media_types or {},
            uses_database=uses_database,
            token_optional=token_optional,
        )
        return view

    return decorate
