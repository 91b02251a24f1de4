"""`gen_*` factories for quoting tests: a priced quote in one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from configurator.quoting import (
    Actor,
    Discount,
    OptionPrice,
    PricingTerms,
    Quote,
    QuoteNumber,
    tax_rule_for,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SALES = Actor("s1", "sales", "Sam Sales")
SALES_2 = Actor("s2", "sales", "Sue Sales")
MANAGER = Actor("m1", "manager", "Mia Manager")
CLIENT = Actor("c1", "client", "Carl Client")

# A standing desk: 520.00 + 380.00 + 45.50 = 945.50 per unit.
DESK = (
    OptionPrice("frame", "dual_motor", Decimal("520.00"), "Dual-motor frame"),
    OptionPrice("top", "oak_160", Decimal("380.00"), "Oak top 160 cm"),
    OptionPrice("accessories", "cable_tray", Decimal("45.50"), "Cable tray"),
)


def one_option(price: str, feature: str = "model", option: str = "basic") -> tuple[OptionPrice, ...]:
    """A configuration of a single option at `price` per unit."""
    return (OptionPrice(feature, option, Decimal(price)),)


def gen_terms(country: str = "DE", currency: str = "EUR", **kwargs) -> PricingTerms:
    """Terms with the country's standard tax and no price list or breaks unless given."""
    return PricingTerms(currency, tax_rule_for(country), **kwargs)


def gen_quote(*lines: tuple[str, int], discount: Discount | None = None,
              terms: PricingTerms | None = None, days: int = 30, sequence: int = 42,
              by: Actor = SALES) -> Quote:
    """A draft quote with one line per (unit price, quantity), product line "desk"."""
    quote = Quote(QuoteNumber(2026, sequence), "acme", by, NOW, NOW + timedelta(days=days),
                  terms or gen_terms())
    for price, quantity in lines:
        quote.add_line("desk", one_option(price), quantity, by=by, at=NOW)
    if discount is not None:
        quote.set_discount(discount, by=by, at=NOW)
    return quote
