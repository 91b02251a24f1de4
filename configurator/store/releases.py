"""The catalog workbench's records: one draft per product line, and the
release log (releases, rollbacks and scheduled releases, each with its note).

A draft is text only: editing it never touches `catalog_versions`, so the
shop keeps showing the released version until a release stores the draft.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.store.models import Base, CatalogVersion, User
from configurator.store.types import UTCDateTime, utcnow

RELEASE_KINDS = ("release", "rollback")
RELEASE_STATUSES = ("scheduled", "done", "failed", "cancelled")


class CatalogDraft(Base):
    """The text a catalog manager is working on for a product line."""

    __tablename__ = "catalog_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalog_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    source_text: Mapped[str] = mapped_column(sa.Text)
    # The released version the draft started from: the diff and impact compare with it.
    base_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("catalog_versions.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    base_version: Mapped[CatalogVersion | None] = relationship()
    updated_by: Mapped[User | None] = relationship()


class CatalogRelease(Base):
    """One entry of the release log: who released (or rolled back) what, when, and why."""

    __tablename__ = "catalog_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalog_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(10))
    note: Mapped[str] = mapped_column(sa.String(500))
    # The text to release (kept for a scheduled release: later edits of the draft
    # do not change what was scheduled).
    source_text: Mapped[str | None] = mapped_column(sa.Text)
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalog_versions.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(sa.String(500), default="")

    version: Mapped[CatalogVersion | None] = relationship()
    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {RELEASE_KINDS}", name="kind"),
        sa.CheckConstraint(f"status IN {RELEASE_STATUSES}", name="status"),
    )
