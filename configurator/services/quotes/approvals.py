"""Approving a quote's discounts: how far each role may discount an account's
quotes alone (sales up to the account's approval threshold, which defaults to
the QUOTE_APPROVAL_THRESHOLD setting), and above it the request to a manager,
who approves or sends the quote back to draft with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting import ApprovalPolicy, lifecycle
from configurator.services.quotes.records import (
    LoadedQuote,
    actor,
    editing,
    load,
    require_manager,
    run_step,
)
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.quotes import AccountEvent, BusinessAccount, QuoteRecord


def approval_policy(account: BusinessAccount) -> ApprovalPolicy:
    """How far each role may discount this account's quotes alone: sales up to the
    account's threshold, managers without limit (and they approve the rest)."""
    return ApprovalPolicy({"sales": account.approval_threshold, "manager": None})

def needs_approval(loaded: LoadedQuote, user: User) -> bool:
    """Whether the quote's discounts are above what `user` may give alone."""
    return lifecycle.needs_approval(
        loaded.quote, approval_policy(loaded.record.account), actor(user).role
    )

@dataclass(frozen=True)
class PendingApproval:
    """A quote waiting for a manager, with what the manager decides on."""

    record: QuoteRecord
    requested_by: str
    requested_at: datetime | None
    reason: str
    discount_percent: Decimal  # the effective discount judged (see QuotePricing)
    net_total: Decimal
    currency: str


def pending(session: Session, manager: User) -> list[PendingApproval]:
    """Quotes waiting for approval, oldest request first, each with its requester, reason,
    discount and value."""
    require_manager(manager)
    found = []
    for record in session.scalars(
        sa.select(QuoteRecord).where(QuoteRecord.status == "pending_approval")
    ):
        request = session.scalar(
            sa.select(AccountEvent)
            .where(AccountEvent.quote_id == record.id,
                   AccountEvent.action == "submitted for approval")
            .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc())
            .limit(1)
        )
        priced = load(session, manager, record.id).quote.price()
        found.append(PendingApproval(
            record,
            request.actor.name if request is not None and request.actor else "",
            request.created_at if request is not None else None,
            request.detail if request is not None else "",
            priced.max_discount_percent.quantize(Decimal("0.01")),
            priced.totals.net_total,
            priced.totals.currency,
        ))
    return sorted(found, key=lambda p: p.requested_at or p.record.created_at)


@use_case
def submit(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    reason: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Ask a manager to approve the discounts, with the reason the manager reads."""
    loaded = editing(session, staff, quote_id, version)
    return run_step(
        session,
        staff,
        loaded,
        lambda q, at: lifecycle.submit_for_approval(q, by=actor(staff), at=at, reason=reason),
        now=now,
    )

@use_case
def approve(
    session: Session,
    manager: User,
    quote_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """A manager approves the discounts as they are (NotAllowedToApprove otherwise)."""
    loaded = editing(session, manager, quote_id, version)
    require_manager(manager)
    return run_step(
        session,
        manager,
        loaded,
        lambda q, at: lifecycle.approve(
            q, approval_policy(loaded.record.account), by=actor(manager), at=at
        ),
        now=now,
    )

@use_case
def reject(
    session: Session,
    manager: User,
    quote_id: int,
    reason: str,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """A manager sends the quote back to draft with a reason."""
    loaded = editing(session, manager, quote_id, version)
    require_manager(manager)
    return run_step(
        session,
        manager,
        loaded,
        lambda q, at: lifecycle.reject_approval(q, reason, by=actor(manager), at=at),
        now=now,
    )
