"""Merge two customers who are one person, with a preview, an audit entry and an undo.

The merged customer's configurations, address book, orders, timeline,
messages and API tokens move to the kept customer, and their business-account contact link
when the kept customer has none (which brings that account's quotes along).
Both are then valued again. The merge records the id of every moved row: an
undo moves exactly those rows back. The merged account stays (undo needs it)
but cannot be signed in to while the merge stands.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import timeline
from configurator.services.customer_value import valuation
from configurator.services.customer_value.tiers import TierConfigError
from configurator.services.errors import NotFound, ServiceError
from configurator.services.identify.duplicates import active_customer
from configurator.services.unit_of_work import use_case
from configurator.store.identity import CustomerMerge
from configurator.store.messages import Message
from configurator.store.models import Address, Configuration, Interaction, Order, User
from configurator.store.offers import OfferEvent
from configurator.store.quotes import AccountContact, QuoteRecord
from configurator.store.tokens import ApiToken
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue

log = logging.getLogger(__name__)
# What moves, by name: the model and the column naming its customer.
MOVES = {
    "configurations": (Configuration, Configuration.owner_id),
    "addresses": (Address, Address.owner_id),
    "orders": (Order, Order.owner_id),
    "timeline": (Interaction, Interaction.customer_id),
    "messages": (Message, Message.recipient_id),
    "api_tokens": (ApiToken, ApiToken.user_id),
    "offer_events": (OfferEvent, OfferEvent.customer_id),
}


class MergeRefused(ServiceError):
    """These two cannot be merged (the same record, staff, erased, already merged, undone)."""


@dataclass(frozen=True)
class MergePreview:
    """What a merge would move to the kept customer, shown to staff before they confirm."""

    kept: User
    merged: User
    configurations: list[str]
    orders: list[str]
    addresses: int
    timeline_events: int
    messages: int
    api_tokens: int
    account: str | None  # the business account whose contact link moves, if any
    quotes: list[str]
    revenue_kept: Decimal
    revenue_merged: Decimal
    offer_events: int = 0  # shown, clicked, accepted... of offer campaigns
    # The currency each revenue is in (each customer is valued in the one they buy in).
    currency_kept: str = "EUR"
    currency_merged: str = "EUR"


def preview(session: Session, staff: User, kept_id: int, merged_id: int) -> MergePreview:
    """What merging `merged_id` into `kept_id` would move; MergeRefused when it cannot be."""
    kept, merged = _pair(session, staff, kept_id, merged_id)
    contact = _contact_to_move(session, kept, merged)
    return MergePreview(
        kept=kept,
        merged=merged,
        configurations=list(session.scalars(
            sa.select(Configuration.name).where(Configuration.owner_id == merged.id)
            .order_by(Configuration.id))),
        orders=list(session.scalars(
            sa.select(Order.number).where(Order.owner_id == merged.id).order_by(Order.id))),
        addresses=_count(session, "addresses", merged.id),
        timeline_events=_count(session, "timeline", merged.id),
        messages=_count(session, "messages", merged.id),
        api_tokens=_count(session, "api_tokens", merged.id),
        account=contact.account.name if contact else None,
        quotes=list(session.scalars(
            sa.select(QuoteRecord.number).where(QuoteRecord.account_id == contact.account_id)
            .order_by(QuoteRecord.id))) if contact else [],
        revenue_kept=_revenue(session, kept.id),
        revenue_merged=_revenue(session, merged.id),
        currency_kept=_currency(session, kept.id),
        currency_merged=_currency(session, merged.id),
        offer_events=_count(session, "offer_events", merged.id),
    )


@use_case
def merge(
    session: Session, staff: User, kept_id: int, merged_id: int, *, now: datetime | None = None
) -> CustomerMerge:
    """Move everything of `merged_id` to `kept_id` in one transaction; returns the merge."""
    kept, merged = _pair(session, staff, kept_id, merged_id)
    now = now or utcnow()
    moved = {name: _ids(session, name, merged.id) for name in MOVES}
    contact = _contact_to_move(session, kept, merged)
    moved["contact"] = [contact.id] if contact else []
    for name in MOVES:
        _reassign(session, name, moved[name], merged.id, kept.id)
    if contact:
        contact.user_id = kept.id
    record = CustomerMerge(kept_id=kept.id, merged_id=merged.id, staff_id=staff.id,
                           moved=moved, merged_at=now)
    session.add(record)
    session.flush()
    counts = {name: len(ids) for name, ids in moved.items()}
    _audit(session, kept, "merged", N_("Merged with %(name)s <%(email)s>", name=merged.name, email=merged.email), record, staff,
           now, counts)
    _audit(session, merged, "merged_away", N_("Merged into %(name)s <%(email)s>", name=kept.name, email=kept.email), record,
           staff, now, counts)
    _revalue(session, (kept, merged), staff, now)
    return record


@use_case
def undo(session: Session, staff: User, merge_id: int, *, now: datetime | None = None) -> CustomerMerge:
    """Move back exactly the rows the merge moved; the merged account can sign in again."""
    if not staff.is_staff:
        raise NotFound("There is nothing here, or it is not yours to see.")
    record = session.get(CustomerMerge, merge_id)
    if record is None:
        raise NotFound("There is no such merge.")
    if record.undone_at is not None:
        raise MergeRefused("This merge was undone already.")
    now = now or utcnow()
    for name in MOVES:
        _reassign(session, name, record.moved.get(name, []), record.kept_id, record.merged_id)
    for contact in session.scalars(
        sa.select(AccountContact).where(AccountContact.id.in_(record.moved.get("contact", [])))
    ):
        contact.user_id = record.merged_id
    record.undone_at = now
    record.undone_by_id = staff.id
    kept, merged = session.get(User, record.kept_id), session.get(User, record.merged_id)
    for customer, other in ((kept, merged), (merged, kept)):
        _audit(session, customer, "merge_undone", N_("Merge with %(name)s undone", name=other.name), record, staff,
               now)
    _revalue(session, (kept, merged), staff, now, because="merge undone")
    return record


@dataclass(frozen=True)
class MergeEntry:
    """A merge as the staff list shows it."""

    record: CustomerMerge
    kept: User
    merged: User


def recent(session: Session, staff: User, *, limit: int = 20) -> list[MergeEntry]:
    """The newest merges, undone ones included (for staff)."""
    if not staff.is_staff:
        raise NotFound("There is nothing here, or it is not yours to see.")
    records = list(session.scalars(
        sa.select(CustomerMerge).order_by(CustomerMerge.merged_at.desc(), CustomerMerge.id.desc())
        .limit(limit)
    ))
    return [MergeEntry(r, session.get(User, r.kept_id), session.get(User, r.merged_id))
            for r in records]


def _pair(session: Session, staff: User, kept_id: int, merged_id: int) -> tuple[User, User]:
    if not staff.is_staff:
        raise NotFound("There is nothing here, or it is not yours to see.")
    if kept_id == merged_id:
        raise MergeRefused("A customer cannot be merged with themselves.")
    found = {user.id: user for user in session.scalars(
        sa.select(User).where(User.id.in_((kept_id, merged_id)), *active_customer())
    )}
    if len(found) != 2:
        raise MergeRefused(
            "Both must be customers who are not erased and not merged into someone else."
        )
    return found[kept_id], found[merged_id]


def _contact_to_move(session: Session, kept: User, merged: User) -> AccountContact | None:
    """The merged customer's contact link, when the kept one has none (one account per user)."""
    links = {link.user_id: link for link in session.scalars(
        sa.select(AccountContact).where(AccountContact.user_id.in_((kept.id, merged.id)))
    )}
    return links.get(merged.id) if kept.id not in links else None


def _ids(session: Session, name: str, owner_id: int) -> list[int]:
    model, owner = MOVES[name]
    return list(session.scalars(sa.select(model.id).where(owner == owner_id).order_by(model.id)))


def _count(session: Session, name: str, owner_id: int) -> int:
    model, owner = MOVES[name]
    return session.scalar(sa.select(sa.func.count(model.id)).where(owner == owner_id)) or 0


def _reassign(session: Session, name: str, ids: list[int], from_id: int, to_id: int) -> None:
    """Give rows to another customer. A bulk UPDATE: an order's owner is otherwise frozen,
    and a merge is the one case where the same person owns it under another record."""
    if not ids:
        return
    model, owner = MOVES[name]
    session.execute(
        sa.update(model).where(model.id.in_(ids), owner == from_id).values({owner.key: to_id})
        .execution_options(synchronize_session="fetch")
    )


def _revenue(session: Session, customer_id: int) -> Decimal:
    value = session.get(CustomerValue, customer_id)
    return value.revenue if value is not None else Decimal("0.00")


def _currency(session: Session, customer_id: int) -> str:
    """The currency the customer's stored value is in (the tier file's when never valued)."""
    value = session.get(CustomerValue, customer_id)
    if value is not None:
        return value.currency
    try:
        return valuation.load_tier_config().currency
    except TierConfigError:
        return "EUR"


def _audit(session, customer, kind, subject, record, staff, now, counts=None) -> None:
    detail = {"merge_id": record.id, "kept_id": record.kept_id, "merged_id": record.merged_id}
    if counts is not None:
        detail["moved"] = counts
    timeline.record(session, customer.id, kind, subject, detail, channel="staff",
                    actor_id=staff.id, now=now)


def _revalue(session: Session, customers: tuple[User, ...], staff: User, now: datetime,
             because: str = "merge") -> None:
    """Value both again from the orders they own now (a broken tier file never stops a merge).

    Every tier change goes on the timeline: the kept customer may never have been
    valued (a new sign-up), and after an undo the merged one was valued with no
    orders; the first-order rule of `refresh` would hide both."""
    for customer in customers:
        try:
            valuation.refresh(session, customer, now=now, because=because, channel="staff",
                              actor_id=staff.id, announce=True)
        except TierConfigError as error:
            log.warning("customer value not updated after the merge: %s", error)
            return
