"""Answers of the health route."""

from __future__ import annotations

from shared.schemas.base import ResponseModel, named_enum

HealthStatus = named_enum("HealthStatus", ("ok", "degraded"))
DatabaseStatus = named_enum("DatabaseStatus", ("ok", "unavailable"))


class Health(ResponseModel):
    """Whether the service and its database answer"""

    status: HealthStatus
    database: DatabaseStatus
