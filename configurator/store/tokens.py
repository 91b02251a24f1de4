"""Personal API tokens: a user's keys for other systems (ERP, web shop, sales tool).

Only a SHA-256 of the secret is kept. The secret is 32 random bytes, so a fast
hash is enough: there is nothing to guess, unlike a password. The short
`prefix` is stored in clear so a presented token is found with one indexed
lookup before its hash is compared.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.store.models import Base, User
from configurator.store.types import UTCDateTime, utcnow


class ApiToken(Base):
    """One personal API token with the scopes it grants."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    scopes: Mapped[str] = mapped_column(sa.String(500))  # space-separated, as in OAuth
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix} user={self.user_id}>"

    @property
    def scope_list(self) -> list[str]:
        """The granted scopes, in the order they were stored."""
        return self.scopes.split()

    def is_usable(self, now: datetime) -> bool:
        """Neither revoked nor past its expiry."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or now < self.expires_at
