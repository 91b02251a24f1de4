"""Approving a quote's discounts and margin: how far each role may go alone, and
above it the request, approved in steps or sent back to draft with a reason.

Sales may discount an account's quotes up to the account's approval threshold
(which defaults to the QUOTE_APPROVAL_THRESHOLD setting) and send them down to
a margin of QUOTE_SALES_MARGIN_FLOOR. Beyond that a manager approves, up to
QUOTE_MANAGER_DISCOUNT_LIMIT and down to QUOTE_MANAGER_MARGIN_FLOOR; beyond
those the manager approves first and then a director (`config.approval_limits`).
The margin is the staff margin of `margins` (the options' catalog costs and the
service lines' costs); a quote without costs is judged on its discount alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.config import approval_limits
from configurator.quoting import ApprovalPolicy, NotAllowedToApprove, lifecycle
from configurator.services.quotes.margins import quote_percent
from configurator.services.quotes.records import (
    LoadedQuote,
    actor,
    editing,
    load,
    require_approver,
    require_staff,
    run_step,
    staff_step,
)
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.quotes import AccountEvent, BusinessAccount, QuoteRecord


def approval_policy(account: BusinessAccount) -> ApprovalPolicy:
    """How far each role may go on this account's quotes alone: sales up to the account's
    threshold and the sales margin floor; a manager up to the manager's limits; a director
    without limit, after the manager (see the module's docstring)."""
    limits = approval_limits()
    return ApprovalPolicy(
        {"sales": account.approval_threshold, "manager": limits.manager_discount,
         "director": None},
        {"sales": limits.sales_margin_floor, "manager": limits.manager_margin_floor},
        steps=("manager", "director"),
    )


def margin_percent(loaded: LoadedQuote, viewer: User) -> Decimal | None:
    """The quote's margin as approval judges it (None without costs)."""
    return quote_percent(viewer, loaded)


def needs_approval(loaded: LoadedQuote, user: User) -> bool:
    """Whether the quote's discounts or margin are beyond what `user` may give alone."""
    return lifecycle.needs_approval(
        loaded.quote, approval_policy(loaded.record.account), actor(user).role,
        margin_percent(loaded, user),
    )


@dataclass(frozen=True)
class PendingApproval:
    """A quote waiting for approval, with what the approver decides on."""

    record: QuoteRecord
    requested_by: str
    requested_at: datetime | None
    reason: str
    discount_percent: Decimal  # the effective discount judged (see QuotePricing)
    net_total: Decimal
    currency: str
    margin_percent: Decimal | None  # None: no costs to judge it on
    steps: tuple[str, ...]  # the approvals needed, in order (manager, then director)
    approved_by: tuple[str, ...]  # names of those who approved the steps so far

    @property
    def waiting_for(self) -> str:
        """The role whose approval is next."""
        return self.steps[min(len(self.approved_by), len(self.steps) - 1)] if self.steps else ""


def pending(session: Session, approver: User) -> list[PendingApproval]:
    """Quotes waiting for approval, oldest request first, each with its requester, reason,
    discount, margin, value and the steps it needs."""
    require_approver(approver)
    found = [_pending(session, approver, record) for record in session.scalars(
        sa.select(QuoteRecord).where(QuoteRecord.status == "pending_approval"))]
    return sorted(found, key=lambda p: p.requested_at or p.record.created_at)


def request_of(session: Session, viewer: User, record: QuoteRecord) -> PendingApproval:
    """The approval request of a quote waiting for approval, as staff see it on its page."""
    require_staff(viewer)
    return _pending(session, viewer, record)


def _pending(session: Session, approver: User, record: QuoteRecord) -> PendingApproval:
    request = session.scalar(
        sa.select(AccountEvent)
        .where(AccountEvent.quote_id == record.id,
               AccountEvent.action == "submitted for approval")
        .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc())
        .limit(1)
    )
    loaded = load(session, approver, record.id)
    priced = loaded.quote.price()
    margin = margin_percent(loaded, approver)
    try:
        steps = approval_policy(record.account).required_steps(
            priced.max_discount_percent, margin)
    except NotAllowedToApprove:  # beyond everyone: the director is the last to ask
        steps = ("manager", "director")
    names = {str(user.id): user.name for user in session.scalars(
        sa.select(User).where(User.id.in_(
            [int(step.by) for step in loaded.quote.approval_steps if step.by.isdigit()])))}
    return PendingApproval(
        record,
        request.actor.name if request is not None and request.actor else "",
        request.created_at if request is not None else None,
        request.detail if request is not None else "",
        priced.max_discount_percent.quantize(Decimal("0.01")),
        priced.totals.net_total,
        priced.totals.currency,
        None if margin is None else margin.quantize(Decimal("0.1")),
        steps,
        tuple(names.get(step.by, step.by) for step in loaded.quote.approval_steps),
    )


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
    return staff_step(
        session,
        staff,
        quote_id,
        version,
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
    """A manager or director approves the discounts and margin as they are, or the next
    step of a multi-step approval (NotAllowedToApprove otherwise)."""
    loaded = editing(session, manager, quote_id, version)
    require_approver(manager)
    margin = margin_percent(loaded, manager)
    return run_step(
        session,
        manager,
        loaded,
        lambda q, at: lifecycle.approve(
            q, approval_policy(loaded.record.account), by=actor(manager), at=at, margin=margin
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
    """A manager or director sends the quote back to draft with a reason."""
    loaded = editing(session, manager, quote_id, version)
    require_approver(manager)
    return run_step(
        session,
        manager,
        loaded,
        lambda q, at: lifecycle.reject_approval(q, reason, by=actor(manager), at=at),
        now=now,
    )
