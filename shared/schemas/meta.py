"""Answers of the health route."""

from __future__ import annotations

from typing import Literal

from shared.schemas.base import ResponseModel


class Health(ResponseModel):
    """Whether the service and its database answer"""

    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
