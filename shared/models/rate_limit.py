"""Counters of attempts per client key (an e-mail address, a source address) per window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shared.models.base import Base, UTCDateTime


class RateLimit(Base):
    """One fixed window of counted attempts for one key, kept in the database.

    Lambda containers share nothing but the database, so a limit that must hold across
    every running container lives here; housekeeping deletes windows that have ended.
    """

    __tablename__ = "rate_limits"

    # "<limit name>:<client key>", e.g. "login-email:ada@example.com".
    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    hits: Mapped[int]
