"""Merges of two customer records that are one person (staff decide, and can undo).

A merge moves the merged customer's records to the kept one and writes down
exactly which rows moved, so an undo moves those rows back and nothing else.
While a merge stands, the merged account cannot be signed in to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from configurator.store.models import Base
from configurator.store.types import JSONType, UTCDateTime, utcnow


class CustomerMerge(Base):
    """One merge: who was kept, who was merged into them, by whom, and the moved row ids."""

    __tablename__ = "customer_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    merged_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # {"configurations": [ids], "orders": [ids], ...}: the rows the merge moved.
    moved: Mapped[dict[str, Any]] = mapped_column(JSONType)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<CustomerMerge {self.id} {self.merged_id} -> {self.kept_id}>"
