"""`gen_*` factories for the quote service and web tests: staff of each role, a
business account with a contact, its price list and our quantity breaks."""

from __future__ import annotations

from decimal import Decimal

from configurator.services import business
from configurator.store.quotes import BusinessAccount
from tests.helpers import gen_user

# The test bike (tests/data/bike.yaml), complete: 120 + 30 + 10 + 25 + 0 = 185.00 per unit.
BIKE = {
    "frame": "alu",
    "brakes": "rim",
    "packaging": "box",
    "delivery": "courier",
    "billing": "prepay",
}
CARBON = dict(BIKE, frame="carbon", brakes="disc_hydraulic")  # 640 + 150 + 35 = 825.00


def gen_staff(session, role: str = "staff", email: str | None = None):
    """A seller-side user of `role` (staff, manager or admin)."""
    return gen_user(session, email or f"{role}-{id(session)}@shop.example", role=role,
                    name=f"{role.title()} Person")


def gen_account(
    session,
    name: str = "ACME GmbH",
    country: str = "DE",
    *,
    percent_off: str | None = "10",
    carbon_price: str | None = None,
    contact_email: str | None = None,
) -> tuple[BusinessAccount, object]:
    """An account with one decision-maker contact and, unless None, 10 % off the test bike."""
    account = business.accounts.create_account(session, name, country, terms="Payment in 30 days.")
    contact = gen_user(session, contact_email, segment="business", name=f"{name} buyer")
    business.accounts.add_contact(session, account, contact, "decision_maker")
    if percent_off is not None:
        business.terms.set_percent_off(session, account, "test-bike", Decimal(percent_off))
    if carbon_price is not None:
        business.terms.set_option_price(session, account, "test-bike", "frame", "carbon",
                                  Decimal(carbon_price))
    session.commit()
    return account, contact


def gen_breaks(session, *tiers: tuple[int, str], catalog_id: str = "test-bike") -> None:
    """Our quantity breaks of the test bike: (minimum quantity, percent off)."""
    business.terms.set_quantity_breaks(session, catalog_id, [(m, Decimal(p)) for m, p in tiers])
    session.commit()
