"""A quote's margin for staff: per line, its net minus what its options cost us
(the catalog's `cost`, times the quantity; a service line's cost as staff entered
it), and for the quote, its net total
(after the quote discount) minus the cost of the included lines. Internal: the
client's pages, the print page and the PDF never show it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from configurator.quoting.pricing import LineKind
from configurator.services.customer_value.margins import unit_cost
from configurator.services.quotes.records import LoadedQuote, require_staff
from configurator.store.models import User

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class LineMargin:
    """One line: net, the cost of its options times its quantity, and the difference."""

    line_id: str
    net: Decimal
    cost: Decimal
    margin: Decimal
    percent: Decimal | None  # of the net; None for a line worth nothing


@dataclass(frozen=True)
class QuoteMargin:
    """Every line's margin, and the quote's over its included lines."""

    lines: tuple[LineMargin, ...]
    net: Decimal
    cost: Decimal
    margin: Decimal
    percent: Decimal | None


def of_quote(viewer: User, loaded: LoadedQuote) -> QuoteMargin | None:
    """The margin of the loaded quote, for staff; None when a line's catalog has no costs
    (a margin equal to the net would mislead)."""
    require_staff(viewer)
    priced = loaded.quote.price()
    kinds = {line.line_id: line.kind for line in loaded.quote.lines}
    lines = []
    for row in loaded.record.lines:
        unit = unit_cost(row.catalog_version, row.selection)
        if unit is None:
            return None
        net = priced.lines[row.line_id].net
        lines.append(_line(row.line_id, net, unit * row.quantity))
    currency = loaded.quote.terms.currency
    for service in loaded.quote.services:  # staff entered the cost of a service line
        kinds[service.line_id] = LineKind.INCLUDED
        lines.append(_line(service.line_id, service.net(currency), service.cost))
    included = sum(
        (line.cost for line in lines if kinds[line.line_id] is LineKind.INCLUDED), Decimal(0)
    )
    total = _line("", priced.totals.net_total, included)
    return QuoteMargin(tuple(lines), total.net, total.cost, total.margin, total.percent)


def _line(line_id: str, net: Decimal, cost: Decimal) -> LineMargin:
    margin = net - cost
    percent = (margin * 100 / net).quantize(TENTH) if net else None
    return LineMargin(line_id, net, cost, margin, percent)


def quote_percent(viewer: User, loaded: LoadedQuote) -> Decimal | None:
    """The quote's margin in percent of its net total, exact (approval is judged on it,
    so a margin of exactly a floor passes); None when costs are missing or the net is 0."""
    margin = of_quote(viewer, loaded)
    if margin is None or not margin.net:
        return None
    return margin.margin * 100 / margin.net
