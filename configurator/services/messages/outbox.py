"""Write messages within the caller's transaction; read and track them.

`enqueue` only adds a row to the caller's session: the message exists if and
only if the event that caused it was committed. Once that transaction commits,
the job queue is told (see `services/jobs.py`); the worker's periodic sweep
delivers anything the queue missed, so a message is never lost, only late.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services import jobs, paging, timeline
from configurator.services.configuring.wording import phrase_text
from configurator.services.errors import NotFound
from configurator.services.paging import Page
from configurator.services.privacy import consent
from configurator.services.unit_of_work import use_case
from configurator.store.messages import PURPOSES, Message, MessageAttachment
from configurator.store.models import User
from configurator.store.types import utcnow

DELIVER_JOB = "messages.deliver"


@dataclass(frozen=True)
class Attachment:
    """A file to send with the e-mail: name, MIME type (`application/pdf`) and content."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Draft:
    """What a message says; `enqueue` decides who gets it and how."""

    kind: str
    subject: str
    body: str
    reason: str
    action_url: str | None = None
    action_label: str | None = None
    purpose: str = "transactional"
    secret: bool = False
    attachments: tuple[Attachment, ...] = ()


def enqueue(
    session: Session,
    draft: Draft,
    *,
    recipient: User | None = None,
    to_address: str | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> Message | None:
    """Add a message to the caller's transaction (the caller's use case commits).

    The address defaults to the recipient's e-mail. With `dedupe_key`, a second
    message for the same event is not written: the first one is returned.
    Nothing is written (None) for a recipient who refused the draft's purpose
    or whose data was erased.
    """
    if draft.purpose not in PURPOSES:
        raise ValueError(f"unknown message purpose {draft.purpose!r}")
    if recipient is not None and not _may_send(session, recipient, draft.purpose):
        return None
    if dedupe_key is not None:
        existing = session.scalar(sa.select(Message).where(Message.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    address = to_address or (recipient.email if recipient is not None else None)
    # Written in the recipient's saved language (a draft's Phrases; other text as it is).
    language = recipient.locale if recipient is not None else None
    draft = replace(
        draft,
        subject=phrase_text(draft.subject, language),
        body=phrase_text(draft.body, language),
        reason=phrase_text(draft.reason, language),
        action_label=phrase_text(draft.action_label, language) if draft.action_label else None,
    )
    message = Message(
        recipient=recipient,
        to_address=address,
        kind=draft.kind,
        purpose=draft.purpose,
        subject=draft.subject[:200],
        body=draft.body,
        reason=draft.reason[:300],
        action_url=draft.action_url,
        action_label=draft.action_label,
        secret=draft.secret,
        dedupe_key=dedupe_key,
        status="pending" if address else "held",
        created_at=now or utcnow(),
        next_attempt_at=now or utcnow(),
        attachments=[MessageAttachment(filename=a.filename, content_type=a.content_type,
                                       data=a.data) for a in draft.attachments],
    )
    session.add(message)
    if address:
        jobs.after_commit(session, DELIVER_JOB, lambda: (message.id,))
    return message


def _may_send(session: Session, recipient: User, purpose: str) -> bool:
    """Transactional messages were asked for; the others need the recipient's consent."""
    if recipient.erased_at is not None:
        return False
    return purpose == "transactional" or consent.allows(session, recipient, purpose)


def inbox_page(
    session: Session, reader: User, *, cursor: str | None = None, size: int | None = None
) -> Page[Message]:
    """One page of a user's inbox, newest first."""
    query = sa.select(Message).where(Message.recipient_id == reader.id)
    return paging.keyset_page(
        session, query, (Message.created_at, Message.id), lambda m: (m.created_at, m.id),
        cursor, size,
    )


def unread_count(session: Session, reader: User) -> int:
    """How many messages of the inbox the user has not opened yet."""
    return session.scalar(
        sa.select(sa.func.count(Message.id)).where(
            Message.recipient_id == reader.id, Message.read_at.is_(None)
        )
    ) or 0


@use_case
def read(session: Session, reader: User, message_id: int, *, now: datetime | None = None) -> Message:
    """A message of the reader's inbox, marked read (NotFound for anyone else's)."""
    message = session.get(Message, message_id)
    if message is None or message.recipient_id != reader.id:
        raise NotFound("There is no such message.")
    if message.read_at is None:
        message.read_at = now or utcnow()
    return message


@use_case
def record_open(session: Session, message_id: int, *, now: datetime | None = None) -> None:
    """The e-mail was displayed (its image loaded): noted once, on the timeline too."""
    message = session.get(Message, message_id)
    if message is None or message.opened_at is not None:
        return
    message.opened_at = now or utcnow()
    _on_timeline(session, message, "message_opened", message.opened_at)


@use_case
def record_click(session: Session, message_id: int, *, now: datetime | None = None) -> str | None:
    """The link of the e-mail was followed: noted once; returns where it leads."""
    message = session.get(Message, message_id)
    if message is None:
        return None
    if message.clicked_at is None:
        message.clicked_at = now or utcnow()
        message.opened_at = message.opened_at or message.clicked_at
        _on_timeline(session, message, "message_clicked", message.clicked_at)
    return message.action_url


def _on_timeline(session: Session, message: Message, kind: str, now: datetime) -> None:
    if message.recipient_id is None:
        return
    timeline.record(
        session, message.recipient_id, kind, message.subject,
        {"message_id": message.id, "message_kind": message.kind}, channel="email", now=now,
    )
