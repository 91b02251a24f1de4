"""Sending a quote: from then on the client's contacts see it and the revision
is frozen as sent; withdrawing it with a reason; and expiring the sent quotes
whose validity has passed (`configurator expire-quotes`, a daily job).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting import IllegalTransition, Quote, lifecycle
from configurator.quoting.model import STATUS_WORDS, Status
from configurator.quoting.phrases import N_, Amount
from configurator.services import timeline
from configurator.services.business import accounts
from configurator.services.messages import outbox
from configurator.services.quotes import records
from configurator.services.quotes.approvals import approval_policy, margin_percent
from configurator.services.quotes.lines import require_fit
from configurator.services.quotes.records import (
    LoadedQuote,
    actor,
    editing,
    frozen_copy,
    run_step,
    to_domain,
)
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.quotes import AccountContact, QuoteRecord
from configurator.store.types import utcnow


@use_case
def send(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    version: int | None = None,
    to_contact: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Send the quote to the client: from now on this revision is frozen.

    An earlier revision still open to the client is superseded now, not when
    this one was started; one the client accepted meanwhile stops the send.
    The quote is also e-mailed, in the same unit of work, to `to_contact` (a
    contact's user id) or by default to the account's decision maker (else its
    buyer, else its first contact), with a tracked link to the client's page.
    """
    loaded = editing(session, staff, quote_id, version)
    require_fit(session, loaded.record)  # never offer what the catalog no longer makes
    open_before = _open_older_revisions(session, loaded.record)
    recipient = _recipient(session, loaded.record, to_contact)
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
                f"Quote {quote.number}",
                {
                    "quote": str(quote.number),
                    "total": loaded.record.frozen["totals"]["gross_total"],
                },
                channel="staff",
                actor_id=staff.id,
                now=at,
            )

    record = run_step(session, staff, loaded, step, now=now)
    if recipient is not None:
        outbox.enqueue(
            session,
            _quote_email(record, recipient),
            recipient=recipient,
            dedupe_key=f"quote-sent:{record.number}:{recipient.id}",
            now=now,
        )
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


def _recipient(session: Session, record: QuoteRecord, to_contact: int | None) -> User | None:
    """Who gets the quote by e-mail: the chosen contact, else the decision maker
    (else the buyer, else the first contact); None for an account without contacts."""
    contacts = list(session.execute(
        sa.select(AccountContact.contact_role, User)
        .join(User, User.id == AccountContact.user_id)
        .where(AccountContact.account_id == record.account_id, User.erased_at.is_(None))
        .order_by(AccountContact.id)
    ))
    if to_contact is not None:
        chosen = [user for _, user in contacts if user.id == to_contact]
        if not chosen:
            raise IllegalTransition(N_("That person is not a contact of this account."))
        return chosen[0]
    if not contacts:
        return None
    return min(contacts, key=lambda row: _PREFERRED.get(row[0], len(_PREFERRED)))[1]


def _quote_email(record: QuoteRecord, contact: User) -> outbox.Draft:
    """The e-mail of a sent quote: number, total, validity and the link to the client's page."""
    frozen = record.frozen
    total = Amount(Decimal(frozen["totals"]["gross_total"]), frozen["currency"])
    until = record.valid_until.date().isoformat()
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
    loaded = editing(session, staff, quote_id, version)
    return run_step(
        session,
        staff,
        loaded,
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
