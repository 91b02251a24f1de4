"""A quote's margin for staff (issue 15, "also expected"): per line, the net less
the options' costs times the quantity; for the quote, the net total after the
quote discount less the included lines' costs. Not for clients."""

from __future__ import annotations

from decimal import Decimal

import pytest

from configurator.quoting import Discount
from configurator.services import catalogs, quotes
from configurator.services.errors import NotFound
from tests.services.quote_factories import BIKE, CARBON
from tests.services.test_quotes import new_quote
from tests.services.test_value import COSTED_BIKE


def test_margin_per_line_and_for_the_quote(session, people):
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    session.commit()
    record = new_quote(session, people, (BIKE, 2), (CARBON, 1))
    quotes.lines.change_line(session, people["sales"], record.id, "L2", quantity=1,
                             discount=None, kind=quotes.lines.line_kind("optional"))
    quotes.drafts.set_discount(session, people["sales"], record.id, Discount.percent_off("5"))
    loaded = quotes.records.load(session, people["sales"], record.id)
    margin = quotes.margins.of_quote(people["sales"], loaded)
    [bikes, carbon] = margin.lines
    # 2 x 185.00 less 10 % = 333.00 net; cost 2 x (50 + 12 + 4 + 20) = 172.00.
    assert (bikes.net, bikes.cost, bikes.margin, bikes.percent) == (
        Decimal("333.00"), Decimal("172.00"), Decimal("161.00"), Decimal("48.3"))
    assert carbon.net == Decimal("742.50") and carbon.cost > 0
    # The quote: only the included line, after 5 % on the quote: 316.35 - 172.00.
    assert (margin.net, margin.cost, margin.margin) == (
        Decimal("316.35"), Decimal("172.00"), Decimal("144.35"))


def test_no_margin_without_costs_and_none_for_clients(session, people):
    record = new_quote(session, people, (BIKE, 1))  # the plain test bike has no costs
    loaded = quotes.records.load(session, people["sales"], record.id)
    assert quotes.margins.of_quote(people["sales"], loaded) is None
    with pytest.raises(NotFound):
        quotes.margins.of_quote(people["contact"], loaded)


def test_an_orders_margin_counts_only_the_lines_the_client_bought(session, people):
    from configurator.services import customer_value
    from tests.services.test_quotes import NOW

    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    session.commit()
    record = new_quote(session, people, (BIKE, 2), (CARBON, 1))
    quotes.lines.change_line(session, people["sales"], record.id, "L2", quantity=1,
                             discount=None, kind=quotes.lines.line_kind("optional"))
    freight = quotes.service_lines.ServiceInput("Freight", 1, Decimal("40.00"), Decimal("25.00"))
    quotes.service_lines.add_service(session, people["sales"], record.id, freight)
    quotes.sending.send(session, people["sales"], record.id, now=NOW)
    quotes.answers.accept(session, people["contact"], record.id, signature="Eva", now=NOW)
    order = quotes.answers.convert_to_order(session, people["sales"], record.id)
    # The optional carbon bike was offered, not bought: the two bikes' 172.00 and the
    # freight's 25.00 are the cost.
    net = customer_value.margins.order_net(order)
    assert net == Decimal("373.00")
    assert customer_value.margins.order_margin(order) == net - Decimal("197.00")
