"""Approving a quote's discounts: how far each role may discount an account's
quotes alone (sales up to the account's approval threshold, which defaults to
the QUOTE_APPROVAL_THRESHOLD setting), and above it the request to a manager,
who approves or sends the quote back to draft with a reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from configurator.quoting import ApprovalPolicy, lifecycle
from configurator.services.quotes.records import (
    LoadedQuote,
    actor,
    editing,
    require_manager,
    run_step,
)
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.quotes import BusinessAccount, QuoteRecord


def approval_policy(account: BusinessAccount) -> ApprovalPolicy:
    """How far each role may discount this account's quotes alone: sales up to the
    account's threshold, managers without limit (and they approve the rest)."""
    return ApprovalPolicy({"sales": account.approval_threshold, "manager": None})

def needs_approval(loaded: LoadedQuote, user: User) -> bool:
    """Whether the quote's discounts are above what `user` may give alone."""
    return lifecycle.needs_approval(
        loaded.quote, approval_policy(loaded.record.account), actor(user).role
    )

@use_case
def submit(
    session: Session,
    staff: User,
    quote_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Ask a manager to approve the discounts."""
    loaded = editing(session, staff, quote_id, version)
    return run_step(
        session,
        staff,
        loaded,
        lambda q, at: lifecycle.submit_for_approval(q, by=actor(staff), at=at),
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
