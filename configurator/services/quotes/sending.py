"""Sending a quote: from then on the client's contacts see it and the revision
is frozen as sent, and it is e-mailed (with its PDF when the caller makes one)
to the contacts staff choose; e-mailing a sent quote again; withdrawing it with
a reason; and expiring the sent quotes whose validity has passed
(`configurator expire-quotes`, a daily job).

The PDF takes seconds to make, so sending does not make it: each e-mail is
written to the outbox with an empty (pending) PDF attachment, the request
answers at once, and the worker makes the PDF just before the e-mail goes
(`pdf_attachments`, `messages.delivery`), keeping it on the outbox row as sent.
The PDF itself comes from the web layer (the print page's HTML, `web/pdf.py`): a
`PdfMaker` is called per recipient, so each gets it in their own language.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace as dc_replace
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting import IllegalTransition, Quote, lifecycle
from configurator.quoting.model import STATUS_WORDS, Status
from configurator.quoting.phrases import N_, Amount, Day
from configurator.services import timeline
from configurator.services.business import accounts
from configurator.services.messages import delivery, outbox
from configurator.services.quotes import records
from configurator.services.quotes.approvals import approval_policy, margin_percent
from configurator.services.quotes.lines import require_fit
from configurator.services.quotes.records import (
    LoadedQuote,
    actor,
    editing,
    frozen_copy,
    run_step,
    staff_step,
    to_domain,
)
from configurator.services.unit_of_work import use_case
from configurator.store.messages import Message, MessageAttachment
from configurator.store.models import User
from configurator.store.quotes import AccountContact, QuoteRecord
from configurator.store.types import utcnow

# Makes the PDF of a sent quote for one recipient (in their language).
PdfMaker = Callable[[QuoteRecord, User], bytes]
PDF = "application/pdf"


@use_case
def send(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    version: int | None = None,
    to_contact: int | None = None,
    to_contacts: Collection[int] = (),
    attach_pdf: bool = False,
    now: datetime | None = None,
) -> QuoteRecord:
    """Send the quote to the client: from now on this revision is frozen.

    An earlier revision still open to the client is superseded now, not when
    this one was started; one the client accepted meanwhile stops the send.
    The quote is also e-mailed, in the same unit of work, to `to_contacts` (or
    `to_contact`: contacts' user ids) or by default to the account's decision
    maker (else its buyer, else its first contact), with a tracked link to the
    client's page and, with `attach_pdf`, the quote's PDF attached (made by the
    worker when the e-mail goes: see `pdf_attachments`).
    """
    loaded = editing(session, staff, quote_id, version)
    require_fit(session, loaded.record)  # never offer what the catalog no longer makes
    open_before = _open_older_revisions(session, loaded.record)
    chosen = [*to_contacts, *([to_contact] if to_contact is not None else [])]
    recipients = _recipients(session, loaded.record, chosen)
    margin = margin_percent(loaded, staff)

    def step(quote: Quote, at: datetime) -> None:
        lifecycle.send(quote, approval_policy(loaded.record.account), by=actor(staff), at=at,
                       margin=margin)
        loaded.record.frozen = frozen_copy(quote)
        loaded.record.sent_at = at
        # Each contact's own timeline shows the quote too ("Received a quote").
        for contact_id in accounts.contact_user_ids(session, loaded.record.account):
            timeline.record(
                session,
                contact_id,
                "quoted",
                N_("Quote %(number)s", number=str(quote.number)),
                {
                    "quote": str(quote.number),
                    "total": loaded.record.frozen["totals"]["gross_total"],
                },
                channel="staff",
                actor_id=staff.id,
                now=at,
            )

    record = run_step(session, staff, loaded, step, now=now)
    _email(session, staff, record, recipients, attach_pdf, "quote-sent", now)
    for older in open_before:
        run_step(
            session,
            staff,
            LoadedQuote(older, to_domain(session, older)),
            lambda q, at: lifecycle.supersede(q, loaded.quote.number, by=actor(staff), at=at),
            now=now,
        )
    return record


_PREFERRED = {"decision_maker": 0, "buyer": 1}


def _recipients(session: Session, record: QuoteRecord, chosen: Collection[int]) -> list[User]:
    """Who gets the quote by e-mail: the chosen contacts, else the decision maker (else
    the buyer, else the first contact); none for an account without contacts."""
    contacts = list(session.execute(
        sa.select(AccountContact.contact_role, User)
        .join(User, User.id == AccountContact.user_id)
        .where(AccountContact.account_id == record.account_id, User.erased_at.is_(None))
        .order_by(AccountContact.id)
    ))
    if chosen:
        wanted = set(chosen)
        found = [user for _, user in contacts if user.id in wanted]
        if len(found) != len(wanted):
            raise IllegalTransition(N_("That person is not a contact of this account."))
        return found
    if not contacts:
        return []
    return [min(contacts, key=lambda row: _PREFERRED.get(row[0], len(_PREFERRED)))[1]]


def _email(session: Session, staff: User, record: QuoteRecord, recipients: list[User],
           attach_pdf: bool, key: str, now: datetime | None) -> None:
    """E-mail the sent quote to each recipient (with its PDF, pending until the worker
    sends it), and note it on the quote's history, so every send is on the account's
    timeline."""
    at = now or utcnow()
    attachments = (
        (outbox.Attachment(f"{record.number}.pdf", PDF, delivery.PENDING),) if attach_pdf else ()
    )
    for recipient in recipients:
        outbox.enqueue(
            session,
            dc_replace(_quote_email(record, recipient), attachments=attachments),
            recipient=recipient,
            dedupe_key=f"{key}:{record.number}:{recipient.id}",
            now=at,
        )
    if recipients:
        accounts.record_event(
            session, record.account_id, "quote e-mailed",
            f"Quote {record.number}: e-mailed", actor=staff, quote_id=record.id,
            detail=("to " + ", ".join(f"{r.name} <{r.email}>" for r in recipients)
                    + (" with the PDF" if attach_pdf else ""))[:500],
            at=at,
        )


@use_case
def email_again(
    session: Session,
    staff: User,
    quote_id: int,
    to_contacts: Collection[int] = (),
    *,
    attach_pdf: bool = False,
    now: datetime | None = None,
) -> QuoteRecord:
    """E-mail a sent quote again (a lost e-mail, another contact), with its PDF: the
    revision as it was sent, not changed. Only an open sent quote; each send goes on
    the account's timeline and, once delivered, on each contact's."""
    loaded = editing(session, staff, quote_id, None)
    record = loaded.record
    at = now or utcnow()
    if record.status != "sent" or record.valid_until <= at:
        status = "expired" if record.status == "sent" else record.status
        raise IllegalTransition(N_(
            "Quote %(number)s is %(status)s; only a sent quote the client may still answer "
            "can be e-mailed again", number=record.number, status=STATUS_WORDS[Status(status)]))
    recipients = _recipients(session, record, to_contacts)
    _email(session, staff, record, recipients, attach_pdf, f"quote-again:{at.isoformat()}", at)
    return record


def pdf_attachments(render: PdfMaker) -> delivery.AttachmentMaker:
    """The worker's maker of a quote e-mail's pending PDF: `render` of the quote named by
    the attachment (`<number>.pdf`) for the message's recipient, in their language."""

    def make(session: Session, message: Message, attachment: MessageAttachment) -> bytes:
        if message.kind != "quote_sent" or attachment.content_type != PDF:
            raise ValueError(f"no maker for {attachment.filename} of a {message.kind} message")
        number = attachment.filename.removesuffix(".pdf")
        record = session.scalar(sa.select(QuoteRecord).where(QuoteRecord.number == number))
        if record is None or message.recipient is None:
            raise ValueError(f"quote {number} or the message's recipient is gone")
        return render(record, message.recipient)

    return make


def _quote_email(record: QuoteRecord, contact: User) -> outbox.Draft:
    """The e-mail of a sent quote: number, total, validity and the link to the client's page."""
    frozen = record.frozen
    total = Amount(Decimal(frozen["totals"]["gross_total"]), frozen["currency"])
    until = Day(record.valid_until.date(), short=True)  # the reader's calendar and digits
    return outbox.Draft(
        kind="quote_sent",
        subject=N_("Quote %(number)s for %(account)s", number=record.number,
                   account=record.account.name),
        body=N_(
            "Hello %(name)s,\n\nhere is our quote %(number)s for %(account)s: "
            "%(total)s in total, valid until %(until)s.\n\n"
            "Follow the link to read it, print it, and accept or decline it online.",
            name=contact.name, number=record.number, account=record.account.name,
            total=total, until=until,
        ),
        reason=N_("You are a contact of %(account)s, and our sales team sent you quote %(number)s.",
                  account=record.account.name, number=record.number),
        action_url=f"/account/quotes/{record.id}",
        action_label=N_("Open the quote"),
    )


def _open_older_revisions(session: Session, record: QuoteRecord) -> list[QuoteRecord]:
    """Earlier revisions the client may still answer; refused when one was already accepted."""
    older = records.older_revisions(session, record)
    answered = [r for r in older if r.status in ("accepted", "ordered")]
    if answered:
        raise IllegalTransition(N_(
            "%(older)s was %(status)s by the client, so %(number)s cannot be sent; "
            "cancel this revision", older=answered[-1].number,
            status=STATUS_WORDS[Status(answered[-1].status)], number=record.number))
    return [r for r in older if r.status == "sent"]

@use_case
def cancel(
    session: Session,
    staff: User,
    quote_id: int,
    reason: str,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Withdraw the quote, with a reason."""
    return staff_step(
        session,
        staff,
        quote_id,
        version,
        lambda q, at: lifecycle.cancel(q, reason, by=actor(staff), at=at),
        now=now,
    )


@use_case
def expire_due(session: Session, *, now: datetime | None = None) -> list[str]:
    """Mark every sent quote whose validity has passed as expired; their numbers."""
    now = now or utcnow()
    due = session.scalars(
        sa.select(QuoteRecord).where(QuoteRecord.status == "sent", QuoteRecord.valid_until <= now)
    )
    expired = []
    for record in list(due):
        loaded = LoadedQuote(record, to_domain(session, record))
        run_step(session, None, loaded, lambda q, at: lifecycle.expire_if_due(q, at=at), now=now)
        expired.append(record.number)
    return expired
