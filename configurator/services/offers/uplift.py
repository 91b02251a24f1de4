"""Uplift of an offer against its holdout, with a confidence interval.

Conversion: the difference of the two conversion rates, with the normal
(Wald) interval of a difference of proportions. Revenue per customer: the
difference of the two means (customers who did not buy count as 0), with
Welch's normal interval. Both are fine for the hundreds of customers a
campaign has; with a few dozen, the intervals are too narrow, and the report
says the group is small. Everything is Decimal: money never becomes a float.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

Z_95 = Decimal("1.959964")
SMALL_GROUP = 30  # below this many customers the normal intervals are not to be trusted


@dataclass(frozen=True)
class Interval:
    """An estimate and its confidence interval."""

    estimate: Decimal
    low: Decimal
    high: Decimal

    @property
    def excludes_zero(self) -> bool:
        """Whether the effect is significant at the interval's level."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Group:
    """One side of a campaign: each customer's revenue from it (0 for no purchase)."""

    revenues: Sequence[Decimal]

    @property
    def customers(self) -> int:
        """How many customers are in the group."""
        return len(self.revenues)

    @property
    def converted(self) -> int:
        """How many of them bought."""
        return sum(1 for revenue in self.revenues if revenue > 0)


@dataclass(frozen=True)
class Report:
    """Conversion and revenue uplift of the offer group over the holdout."""

    conversion: Interval
    revenue_per_customer: Interval
    small: bool  # a group has fewer than SMALL_GROUP customers


class Counted(Protocol):
    """A group of customers, of whom some bought."""

    @property
    def customers(self) -> int: ...

    @property
    def converted(self) -> int: ...


def report(offer: Group, holdout: Group, z: Decimal = Z_95) -> Report:
    """The uplift report; ValueError when a group is empty."""
    return Report(
        conversion=conversion(offer, holdout, z),
        revenue_per_customer=_difference(
            _mean(offer.revenues), _mean(holdout.revenues),
            _variance(offer.revenues) / offer.customers
            + _variance(holdout.revenues) / holdout.customers,
            z,
        ),
        small=too_small(offer, holdout),
    )


def conversion(offer: Counted, holdout: Counted, z: Decimal = Z_95) -> Interval:
    """The uplift in conversion alone (a share, not a percentage); ValueError when a
    group is empty."""
    if offer.customers == 0 or holdout.customers == 0:
        raise ValueError("both the offer group and the holdout need customers")
    return _difference(
        _rate(offer), _rate(holdout),
        _rate(offer) * (1 - _rate(offer)) / offer.customers
        + _rate(holdout) * (1 - _rate(holdout)) / holdout.customers,
        z,
    )


def too_small(offer: Counted, holdout: Counted) -> bool:
    """Whether a group is too small for the normal intervals."""
    return min(offer.customers, holdout.customers) < SMALL_GROUP


def _rate(group: Counted) -> Decimal:
    return Decimal(group.converted) / Decimal(group.customers)


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def _variance(values: Sequence[Decimal]) -> Decimal:
    """The sample variance (0 for a single value)."""
    if len(values) < 2:
        return Decimal(0)
    mean = _mean(values)
    return sum(((value - mean) ** 2 for value in values), Decimal(0)) / (len(values) - 1)


def _difference(a: Decimal, b: Decimal, variance: Decimal, z: Decimal) -> Interval:
    margin = z * variance.sqrt()
    estimate = a - b
    return Interval(estimate, estimate - margin, estimate + margin)
