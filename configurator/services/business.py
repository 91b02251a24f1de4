"""Business accounts: create them, add contacts, keep their price lists, and
show staff an account's whole history (configurations, quotes, orders,
interactions) across product lines.

The account's pricing terms (tax by country, price list, our quantity breaks)
are read here into the quoting domain's `PricingTerms`; a quote keeps a copy,
so later changes reach it only through an explicit reprice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.config import default_approval_threshold
from configurator.quoting import (
    BreakMode,
    Discount,
    PriceList,
    PricingTerms,
    QuantityBreak,
    QuantityTier,
    TaxTreatment,
    tax_rule_for,
)
from configurator.services.errors import NotFound, ServiceError
from configurator.services.unit_of_work import use_case
from configurator.store.models import Configuration, Interaction, Order, User
from configurator.store.quotes import (
    CONTACT_ROLES,
    AccountContact,
    AccountEvent,
    BusinessAccount,
    PriceListEntry,
    QuantityBreakTier,
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


@use_case
def set_percent_off(
    session: Session, account: BusinessAccount, catalog_id: str, percent: Decimal
) -> PriceListEntry:
    """The account's percentage off a whole product line (replaces an earlier one)."""
    Discount.percent_off(percent)  # 0..100, exact: the domain refuses anything else
    entry = session.scalar(
        sa.select(PriceListEntry).where(
            PriceListEntry.account_id == account.id,
            PriceListEntry.catalog_id == catalog_id,
            PriceListEntry.option.is_(None),
        )
    )
    if entry is None:
        entry = PriceListEntry(account_id=account.id, catalog_id=catalog_id)
        session.add(entry)
    entry.percent_off = Decimal(percent)
    session.flush()
    return entry


@use_case
def set_option_price(
    session: Session,
    account: BusinessAccount,
    catalog_id: str,
    feature: str,
    option: str,
    price: Decimal,
) -> PriceListEntry:
    """A fixed unit price for one option of a product line for this account."""
    if not isinstance(price, Decimal) or price < 0:
        raise InvalidAccountData("An option price is a Decimal amount of at least 0.")
    entry = session.scalar(
        sa.select(PriceListEntry).where(
            PriceListEntry.account_id == account.id,
            PriceListEntry.catalog_id == catalog_id,
            PriceListEntry.feature == feature,
            PriceListEntry.option == option,
        )
    )
    if entry is None:
        entry = PriceListEntry(
            account_id=account.id, catalog_id=catalog_id, feature=feature, option=option
        )
        session.add(entry)
    entry.price = price
    session.flush()
    return entry


@use_case
def set_quantity_breaks(
    session: Session,
    catalog_id: str,
    tiers: list[tuple[int, Decimal]],
    mode: str = "range",
    *,
    account_id: int | None = None,
) -> list[QuantityBreakTier]:
    """Quantity breaks of a product line, (minimum, percent off): ours for every account,
    or with `account_id` that account's own, which replace ours for this product line."""
    QuantityBreak(
        catalog_id,
        BreakMode(mode),
        tuple(QuantityTier(minimum, Discount.percent_off(pct)) for minimum, pct in tiers),
    )  # validated by the domain: ascending distinct minimums from 1
    clear_quantity_breaks(session, catalog_id, account_id=account_id)
    rows = [
        QuantityBreakTier(
            account_id=account_id, catalog_id=catalog_id, min_quantity=m, percent_off=p, mode=mode
        )
        for m, p in tiers
    ]
    session.add_all(rows)
    session.flush()
    return rows


@use_case
def clear_quantity_breaks(session: Session, catalog_id: str, *, account_id: int | None = None
                          ) -> None:
    """Remove our breaks of a product line, or (with `account_id`) the account's own."""
    owner = (
        QuantityBreakTier.account_id.is_(None)
        if account_id is None
        else QuantityBreakTier.account_id == account_id
    )
    session.execute(
        sa.delete(QuantityBreakTier).where(QuantityBreakTier.catalog_id == catalog_id, owner)
    )


def pricing_terms(session: Session, account: BusinessAccount) -> PricingTerms:
    """The account's terms today: tax by its country, its price list, and the quantity
    breaks (its own for a product line where it has some, else ours)."""
    entries = list(
        session.scalars(sa.select(PriceListEntry).where(PriceListEntry.account_id == account.id))
    )
    percent_off = {e.catalog_id: e.percent_off for e in entries if e.percent_off is not None}
    option_prices = {
        (e.catalog_id, e.feature, e.option): e.price
        for e in entries
        if e.price is not None and e.feature and e.option
    }
    price_list = None
    if entries:
        price_list = PriceList(account.price_list_name or account.name, percent_off, option_prices)
    ours: dict[str, list[QuantityBreakTier]] = {}
    own: dict[str, list[QuantityBreakTier]] = {}
    for tier in session.scalars(
        sa.select(QuantityBreakTier)
        .where(sa.or_(QuantityBreakTier.account_id.is_(None),
                      QuantityBreakTier.account_id == account.id))
        .order_by(QuantityBreakTier.catalog_id, QuantityBreakTier.min_quantity)
    ):
        (ours if tier.account_id is None else own).setdefault(tier.catalog_id, []).append(tier)
    tiers = {**ours, **own}  # the account's own tiers of a product line replace ours
    breaks = tuple(
        QuantityBreak(
            catalog_id,
            BreakMode(rows[0].mode),
            tuple(QuantityTier(r.min_quantity, Discount.percent_off(r.percent_off)) for r in rows),
        )
        for catalog_id, rows in tiers.items()
    )
    tax = tax_rule_for(account.country, TaxTreatment(account.tax_treatment))
    return PricingTerms(account.currency, tax, price_list, breaks)


def customer_facts(account: BusinessAccount) -> dict[str, str]:
    """The engine's `customer.*` facts for configuring on behalf of the account.

    Contacts share the account's tier (services/value.py), so any contact's tier
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


def describe_terms(terms: PricingTerms) -> dict[str, Any]:
    """The terms as JSON-safe text, for keeping on a quote (see `terms_from_json`)."""
    price_list = terms.price_list
    return {
        "currency": terms.currency,
        "tax": {
            "country": terms.tax.country,
            "rate": str(terms.tax.rate),
            "treatment": terms.tax.treatment.value,
        },
        "price_list": None
        if price_list is None
        else {
            "name": price_list.name,
            "percent_off": {k: str(v) for k, v in price_list.percent_off.items()},
            "option_prices": [[c, f, o, str(p)] for (c, f, o), p in price_list.option_prices.items()],
        },
        "quantity_breaks": [
            {
                "product_line": b.product_line,
                "mode": b.mode.value,
                "tiers": [[t.min_quantity, str(t.discount.percent)] for t in b.tiers],
            }
            for b in terms.quantity_breaks
        ],
    }


def terms_from_json(data: dict[str, Any]) -> PricingTerms:
    """The `PricingTerms` kept on a quote by `describe_terms`."""
    from configurator.quoting import TaxRule

    tax = data["tax"]
    price_list = None
    if data.get("price_list"):
        kept = data["price_list"]
        price_list = PriceList(
            kept["name"],
            {k: Decimal(v) for k, v in kept["percent_off"].items()},
            {(c, f, o): Decimal(p) for c, f, o, p in kept["option_prices"]},
        )
    breaks = tuple(
        QuantityBreak(
            b["product_line"],
            BreakMode(b["mode"]),
            tuple(QuantityTier(int(m), Discount.percent_off(Decimal(p))) for m, p in b["tiers"]),
        )
        for b in data.get("quantity_breaks", [])
    )
    return PricingTerms(
        data["currency"],
        TaxRule(tax["country"], Decimal(tax["rate"]), TaxTreatment(tax["treatment"])),
        price_list,
        breaks,
    )


# ------------------------------------------------------------------ demo data


def seed_demo(session: Session, data: dict[str, Any], *, now: datetime | None = None
              ) -> list[tuple[str, str, str]]:
    """The demo accounts of `seed/business.yaml` (see `business_demo.seed_demo`)."""
    from configurator.services import business_demo  # it builds on this module

    return business_demo.seed_demo(session, data, now=now)
