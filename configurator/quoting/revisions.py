"""Compare two revisions of a quote line by line: choices, quantities, prices.

Lines are matched by `line_id`, which a revision keeps, so a line whose
configuration changed shows as changed, not as one removed and one added.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum

from .errors import QuoteError
from .model import Quote, QuoteLine
from .numbering import QuoteNumber
from .pricing import LineBuildUp, QuoteTotals, ServiceLine


class LineChange(str, Enum):
    """How a line differs between two revisions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    SAME = "same"


@dataclass(frozen=True)
class ChoiceChange:
    """A feature whose chosen options differ: () when the feature was not chosen."""

    feature: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class LineDiff:
    """One line in two revisions (None on the side where it does not exist)."""

    line_id: str
    change: LineChange
    product_line: str
    choices: tuple[ChoiceChange, ...] = ()
    quantity_before: int | None = None
    quantity_after: int | None = None
    net_before: Decimal | None = None
    net_after: Decimal | None = None
    discount_before: str = ""
    discount_after: str = ""
    kind_before: str = ""
    kind_after: str = ""

    @property
    def net_difference(self) -> Decimal:
        """After minus before (a missing side counts as 0)."""
        return (self.net_after or Decimal(0)) - (self.net_before or Decimal(0))


@dataclass(frozen=True)
class ServiceDiff:
    """One service line in two revisions (None on the side where it does not exist).

    The unit cost is here because the compare page is staff's; a VAT rate of None
    is the quote's own rate.
    """

    line_id: str
    change: LineChange
    description_before: str | None = None
    description_after: str | None = None
    quantity_before: int | None = None
    quantity_after: int | None = None
    unit_price_before: Decimal | None = None
    unit_price_after: Decimal | None = None
    unit_cost_before: Decimal | None = None
    unit_cost_after: Decimal | None = None
    tax_rate_before: Decimal | None = None
    tax_rate_after: Decimal | None = None
    net_before: Decimal | None = None
    net_after: Decimal | None = None

    @property
    def description(self) -> str:
        """The line's description as it is now (as it was, for a removed line)."""
        return self.description_after or self.description_before or ""

    @property
    def net_difference(self) -> Decimal:
        """After minus before (a missing side counts as 0)."""
        return (self.net_after or Decimal(0)) - (self.net_before or Decimal(0))


@dataclass(frozen=True)
class RevisionDiff:
    """Everything that differs between two revisions of one quote."""

    before: QuoteNumber
    after: QuoteNumber
    lines: tuple[LineDiff, ...]
    totals_before: QuoteTotals
    totals_after: QuoteTotals
    discount_before: str
    discount_after: str
    valid_until_before: datetime
    valid_until_after: datetime
    services: tuple[ServiceDiff, ...] = ()

    @property
    def changed_lines(self) -> list[LineDiff]:
        """The lines that were added, removed or changed."""
        return [line for line in self.lines if line.change is not LineChange.SAME]

    @property
    def changed_services(self) -> list[ServiceDiff]:
        """The service lines that were added, removed or changed."""
        return [line for line in self.services if line.change is not LineChange.SAME]


def compare(before: Quote, after: Quote) -> RevisionDiff:
    """The differences from revision `before` to revision `after` of the same quote."""
    if before.number.base != after.number.base:
        raise QuoteError(f"{before.number} and {after.number} are different quotes; "
                         "only revisions of one quote can be compared")
    priced_before, priced_after = before.price(), after.price()
    currency = after.terms.currency
    old = {line.line_id: line for line in before.lines}
    new = {line.line_id: line for line in after.lines}
    order = [line.line_id for line in after.lines] + [i for i in old if i not in new]
    diffs = [
        _line_diff(old.get(line_id), new.get(line_id), priced_before.lines.get(line_id),
                   priced_after.lines.get(line_id), currency)
        for line_id in order
    ]
    return RevisionDiff(
        before.number, after.number, tuple(diffs), priced_before.totals, priced_after.totals,
        before.discount.describe(currency) if before.discount else "",
        after.discount.describe(currency) if after.discount else "",
        before.valid_until, after.valid_until,
        _service_diffs(before.services, after.services, currency),
    )


def _service_diffs(before: list[ServiceLine], after: list[ServiceLine],
                   currency: str) -> tuple[ServiceDiff, ...]:
    """Service lines matched by `line_id` (a revision keeps them), in the newer order."""
    old = {s.line_id: s for s in before}
    new = {s.line_id: s for s in after}
    order = [s.line_id for s in after] + [i for i in old if i not in new]
    return tuple(_service_diff(line_id, old.get(line_id), new.get(line_id), currency)
                 for line_id in order)


def _service_diff(line_id: str, old: ServiceLine | None, new: ServiceLine | None,
                  currency: str) -> ServiceDiff:
    if old is None:
        change = LineChange.ADDED
    elif new is None:
        change = LineChange.REMOVED
    else:
        change = LineChange.SAME if old == new else LineChange.CHANGED
    return ServiceDiff(
        line_id, change,
        old.description if old else None, new.description if new else None,
        old.quantity if old else None, new.quantity if new else None,
        old.unit_price if old else None, new.unit_price if new else None,
        old.unit_cost if old else None, new.unit_cost if new else None,
        old.tax_rate if old else None, new.tax_rate if new else None,
        old.net(currency) if old else None, new.net(currency) if new else None,
    )


def _line_diff(old: QuoteLine | None, new: QuoteLine | None, old_price: LineBuildUp | None,
               new_price: LineBuildUp | None, currency: str) -> LineDiff:
    line = new or old
    assert line is not None
    old_choices = old.choices if old else {}
    new_choices = new.choices if new else {}
    features = list(old_choices) + [f for f in new_choices if f not in old_choices]
    choices = tuple(
        ChoiceChange(f, old_choices.get(f, ()), new_choices.get(f, ()))
        for f in features if old_choices.get(f, ()) != new_choices.get(f, ())
    )
    diff = LineDiff(
        line.line_id, LineChange.SAME, line.product_line, choices,
        old.quantity if old else None, new.quantity if new else None,
        old_price.net if old_price else None, new_price.net if new_price else None,
        old.discount.describe(currency) if old and old.discount else "",
        new.discount.describe(currency) if new and new.discount else "",
        old.kind.value if old else "", new.kind.value if new else "",
    )
    if old is None:
        change = LineChange.ADDED
    elif new is None:
        change = LineChange.REMOVED
    elif (choices or diff.quantity_before != diff.quantity_after or diff.net_difference
          or diff.discount_before != diff.discount_after or diff.kind_before != diff.kind_after
          or old.product_line != new.product_line):
        change = LineChange.CHANGED
    else:
        change = LineChange.SAME
    return replace(diff, change=change)
