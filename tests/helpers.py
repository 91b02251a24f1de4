"""`gen_*` factories: make the records a test needs in one line."""

from __future__ import annotations

import itertools
from typing import Any

from configurator.services import orders, users
from configurator.services.configuring import configurations
from configurator.store.models import Configuration, Order, User

COMPLETE_BIKE = {
    "frame": "alu",
    "brakes": "rim",
    "packaging": "box",
    "delivery": "courier",
    "billing": "prepay",
}
STEEL_BIKE = dict(COMPLETE_BIKE, frame="steel")
CARBON_BIKE = dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic")
PASSWORD = "password123"
_numbers = itertools.count(1)


def gen_user(
    session,
    email: str | None = None,
    *,
    segment: str = "consumer",
    role: str = "customer",
    country: str | None = "de",
    tier: str | None = None,
    name: str | None = None,
) -> User:
    """A customer (or staff member) with the password `password123`."""
    n = next(_numbers)
    return users.sign_up(
        session,
        email or f"customer{n}@example.com",
        PASSWORD,
        name or f"Customer {n}",
        segment=segment,
        role=role,
        country=country,
        tier=tier,
        password_method="pbkdf2:sha256:1000",
    )


def gen_configuration(
    session,
    owner: User,
    selection: dict[str, Any] | None = None,
    *,
    name: str = "My bike",
    catalog_id: str = "test-bike",
) -> Configuration:
    """A saved configuration (revision 1) of the test bike."""
    return configurations.create(session, owner, catalog_id, name, dict(selection or COMPLETE_BIKE))


def gen_order(session, owner: User, selection: dict[str, Any] | None = None) -> Order:
    """An order placed from a new configuration."""
    configuration = gen_configuration(session, owner, selection)
    return orders.place(session, owner, configuration.id)
