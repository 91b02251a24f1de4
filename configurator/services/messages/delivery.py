"""Deliver messages: claim one, send it outside any transaction, record the result.

Each message is sent at most once per claim. A claim is one UPDATE that only
succeeds on a due message, so two workers (or a job and a sweep) never send
the same message twice; a worker that dies while sending leaves a claim that
expires after LEASE, and the next sweep sends the message again. Failures are
retried with growing delays; a permanent refusal (5xx) is not retried.

An attachment may be written empty (`PENDING`) by the use case that sends the
message, when making it takes seconds (a quote's PDF): the worker makes it here,
just before the e-mail, with the `AttachmentMaker` it was given, and keeps it on
the row, so the outbox holds the file exactly as it was sent.
"""

from __future__ import annotations

import html
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from sqlalchemy.orm import Session

from configurator.services import jobs, timeline
from configurator.services.configuring.wording import translator
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.outbox import DELIVER_JOB
from configurator.services.messages.transport import PermanentFailure, Transport
from configurator.services.unit_of_work import use_case
from configurator.store.messages import Message, MessageAttachment
from configurator.store.models import User
from configurator.store.types import utcnow

# Longer than any SMTP conversation (the client times out after 30 s).
LEASE = timedelta(minutes=2)
# Delays after the 1st, 2nd, ... failed attempt; after the last one, give up.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
SWEEP_BATCH = 200
# An attachment still to be made when its e-mail is sent.
PENDING = b""
# Makes a pending attachment's content: (session, message, attachment) -> bytes.
AttachmentMaker = Callable[[Session, Message, MessageAttachment], bytes]
SECRET_REMOVED = "This message held a one-time link. It was e-mailed to you and is not kept here."


def deliver(
    session: Session,
    message_id: int,
    transport: Transport,
    links: TrackingLinks,
    *,
    attachments: AttachmentMaker | None = None,
    now: datetime | None = None,
) -> str:
    """Send one message if it is due; returns sent, retry, failed or not-due.

    Pending attachments are made first with `attachments` (and kept); a message whose
    attachment cannot be made is retried like one the mail server did not take.
    """
    message = claim(session, message_id, now=now)
    if message is None:
        return "not-due"
    if any(a.data == PENDING for a in message.attachments):
        problem = _make_attachments(session, message_id, attachments)
        if problem:
            return _record_failure(session, message_id, problem)
        message = session.get(Message, message_id, populate_existing=True)
    email = compose(message, transport.sender, links, language=_language(session, message))
    try:
        transport.send(email)
    except PermanentFailure as error:
        return _record_failure(session, message_id, str(error), permanent=True)
    except (smtplib.SMTPException, OSError) as error:
        return _record_failure(session, message_id, f"{type(error).__name__}: {error}")
    return _record_sent(session, message_id)


@use_case
def claim(session: Session, message_id: int, *, now: datetime | None = None) -> Message | None:
    """Take a due message for sending (a use case of its own: committed before
    the SMTP conversation starts); None when it is not due."""
    now = now or utcnow()
    due = sa.or_(
        sa.and_(Message.status == "pending", Message.next_attempt_at <= now),
        sa.and_(Message.status == "sending", Message.claimed_at < now - LEASE),
    )
    result = session.execute(
        sa.update(Message)
        .where(Message.id == message_id, due)
        .values(status="sending", claimed_at=now, attempts=Message.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return session.get(Message, message_id, populate_existing=True)


def _make_attachments(session: Session, message_id: int,
                      maker: AttachmentMaker | None) -> str | None:
    """Make the message's pending attachments and keep them; the problem, if one failed."""
    if maker is None:
        return "a pending attachment and no way to make it in this process"
    try:
        _fill_attachments(session, message_id, maker)
    # Whatever stops the file (a template, the PDF library) must leave the message to be
    # retried with the reason on the row, not a worker crash with the message claimed.
    except Exception as error:  # noqa: BLE001
        return f"attachment not made: {type(error).__name__}: {error}"
    return None


@use_case
def _fill_attachments(session: Session, message_id: int, maker: AttachmentMaker) -> None:
    message = session.get(Message, message_id)
    for attachment in message.attachments:
        if attachment.data == PENDING:
            attachment.data = maker(session, message, attachment)


PRIVACY_PATH = "/account/privacy"  # where a customer changes what we may send them


def _language(session: Session, message: Message) -> str | None:
    """The recipient's language, which `outbox.enqueue` wrote the message in."""
    recipient = session.get(User, message.recipient_id) if message.recipient_id else None
    return recipient.locale if recipient is not None else None


def compose(
    message: Message, sender: str, links: TrackingLinks, *, language: str | None = None
) -> EmailMessage:
    """The e-mail of a message: plain text and HTML, the reason, the action link, and its
    attachments (a quote's PDF). Its own words ("Why you get this", the link's default
    label) are in `language`, the message's, right to left in Persian."""
    _ = translator(language)
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"m{message.id}", domain=_domain(sender))
    action = links.click_url(message.id) if message.action_url else None
    if message.action_url and message.secret:
        # A one-time link goes to the shop directly: the row forgets it once the
        # e-mail is sent, so a tracking redirect would lead nowhere.
        action = links.base_url.rstrip("/") + message.action_url
    label, why = message.action_label or _("Open"), _("Why you get this: %(reason)s", reason=message.reason)
    text = [message.body.rstrip(), ""]
    if action:
        text += [f"{label}: {action}", ""]
    text += ["--", why]
    opt_out = None
    if message.purpose == "marketing":  # the way out of marketing e-mail, one click away
        opt_out = (_("Change what we may send you"), links.base_url.rstrip("/") + PRIVACY_PATH)
        text.append(f"{opt_out[0]}: {opt_out[1]}")
    email.set_content("\n".join(text))
    page = _html(message, action, links.open_url(message.id), label, why, language, opt_out)
    email.add_alternative(page, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                             filename=attachment.filename)
    return email


def _html(message: Message, action: str | None, pixel: str, label: str, why: str,
          language: str | None, opt_out: tuple[str, str] | None = None) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>"
        for part in message.body.strip().split("\n\n")
    )
    button = f'<p><a href="{html.escape(action)}">{html.escape(label)}</a></p>' if action else ""
    footer = html.escape(why)
    if opt_out:
        footer += f'<br><a href="{html.escape(opt_out[1])}">{html.escape(opt_out[0])}</a>'
    code = language or "en"
    return (
        f'<!doctype html><html lang="{html.escape(code)}" dir="{_direction(code)}"><body>{paragraphs}{button}'
        f'<p style="color:#666;font-size:small">{footer}</p>'
        f'<img src="{html.escape(pixel)}" width="1" height="1" alt=""></body></html>'
    )


def _direction(language: str) -> str:
    """rtl for a language written right to left (Persian), else ltr."""
    try:
        return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"
    except (ValueError, UnknownLocaleError):  # a locale babel does not know: as English
        return "ltr"


@use_case
def _record_sent(session: Session, message_id: int) -> str:
    message = session.get(Message, message_id)
    message.status = "sent"
    message.sent_at = utcnow()
    message.claimed_at = None
    message.last_error = None
    if message.secret:
        message.body = SECRET_REMOVED
        message.action_url = None
    if message.recipient_id is not None:
        timeline.record(
            session, message.recipient_id, "message_sent", message.subject,
            {"message_id": message.id, "message_kind": message.kind, "why": message.reason},
            channel="email", now=message.sent_at,
        )
    return "sent"


@use_case
def _record_failure(session: Session, message_id: int, error: str, *, permanent: bool = False) -> str:
    message = session.get(Message, message_id)
    message.claimed_at = None
    message.last_error = error[:500]
    if permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
    else:
        message.status = "pending"
        message.next_attempt_at = utcnow() + RETRY_DELAYS[message.attempts - 1]
    return message.status if message.status == "failed" else "retry"


def due_ids(session: Session, *, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Messages to send now: pending and due, or claimed by a worker that died."""
    now = now or utcnow()
    due = sa.or_(
        sa.and_(Message.status == "pending", Message.next_attempt_at <= now),
        sa.and_(Message.status == "sending", Message.claimed_at < now - LEASE),
    )
    return list(session.scalars(
        sa.select(Message.id).where(due).order_by(Message.next_attempt_at, Message.id).limit(limit)
    ))


def sweep(session: Session, queue: jobs.JobQueue | None, *, now: datetime | None = None) -> int:
    """Queue a delivery job for every due message; returns how many."""
    ids = due_ids(session, now=now)
    if queue is not None:
        for message_id in ids:
            queue.enqueue(DELIVER_JOB, message_id)
    return len(ids)


def _domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip(">") or "localhost"
