"""Service and free-text lines of a draft quote: freight, installation, anything
that is not a configured product, with its own unit price, our unit cost (for
the staff margin) and, when it differs from the quote's, its own VAT rate.

The pricing domain (`quoting.pricing.ServiceLine`) prices them and splits the
tax per rate; here they are added, changed and removed in one unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from configurator.quoting import Quote
from configurator.services.quotes.records import actor, staff_step
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.quotes import QuoteRecord


@dataclass(frozen=True)
class ServiceInput:
    """What staff typed for a service line. `tax_rate` None: the quote's own VAT rate."""

    description: str
    quantity: int
    unit_price: Decimal
    unit_cost: Decimal = Decimal(0)
    tax_rate: Decimal | None = None


@use_case
def add_service(
    session: Session,
    staff: User,
    quote_id: int,
    service: ServiceInput,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Add a service or free-text line to a draft (an approval is withdrawn: prices changed)."""

    def step(quote: Quote, at: datetime) -> None:
        quote.add_service(service.description, service.quantity, service.unit_price,
                          by=actor(staff), at=at, unit_cost=service.unit_cost,
                          tax_rate=service.tax_rate)

    return staff_step(session, staff, quote_id, version, step, now=now)


@use_case
def change_service(
    session: Session,
    staff: User,
    quote_id: int,
    line_id: str,
    service: ServiceInput,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Replace a service line's description, quantity, price, cost and VAT rate."""

    def step(quote: Quote, at: datetime) -> None:
        quote.change_service(line_id, by=actor(staff), at=at, description=service.description,
                             quantity=service.quantity, unit_price=service.unit_price,
                             unit_cost=service.unit_cost, tax_rate=service.tax_rate)

    return staff_step(session, staff, quote_id, version, step, now=now)


@use_case
def remove_service(
    session: Session,
    staff: User,
    quote_id: int,
    line_id: str,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Remove a service line from a draft."""
    return staff_step(
        session,
        staff,
        quote_id,
        version,
        lambda q, at: q.remove_service(line_id, by=actor(staff), at=at),
        now=now,
    )
