"""The demo business accounts of `seed/business.yaml`: accounts with contacts,
price lists, our quantity breaks and a few quotes in different states, made
once each (by name) so seeding again changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services import catalogs, users
from configurator.services.business.accounts import add_contact, create_account, customer_facts
from configurator.services.business.terms import (
    set_option_price,
    set_percent_off,
    set_quantity_breaks,
)
from configurator.services.quotes import answers, drafts, lines, sending
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.quotes import BusinessAccount
from configurator.store.types import utcnow


@use_case
def seed_demo(session: Session, data: dict[str, Any], *, now: datetime | None = None
              ) -> list[tuple[str, str, str]]:
    """Create the demo accounts of `seed/business.yaml` once each (by name), with
    contacts, price lists, our quantity breaks and a few quotes in different states.

    Returns the logins of contacts created here (role, email, password).
    """
    now = now or utcnow()
    for catalog_id, tiers in (data.get("quantity_breaks") or {}).items():
        set_quantity_breaks(session, catalog_id, [(int(m), Decimal(p)) for m, p in tiers])
    logins: list[tuple[str, str, str]] = []
    for spec in data.get("accounts") or []:
        for person in spec.get("contacts", []):
            if person.get("password"):
                logins.append(("contact", person["email"], person["password"]))
        if session.scalar(sa.select(BusinessAccount.id).where(
                BusinessAccount.name == spec["name"])) is not None:
            continue
        account = create_account(
            session, spec["name"], spec["country"],
            currency=spec.get("currency", "EUR"),
            tax_treatment=spec.get("tax_treatment", "standard"), vat_id=spec.get("vat_id", ""),
            terms=spec.get("terms", ""), validity_days=int(spec.get("validity_days", 30)),
            price_list_name=(spec.get("price_list") or {}).get("name", ""),
        )
        for person in spec.get("contacts", []):
            user = session.scalar(sa.select(User).where(User.email == person["email"]))
            if user is None:
                user = users.sign_up(session, person["email"], person["password"],
                                        person["name"], segment="business",
                                        country=spec["country"].lower())
                user.email_verified_at = now  # a known contact's address, as if confirmed
                if person.get("locale"):  # the pages, quotes and e-mails in their language
                    users.set_locale(session, user.id, person["locale"])
            add_contact(session, account, user, person["role"])
        prices = spec.get("price_list") or {}
        for catalog_id, percent in (prices.get("percent_off") or {}).items():
            set_percent_off(session, account, catalog_id, Decimal(str(percent)))
        for entry in prices.get("option_prices") or []:
            set_option_price(session, account, entry["catalog"], entry["feature"],
                             entry["option"], Decimal(str(entry["price"])))
        for number, quote in enumerate(spec.get("quotes") or []):
            _seed_quote(session, account, quote, now - timedelta(days=10 - number))
    return logins


def _seed_quote(session: Session, account: BusinessAccount, spec: dict[str, Any],
                at: datetime) -> None:
    """One demo quote brought to `spec["status"]` by the demo sales person and a contact."""
    sales = session.scalar(sa.select(User).where(User.role == "staff").order_by(User.id))
    contact = account.contacts[0].user if account.contacts else None
    if sales is None or contact is None:
        return
    record = drafts.create(session, sales, account.id, now=at)
    for catalog_id, quantity in spec["lines"]:
        version = catalogs.current(session, catalog_id)
        catalog = catalogs.engine_catalog(version)
        done = catalog.complete({}, customer=customer_facts(account))
        if done.consistent:
            lines.add_line(session, sales, record.id, catalog_id, dict(done.selections),
                            int(quantity), now=at)
    status = spec.get("status", "draft")
    if status == "draft" or not record.lines:
        return
    sending.send(session, sales, record.id, now=at)
    if status == "accepted":
        answers.accept(session, contact, record.id, now=at + timedelta(days=1))
    elif status == "declined":
        answers.decline(session, contact, record.id, "Went with a cheaper offer",
                       now=at + timedelta(days=1))


