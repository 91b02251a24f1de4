"""An account's pricing terms: its price list (percent off a product line,
fixed prices of options), the quantity breaks (ours, or the account's own for
a product line), and its tax by country, read into the quoting domain's
`PricingTerms`.

A quote keeps a copy of the terms it was priced with (`describe_terms`,
`terms_from_json`), so later changes reach it only through an explicit
reprice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting import (
    BreakMode,
    Discount,
    PriceList,
    PricingTerms,
    QuantityBreak,
    QuantityTier,
    TaxRule,
    TaxTreatment,
    tax_rule_for,
)
from configurator.services.business.accounts import InvalidAccountData
from configurator.services.unit_of_work import use_case
from configurator.store.quotes import BusinessAccount, PriceListEntry, QuantityBreakTier


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
