"""Messages to customers and staff: the outbox and the in-app inbox in one table.

A message is written in the same transaction as the event that causes it (an
order, a reset request, a quote sent), so a rolled-back event sends nothing.
A background worker then delivers the e-mail (see
`services/messages/delivery.py`); the same row is what the recipient reads in
the in-app inbox, and it records when the e-mail was opened and its link
clicked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from configurator.store.models import Base, User
from configurator.store.types import UTCDateTime, utcnow

# pending: waiting for the worker (again, after a failed attempt);
# sending: claimed by a worker, which holds it until `claimed_at` + the lease;
# sent: the SMTP server accepted it; failed: gave up after the last attempt;
# held: never e-mailed (no address, or the recipient refused this purpose).
STATUSES = ("pending", "sending", "sent", "failed", "held")
# transactional: the customer asked for it (order, password reset): always sent.
# service: about something the customer has with us (a quote, a subscription).
# marketing: offers and reminders, only with the customer's consent.
PURPOSES = ("transactional", "service", "marketing")


class Message(Base):
    """One message: an e-mail to deliver and an entry in the recipient's inbox."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE")
    )
    to_address: Mapped[str | None] = mapped_column(sa.String(254))
    kind: Mapped[str] = mapped_column(sa.String(40))
    purpose: Mapped[str] = mapped_column(sa.String(16), default="transactional")
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # Why the customer gets this message, said in the message itself.
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    action_url: Mapped[str | None] = mapped_column(sa.String(1000))
    action_label: Mapped[str | None] = mapped_column(sa.String(80))
    # A secret (a one-time link) lives in the body until the e-mail is sent,
    # then the body is replaced and the inbox never shows it.
    secret: Mapped[bool] = mapped_column(default=False)
    # The same event never makes two messages (an order confirmation per order).
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[str] = mapped_column(sa.String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User | None] = relationship()
    attachments: Mapped[list[MessageAttachment]] = relationship(
        cascade="all, delete-orphan", order_by="MessageAttachment.id"
    )

    __table_args__ = (
        sa.CheckConstraint(f"status IN {STATUSES}", name="status"),
        sa.CheckConstraint(f"purpose IN {PURPOSES}", name="purpose"),
        # The worker's sweep: what is due, oldest first.
        sa.Index("ix_messages_status_next_attempt", "status", "next_attempt_at"),
        sa.Index("ix_messages_recipient_created_id", "recipient_id", "created_at", "id"),
    )

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.kind} {self.status}>"


class MessageAttachment(Base):
    """A file sent with a message's e-mail (a quote's PDF), kept as it was sent."""

    __tablename__ = "message_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
