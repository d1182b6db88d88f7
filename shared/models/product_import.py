"""A CSV import of products: one uploaded S3 object and the report of processing it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# The tables its foreign keys refer to: a flush looks them up in the metadata.
from shared.models import user  # noqa: F401
from shared.models.base import Base, UTCDateTime, utcnow
from shared.statuses import IMPORT_STATUSES, one_of


class ProductImport(Base):
    __tablename__ = "product_imports"
    __table_args__ = (CheckConstraint(one_of("status", IMPORT_STATUSES), name="status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    s3_key: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    # The S3 object version that was processed, for the record.
    etag: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
