"""Sending a quote: from then on the client's contacts see it and the revision
is frozen as sent; withdrawing it with a reason; and expiring the sent quotes
whose validity has passed (`configurator expire-quotes`, a daily job).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting import IllegalTransition, Quote, lifecycle
from configurator.services import timeline
from configurator.services.business import accounts
from configurator.services.quotes import records
from configurator.services.quotes.approvals import approval_policy
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
from configurator.store.quotes import QuoteRecord
from configurator.store.types import utcnow


@use_case
def send(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Send the quote to the client: from now on this revision is frozen.

    An earlier revision still open to the client is superseded now, not when
    this one was started; one the client accepted meanwhile stops the send.
    """
    loaded = editing(session, staff, quote_id, version)
    require_fit(session, loaded.record)  # never offer what the catalog no longer makes
    open_before = _open_older_revisions(session, loaded.record)

    def step(quote: Quote, at: datetime) -> None:
        lifecycle.send(quote, approval_policy(loaded.record.account), by=actor(staff), at=at)
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
    for older in open_before:
        run_step(
            session,
            staff,
            LoadedQuote(older, to_domain(session, older)),
            lambda q, at: lifecycle.supersede(q, loaded.quote.number, by=actor(staff), at=at),
            now=now,
        )
    return record


def _open_older_revisions(session: Session, record: QuoteRecord) -> list[QuoteRecord]:
    """Earlier revisions the client may still answer; refused when one was already accepted."""
    older = records.older_revisions(session, record)
    answered = [r for r in older if r.status in ("accepted", "ordered")]
    if answered:
        raise IllegalTransition(
            f"{answered[-1].number} was {answered[-1].status} by the client, so {record.number} "
            "cannot be sent; cancel this revision"
        )
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
