"""Business accounts: open one, make customer users its contacts, find the
account a contact speaks for, and show staff an account's whole history
(configurations, quotes, orders, interactions) across product lines.

Managers' checked and recorded changes are in `admin`; the account's pricing
terms (price list, quantity breaks, tax) in `terms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.config import default_approval_threshold
from configurator.quoting import TaxTreatment, tax_rule_for
from configurator.services.errors import NotFound, ServiceError
from configurator.services.unit_of_work import use_case
from configurator.store.models import Configuration, Interaction, Order, User
from configurator.store.quotes import (
    CONTACT_ROLES,
    AccountContact,
    AccountEvent,
    BusinessAccount,
    QuoteRecord,
)
from configurator.store.types import utcnow


class InvalidAccountData(ServiceError, ValueError):
    """An account, contact or price list entry that cannot be stored as given."""

@dataclass(frozen=True)
class AccountHistory:
    """Everything staff see on an account's page."""

    account: BusinessAccount
    contacts: list[AccountContact]
    configurations: list[Configuration]
    quotes: list[QuoteRecord]
    orders: list[Order]
    events: list[AccountEvent]
    interactions: list[Interaction]

@use_case
def create_account(
    session: Session,
    name: str,
    country: str,
    *,
    currency: str = "EUR",
    tax_treatment: str = "standard",
    vat_id: str = "",
    terms: str = "",
    validity_days: int = 30,
    price_list_name: str = "",
    approval_threshold: Decimal | None = None,
) -> BusinessAccount:
    """A new business account; InvalidAccountData for a country without a tax rate.

    Sales may discount its quotes up to `approval_threshold` percent alone; by
    default the QUOTE_APPROVAL_THRESHOLD setting (10 unless configured).
    """
    country = country.strip().upper()
    try:
        tax_rule_for(country, TaxTreatment(tax_treatment))
    except Exception as error:  # unknown country or treatment: say which
        raise InvalidAccountData(str(error)) from error
    account = BusinessAccount(
        name=" ".join(name.split()),
        country=country,
        currency=currency.upper(),
        tax_treatment=tax_treatment,
        vat_id=vat_id,
        terms=terms,
        validity_days=validity_days,
        price_list_name=price_list_name or f"{name} prices",
        approval_threshold=(
            default_approval_threshold() if approval_threshold is None else approval_threshold
        ),
    )
    session.add(account)
    session.flush()
    return account

@use_case
def add_contact(
    session: Session, account: BusinessAccount, user: User, contact_role: str
) -> AccountContact:
    """Make a customer user a contact of the account (a user speaks for one account)."""
    if contact_role not in CONTACT_ROLES:
        raise InvalidAccountData(
            f"A contact is one of {', '.join(CONTACT_ROLES)}, not {contact_role!r}."
        )
    if user.is_staff:
        raise InvalidAccountData("Staff members cannot be contacts of a client account.")
    existing = session.scalar(sa.select(AccountContact).where(AccountContact.user_id == user.id))
    if existing is not None:
        if existing.account_id != account.id:
            raise InvalidAccountData(f"{user.email} is already a contact of another account.")
        existing.contact_role = contact_role
        return existing
    contact = AccountContact(account_id=account.id, user_id=user.id, contact_role=contact_role)
    session.add(contact)
    session.flush()
    return contact

def customer_facts(account: BusinessAccount) -> dict[str, str]:
    """The engine's `customer.*` facts for configuring on behalf of the account.

    Contacts share the account's tier (customer_value/valuation.py), so any contact's tier
    is the account's; tier-gated options then show in quotes as in the shop.
    """
    facts = {"segment": "business", "country": account.country.lower(), "business": "yes"}
    tiers = sorted({contact.user.tier for contact in account.contacts if contact.user.tier})
    if tiers:
        facts["tier"] = tiers[0]
    return facts

def get_account(session: Session, viewer: User, account_id: int) -> BusinessAccount:
    """An account for staff, or for its own contacts; NotFound for anyone else."""
    account = session.get(BusinessAccount, account_id)
    if account is None or not (viewer.is_staff or account_of(session, viewer) == account):
        raise NotFound("There is no such account.")
    return account

def account_of(session: Session, user: User) -> BusinessAccount | None:
    """The account a customer user speaks for, or None."""
    return session.scalar(
        sa.select(BusinessAccount)
        .join(AccountContact, AccountContact.account_id == BusinessAccount.id)
        .where(AccountContact.user_id == user.id)
    )

def contact_role(session: Session, user: User) -> str | None:
    """The role (decision maker, buyer, finance, technical) a user has for their account."""
    return session.scalar(
        sa.select(AccountContact.contact_role).where(AccountContact.user_id == user.id)
    )

def list_accounts(session: Session, viewer: User) -> list[BusinessAccount]:
    """Every account, by name (staff only)."""
    _require_staff(viewer)
    return list(session.scalars(sa.select(BusinessAccount).order_by(BusinessAccount.name)))

def contact_user_ids(session: Session, account: BusinessAccount) -> list[int]:
    """The user ids of the account's contacts."""
    return list(
        session.scalars(
            sa.select(AccountContact.user_id).where(AccountContact.account_id == account.id)
        )
    )

def past_configurations(session: Session, account: BusinessAccount) -> list[Configuration]:
    """The configurations of all the account's contacts, newest first."""
    ids = contact_user_ids(session, account)
    if not ids:
        return []
    return list(
        session.scalars(
            sa.select(Configuration)
            .where(Configuration.owner_id.in_(ids))
            .order_by(Configuration.updated_at.desc(), Configuration.id.desc())
        )
    )

def history(session: Session, viewer: User, account_id: int, *, limit: int = 50) -> AccountHistory:
    """The account with its contacts and whole history, for staff."""
    _require_staff(viewer)
    account = get_account(session, viewer, account_id)
    ids = contact_user_ids(session, account) or [-1]
    quotes = session.scalars(
        sa.select(QuoteRecord)
        .where(QuoteRecord.account_id == account.id)
        .order_by(QuoteRecord.created_at.desc(), QuoteRecord.id.desc())
        .limit(limit)
    )
    orders = session.scalars(
        sa.select(Order)
        .where(Order.owner_id.in_(ids))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    events = session.scalars(
        sa.select(AccountEvent)
        .where(AccountEvent.account_id == account.id)
        .order_by(AccountEvent.created_at.desc(), AccountEvent.id.desc())
        .limit(limit)
    )
    interactions = session.scalars(
        sa.select(Interaction)
        .where(Interaction.customer_id.in_(ids))
        .order_by(Interaction.created_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return AccountHistory(
        account,
        list(account.contacts),
        past_configurations(session, account)[:limit],
        list(quotes),
        list(orders),
        list(events),
        list(interactions),
    )

def record_event(
    session: Session,
    account_id: int,
    action: str,
    subject: str,
    *,
    actor: User | None = None,
    quote_id: int | None = None,
    detail: str = "",
    channel: str | None = None,
    at: datetime | None = None,
) -> AccountEvent:
    """Put one entry on the account's timeline, within the caller's use case."""
    if channel is None:
        channel = "system" if actor is None else ("staff" if actor.is_staff else "web")
    event = AccountEvent(
        account_id=account_id,
        quote_id=quote_id,
        actor_id=actor.id if actor else None,
        channel=channel,
        action=action[:40],
        subject=subject[:200],
        detail=detail[:500],
        created_at=at or utcnow(),
    )
    session.add(event)
    return event

def _require_staff(viewer: User) -> None:
    if not viewer.is_staff:
        raise NotFound("There is no such account.")
