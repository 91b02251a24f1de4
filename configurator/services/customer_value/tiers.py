"""The tier configuration (config/tiers.yaml): RFM bands, lifetime-value
horizon, and the tiers with their thresholds. Pure: reading and checking the
file, scoring, and choosing a tier from a customer's figures.

Why fixed bands and not quintiles of the customer base: a tier is recomputed on
every order, and with bands one customer's order never moves another
customer's score; bands also mean the same thing next year, and a small shop's
quintiles are noise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from configurator.config import REPO_ROOT

DEFAULT_PATH = REPO_ROOT / "config" / "tiers.yaml"
CONDITIONS = (
    "min_revenue",
    "min_margin",
    "min_orders",
    "min_rfm",
    "min_ltv",
    "max_recency_days",
)
TOP_KEYS = {
    "currency",
    "lifetime_years",
    "rfm",
    "slipping_factor",
    "slipping_after_days",
    "tiers",
    "untiered_name",
    "currencies",
}
# Conditions counted in money: a currency other than `currency` gives its own.
MONEY_CONDITIONS = ("min_revenue", "min_margin", "min_ltv")
RFM_KEYS = ("recency_days", "orders_per_year", "revenue")


class TierConfigError(ValueError):
    """The tier file cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class Tier:
    """One tier and the thresholds a customer must all reach."""

    id: str
    name: str
    conditions: dict[str, Decimal]


@dataclass(frozen=True)
class TierConfig:
    """Everything config/tiers.yaml says."""

    currency: str
    lifetime_years: Decimal
    recency_days: tuple[Decimal, ...]  # ascending; at most the first -> 5 points
    orders_per_year: tuple[Decimal, ...]  # ascending; at least the last -> 5 points
    revenue: tuple[Decimal, ...]  # ascending; at least the last -> 5 points
    slipping_factor: Decimal
    slipping_after_days: int
    tiers: tuple[Tier, ...]
    untiered_name: str = "Standard"
    # The same tiers with money thresholds in other currencies (the `currencies:` block):
    # a customer is valued in the currency they buy in, never converted.
    others: tuple[TierConfig, ...] = ()

    def in_currency(self, currency: str) -> TierConfig | None:
        """This configuration with the thresholds of `currency`; None when the file has none."""
        if currency == self.currency:
            return self
        return next((other for other in self.others if other.currency == currency), None)

    def for_buyer(self, currencies: list[str]) -> TierConfig:
        """The configuration for someone whose orders were in `currencies` (oldest first):
        the currency of most of their orders (the latest on a tie), when the file has
        thresholds for it; else this one (orders in other currencies then do not count)."""
        if not currencies:
            return self
        counts = {code: currencies.count(code) for code in currencies}
        latest = {code: i for i, code in enumerate(currencies)}
        bought_in = max(counts, key=lambda code: (counts[code], latest[code]))
        return self.in_currency(bought_in) or self

    @property
    def currencies(self) -> tuple[str, ...]:
        """Every currency the file has thresholds for, its own first."""
        return (self.currency, *(other.currency for other in self.others))

    def tier_name(self, tier_id: str | None) -> str:
        """The display name of a tier id (None: the untiered name)."""
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier.name
        return self.untiered_name if tier_id is None else tier_id.capitalize()


@dataclass(frozen=True)
class Scores:
    """RFM scores, each 1 (low) to 5 (high)."""

    recency: int
    frequency: int
    monetary: int

    @property
    def total(self) -> int:
        """R + F + M, 3 to 15."""
        return self.recency + self.frequency + self.monetary


def score(
    config: TierConfig, recency_days: int | None, orders_per_year: Decimal, revenue: Decimal
) -> Scores:
    """RFM scores from the bands of the configuration."""
    if recency_days is None:
        recency = 1
    else:
        within = [days for days in config.recency_days if recency_days <= days]
        recency = 1 + len(within)
    frequency = 1 + sum(1 for floor in config.orders_per_year if orders_per_year >= floor)
    monetary = 1 + sum(1 for floor in config.revenue if revenue >= floor)
    return Scores(recency, frequency, monetary)


def choose_tier(config: TierConfig, figures: dict[str, Decimal | int | None]) -> str | None:
    """The first tier whose conditions `figures` all meet, or None.

    `figures` has a value per condition name without its min_/max_ prefix
    (revenue, margin, orders, rfm, ltv, recency_days); None never meets a
    condition.
    """
    for tier in config.tiers:
        if all(_meets(name, limit, figures) for name, limit in tier.conditions.items()):
            return tier.id
    return None


def _meets(condition: str, limit: Decimal, figures: dict[str, Any]) -> bool:
    kind, _, figure = condition.partition("_")
    value = figures.get(figure)
    if value is None:
        return False
    return value >= limit if kind == "min" else value <= limit


# ------------------------------------------------------------------ loading

_cache: dict[tuple[str, float], TierConfig] = {}


def tier_config(path: str | Path | None = None) -> TierConfig:
    """The tier configuration at `path` (default: $CONFIGURATOR_TIERS or config/tiers.yaml).

    Read again only when the file changes. TierConfigError when it is not usable.
    """
    path = Path(path or os.environ.get("CONFIGURATOR_TIERS") or DEFAULT_PATH)
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError as error:
        raise TierConfigError(f"{path}: cannot read the tier file ({error.strerror})") from error
    if key not in _cache:
        _cache.clear()
        _cache[key] = parse_tier_config(path.read_text(encoding="utf-8"), str(path))
    return _cache[key]


def parse_tier_config(text: str, where: str = "tiers.yaml") -> TierConfig:
    """Check and read the text of a tier file; TierConfigError names what is wrong and where."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TierConfigError(f"{where}: not valid YAML ({error})") from error
    if not isinstance(raw, dict):
        raise TierConfigError(f"{where}: expected a mapping with 'tiers' and 'rfm'")
    _no_unknown_keys(where, raw, TOP_KEYS)
    rfm = raw.get("rfm")
    if not isinstance(rfm, dict):
        raise TierConfigError(f"{where}: 'rfm' must be a mapping with {', '.join(RFM_KEYS)}")
    _no_unknown_keys(f"{where}: rfm", rfm, set(RFM_KEYS))
    bands = {key: _bands(f"{where}: rfm.{key}", rfm.get(key)) for key in RFM_KEYS}
    tiers = raw.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        raise TierConfigError(f"{where}: 'tiers' must be a non-empty list")
    parsed = tuple(_tier(f"{where}: tiers[{i}]", item) for i, item in enumerate(tiers))
    ids = [tier.id for tier in parsed]
    if len(set(ids)) != len(ids):
        raise TierConfigError(f"{where}: tiers: the same id appears twice")
    currency = str(raw.get("currency", "EUR"))
    if len(currency) != 3:
        raise TierConfigError(f"{where}: currency {currency!r} is not a 3-letter code")
    base = TierConfig(
        currency=currency.upper(),
        lifetime_years=_number(f"{where}: lifetime_years", raw.get("lifetime_years", 3)),
        recency_days=bands["recency_days"],
        orders_per_year=bands["orders_per_year"],
        revenue=bands["revenue"],
        slipping_factor=_number(f"{where}: slipping_factor", raw.get("slipping_factor", 2)),
        slipping_after_days=int(
            _number(f"{where}: slipping_after_days", raw.get("slipping_after_days", 365))
        ),
        tiers=parsed,
        untiered_name=str(raw.get("untiered_name") or "Standard"),
    )
    others = _other_currencies(f"{where}: currencies", raw.get("currencies") or {}, base)
    return replace(base, others=others)


def _other_currencies(where: str, block: Any, base: TierConfig) -> tuple[TierConfig, ...]:
    """`currencies: {VND: {revenue: [4 bands], tiers: {gold: {min_revenue: ...}}}}`: the
    money thresholds in each other currency; the other conditions are the base's."""
    if not isinstance(block, dict):
        raise TierConfigError(f"{where}: expected a mapping of currency codes")
    result = []
    for code, item in block.items():
        here = f"{where}.{code}"
        if not isinstance(code, str) or len(code) != 3 or code.upper() == base.currency:
            raise TierConfigError(f"{here}: give a 3-letter code other than {base.currency}")
        if not isinstance(item, dict):
            raise TierConfigError(f"{here}: expected a mapping with 'revenue' and 'tiers'")
        _no_unknown_keys(here, item, {"revenue", "tiers"})
        given = item.get("tiers") or {}
        if not isinstance(given, dict):
            raise TierConfigError(f"{here}.tiers: expected a mapping of tier ids")
        _no_unknown_keys(f"{here}.tiers", given, {tier.id for tier in base.tiers})
        tiers = tuple(_tier_in(f"{here}.tiers.{tier.id}", tier, given.get(tier.id) or {})
                      for tier in base.tiers)
        revenue = _bands(f"{here}.revenue", item.get("revenue"))
        result.append(replace(base, currency=code.upper(), revenue=revenue, tiers=tiers))
    return tuple(result)


def _tier_in(where: str, tier: Tier, given: Any) -> Tier:
    """`tier` with the money thresholds `given` for another currency: every money
    condition the tier has must be given, so no threshold is silently converted."""
    if not isinstance(given, dict):
        raise TierConfigError(f"{where}: expected a mapping of thresholds")
    _no_unknown_keys(where, given, set(MONEY_CONDITIONS))
    conditions = dict(tier.conditions)
    for key in MONEY_CONDITIONS:
        if key in tier.conditions and key not in given:
            raise TierConfigError(f"{where}: give {key} in this currency too")
        if key in given:
            conditions[key] = _number(f"{where}: {key}", given[key])
    return replace(tier, conditions=conditions)


def _tier(where: str, item: Any) -> Tier:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise TierConfigError(f"{where}: a tier is a mapping with an 'id'")
    where = f"{where} '{item['id']}'"
    _no_unknown_keys(where, item, {"id", "name", *CONDITIONS})
    conditions = {
        key: _number(f"{where}: {key}", item[key]) for key in CONDITIONS if key in item
    }
    return Tier(item["id"], str(item.get("name") or item["id"].capitalize()), conditions)


def _bands(where: str, value: Any) -> tuple[Decimal, ...]:
    if not isinstance(value, list) or len(value) != 4:
        raise TierConfigError(f"{where}: give 4 ascending numbers (the limits of 5 scores)")
    numbers = tuple(_number(where, item) for item in value)
    if list(numbers) != sorted(set(numbers)):
        raise TierConfigError(f"{where}: the 4 numbers must be strictly ascending")
    return numbers


def _number(where: str, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TierConfigError(f"{where}: expected a number, not {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise TierConfigError(f"{where}: expected a number, not {value!r}") from None
    if not number.is_finite() or number < 0:
        raise TierConfigError(f"{where}: expected a number of 0 or more, not {value!r}")
    return number


def _no_unknown_keys(where: str, mapping: dict, known: set[str]) -> None:
    unknown = sorted(str(key) for key in mapping if key not in known)
    if unknown:
        raise TierConfigError(
            f"{where}: unknown key {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
