"""Records that keep accounts safe: signed-in sessions (revocable on the
server), API answers kept for an `Idempotency-Key`, and one-time links
(password reset, invitation). Secrets are stored only as SHA-256 hashes, so a
copy of the database holds no working session or link."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from configurator.store.models import Base
from configurator.store.types import JSONType, UTCDateTime, utcnow

LINK_PURPOSES = ("reset", "invite", "verify", "claim")


class SignedInSession(Base):
    """One signed-in browser session; the cookie holds its token.

    A cookie is worth something only while its row is open: signing out ends
    this row, "sign out everywhere", a new password or a new role end them all,
    so a copied cookie stops working at once.
    """

    __tablename__ = "signed_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotentReply(Base):
    """The first answer to a POST sent with an `Idempotency-Key`, sent again on a retry."""

    __tablename__ = "idempotent_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    # What the key was first used for (method, path, body hash): another request
    # with the same key is a client mistake (422), not a retry.
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int]
    body: Mapped[Any] = mapped_column(JSONType)
    location: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotent_replies_user_key"),)


class OneTimeLink(Base):
    """A password-reset, invitation or address-confirmation link: usable once, until it expires.

    Only the SHA-256 of the link's token is kept, so a copy of the database
    does not hold working links.
    """

    __tablename__ = "one_time_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(8))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.CheckConstraint(f"purpose IN {LINK_PURPOSES}", name="purpose"),)
