"""What the engine answers: plain dataclasses with their JSON form (spec section 4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .model import Constraint

Choices = dict[str, tuple[str, ...]]


class SelectionError(ValueError):
    """A selection names a feature or option the catalog does not have."""


def format_money(amount: Decimal) -> str:
    """Two decimals, or more when a price really has them ("123.40", "0.125")."""
    if amount == amount.quantize(Decimal("0.01")):
        return str(amount.quantize(Decimal("0.01")))
    return str(amount.normalize())


def pick_label(feature: str, option: str) -> str:
    """`F=O`, as the command line and explanations write a pick."""
    return f"{feature}={option}"


@dataclass
class Explanation:
    """Why an option (or a whole selection) is impossible.

    `selections` are the customer's own picks and `constraints` the catalog
    rules that, on their own, already rule it out; leaving out any one member
    makes it possible again. `possible` is True when nothing rules it out.
    """

    option: tuple[str, str] | None
    possible: bool
    selections: list[tuple[str, str]] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)

    def because(self) -> dict:
        """The `because` object of the JSON form."""
        return {
            "selections": [pick_label(f, o) for f, o in self.selections],
            "constraints": [c.describe() for c in self.constraints],
        }

    def to_json(self) -> dict:
        """`{"option": "F=O", "possible": ..., "because": ...}`."""
        result: dict = {}
        if self.option is not None:
            result["option"] = pick_label(*self.option)
        result["possible"] = self.possible
        if not self.possible:
            result["because"] = self.because()
        return result

    def sentence(self) -> str:
        """One readable line for a page: the rules' messages and the picks involved."""
        parts = [c.message or f"rule {c.name}" for c in self.constraints]
        picks = ", ".join(pick_label(f, o) for f, o in self.selections)
        text = " ".join(p.rstrip(".") + "." for p in parts)
        if picks:
            text = (text + " " if text else "") + f"(because of your choice: {picks})"
        return text or "Not available."


@dataclass
class State:
    """The configurator's answer to a partial selection."""

    consistent: bool
    complete: bool
    domains: dict[str, list[str]]
    may_be_empty: list[str]
    selection: Choices
    conflict: Explanation | None = None
    # Only when asked for (`Catalog.domains(..., alternatives=True)`): for each
    # picked one/optional feature, the options it could switch to, i.e. its
    # domain with its own pick left out and every other pick kept.
    alternatives: dict[str, list[str]] = field(default_factory=dict)

    def disabled(self, feature: str, option: str) -> bool:
        """True when picking this option can never lead to a valid order."""
        return option not in self.domains.get(feature, [])

    def to_json(self) -> dict:
        """The object `configurator catalog domains --json` prints."""
        result = {
            "consistent": self.consistent,
            "complete": self.complete,
            "domains": self.domains,
            "may_be_empty": self.may_be_empty,
        }
        if not self.consistent and self.conflict is not None:
            result["conflict"] = self.conflict.because()
        return result


@dataclass
class PriceLine:
    """One chosen option and its list price."""

    feature: str
    option: str
    name: str
    amount: Decimal
    dimension: str = "product"
    recurring: str | None = None  # None: paid once; "per_delivery" or "per_month"


@dataclass
class PriceBreakdown:
    """List prices of the chosen options and their total.

    `total` is what the order costs today: every line once (the first delivery
    and the first month are paid with the order). A catalog with `recurring:`
    prices also tells `one_off` (never again) from what is paid again
    `per_delivery` and `per_month`; without them `one_off == total`.
    """

    currency: str
    lines: list[PriceLine]

    @property
    def total(self) -> Decimal:
        """Sum of the lines: what is paid today."""
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def one_off(self) -> Decimal:
        """The lines paid once, with the order."""
        return self.recurring_total(None)

    @property
    def per_delivery(self) -> Decimal:
        """The lines paid again with every delivery."""
        return self.recurring_total("per_delivery")

    @property
    def per_month(self) -> Decimal:
        """The lines paid again every month."""
        return self.recurring_total("per_month")

    @property
    def recurs(self) -> bool:
        """Whether any chosen line is paid again."""
        return any(line.recurring for line in self.lines)

    def recurring_total(self, recurring: str | None) -> Decimal:
        """Sum of the lines paid `recurring` (None: once)."""
        return sum((line.amount for line in self.lines if line.recurring == recurring), Decimal(0))

    def to_json(self) -> dict:
        """Lines and total as strings (money is never a float); with recurring
        lines also `one_off`, `per_delivery` and `per_month`."""
        result = {
            "currency": self.currency,
            "lines": [
                {"feature": x.feature, "option": x.option, "name": x.name, "amount": format_money(x.amount)}
                | ({"recurring": x.recurring} if x.recurring else {})
                for x in self.lines
            ],
            "total": format_money(self.total),
        }
        if self.recurs:
            result["one_off"] = format_money(self.one_off)
            result["per_delivery"] = format_money(self.per_delivery)
            result["per_month"] = format_money(self.per_month)
        return result


@dataclass
class Completion:
    """The cheapest complete valid configuration containing a selection."""

    consistent: bool
    selections: dict[str, str | list[str]] = field(default_factory=dict)
    price: Decimal | None = None
    conflict: Explanation | None = None

    def to_json(self) -> dict:
        """`{"selections": {...}, "price": "123.40"}` or `{"consistent": false, ...}`."""
        if not self.consistent:
            result: dict = {"consistent": False}
            if self.conflict is not None:
                result["conflict"] = self.conflict.because()
            return result
        return {"selections": self.selections, "price": format_money(self.price)}


@dataclass
class Change:
    """One pick the customer would change: the options before and after."""

    feature: str
    before: list[str]
    after: list[str]


@dataclass
class Repair:
    """The smallest change of the customer's picks that makes a wanted option possible."""

    option: tuple[str, str]
    changes: list[Change]
    selection: dict[str, str | list[str]]
    price_before: Decimal
    price_after: Decimal

    @property
    def price_delta(self) -> Decimal:
        """What the repair adds to (or, negative, takes off) the selection's price."""
        return self.price_after - self.price_before

    def to_json(self) -> dict:
        """Changes, new selection and price difference."""
        return {
            "option": pick_label(*self.option),
            "changes": [{"feature": c.feature, "before": c.before, "after": c.after} for c in self.changes],
            "selection": self.selection,
            "price_before": format_money(self.price_before),
            "price_after": format_money(self.price_after),
            "price_delta": format_money(self.price_delta),
        }


@dataclass
class CheckReport:
    """What `configurator catalog check` finds in a catalog."""

    path: str
    catalog: str | None
    usable: bool
    count: int | None = None
    problems: list[str] = field(default_factory=list)
    dead_options: list[tuple[str, str]] = field(default_factory=list)
    unfillable_features: list[str] = field(default_factory=list)
    unreachable_rules: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    # Texts a language of the catalog's `translations:` leaves out ("fa: option frame.carbon"):
    # shown in the catalog's own language, so a note, not a problem.
    missing_translations: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """Everything, with the count as an exact integer."""
        return {
            "path": self.path,
            "catalog": self.catalog,
            "usable": self.usable,
            "count": self.count,
            "problems": self.problems,
            "dead_options": [pick_label(f, o) for f, o in self.dead_options],
            "unfillable_features": self.unfillable_features,
            "unreachable_rules": self.unreachable_rules,
            "warnings": self.warnings,
            "stats": self.stats,
            "missing_translations": self.missing_translations,
        }
