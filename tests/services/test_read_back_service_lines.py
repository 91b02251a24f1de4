"""Service and free-text lines of a quote (freight, installation) read back through a
second session: stored with their price, cost and VAT rate, carried by a revision and a
copy, frozen without the cost when sent, and turned into order lines with one tax line
per rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.quoting import Discount, PricingError
from configurator.services import catalogs, quotes
from configurator.services.errors import QuoteChanged
from configurator.services.quotes.service_lines import ServiceInput
from configurator.store import Order
from configurator.store.quotes import AccountEvent, QuoteRecord, QuoteServiceLine
from tests.services.quote_factories import BIKE
from tests.services.read_back import reads_back
from tests.services.test_value import COSTED_BIKE

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FREIGHT = ServiceInput("Freight", 1, Decimal("80.00"), Decimal("55.00"), Decimal(0))
INSTALLATION = ServiceInput("Installation on site", 2, Decimal("120.00"), Decimal("70.00"),
                            Decimal(7))


def draft_with_services(session, people):
    """One bike (166.50 net after ACME's 10 %), freight at 0 % and installation at 7 %."""
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    quotes.lines.add_line(session, people["sales"], record.id, "test-bike", BIKE, 1, now=NOW)
    quotes.service_lines.add_service(session, people["sales"], record.id, FREIGHT, now=NOW)
    quotes.service_lines.add_service(session, people["sales"], record.id, INSTALLATION, now=NOW)
    return record


def services(other, record) -> list[tuple]:
    rows = other.scalars(sa.select(QuoteServiceLine).where(QuoteServiceLine.quote_id == record.id)
                         .order_by(QuoteServiceLine.position))
    return [(r.line_id, r.description, r.quantity, r.unit_price, r.unit_cost, r.tax_rate)
            for r in rows]


@reads_back(quotes.service_lines.add_service, quotes.service_lines.change_service,
            quotes.service_lines.remove_service)
def test_add_change_and_remove_service_lines(session, second_session, people):
    record = draft_with_services(session, people)
    with second_session() as other:
        assert services(other, record) == [
            ("L2", "Freight", 1, Decimal("80.00"), Decimal("55.00"), Decimal("0.00")),
            ("L3", "Installation on site", 2, Decimal("120.00"), Decimal("70.00"),
             Decimal("7.00")),
        ]
        loaded = quotes.records.load(other, people["sales"], record.id)
        totals = loaded.quote.price().totals
        # 166.50 x 19 % = 31.64; 240.00 x 7 % = 16.80; freight 0.
        assert [(t.rule.rate, t.base, t.amount) for t in totals.tax_lines] == [
            (Decimal(19), Decimal("166.50"), Decimal("31.64")),
            (Decimal(7), Decimal("240.00"), Decimal("16.80")),
            (Decimal(0), Decimal("80.00"), Decimal("0.00")),
        ]
        assert totals.gross_total == Decimal("534.94")
    quotes.service_lines.change_service(
        session, people["sales"], record.id, "L2",
        ServiceInput("Express freight", 1, Decimal("95.00"), Decimal("60.00")), now=NOW)
    quotes.service_lines.remove_service(session, people["sales"], record.id, "L3", now=NOW)
    with second_session() as other:
        # No own rate: the quote's 19 % applies to the freight now.
        assert services(other, record) == [
            ("L2", "Express freight", 1, Decimal("95.00"), Decimal("60.00"), None)]
        actions = list(other.scalars(sa.select(AccountEvent.action)
                                     .where(AccountEvent.quote_id == record.id)))
        assert actions.count("service line added") == 2
        assert "service line changed" in actions and "service line removed" in actions


def test_a_refused_service_line_changes_nothing(session, second_session, people):
    record = draft_with_services(session, people)
    quotes.drafts.set_discount(session, people["sales"], record.id, Discount.amount_off(400),
                               now=NOW)
    with pytest.raises(PricingError, match="more than the subtotal"):
        quotes.service_lines.remove_service(session, people["sales"], record.id, "L3", now=NOW)
    session.rollback()
    stale = session.get(QuoteRecord, record.id).version_id - 1
    with pytest.raises(QuoteChanged):
        quotes.service_lines.add_service(session, people["sales"], record.id, FREIGHT,
                                         version=stale, now=NOW)
    session.rollback()
    with second_session() as other:
        assert [row[0] for row in services(other, record)] == ["L2", "L3"]


def test_sent_accepted_and_ordered_with_service_lines(session, second_session, people):
    record = draft_with_services(session, people)
    quotes.sending.send(session, people["sales"], record.id, now=NOW)
    quotes.answers.accept(session, people["contact"], record.id, now=NOW + timedelta(days=1))
    order = quotes.answers.convert_to_order(session, people["sales"], record.id)
    with second_session() as other:
        frozen = other.get(QuoteRecord, record.id).frozen
        assert [(s["line_id"], s["net"]) for s in frozen["services"]] == [
            ("L2", "80.00"), ("L3", "240.00")]
        assert "cost" not in str(frozen) and "55.00" not in str(frozen)  # the client's copy
        stored = other.get(Order, order.id)
        assert stored.total == Decimal("534.94")
        lines = [(line["feature"], line["amount"]) for line in stored.snapshot["lines"]]
        assert ("L2", "80.00") in lines and ("L3", "240.00") in lines
        assert [amount for key, amount in lines if key.startswith("tax")] == [
            "31.64", "16.80", "0.00"]
        assert sum(Decimal(amount) for _, amount in lines) == stored.total


def test_a_revision_and_a_copy_keep_the_service_lines(session, second_session, people):
    record = draft_with_services(session, people)
    quotes.sending.send(session, people["sales"], record.id, now=NOW)
    revision = quotes.drafts.revise(session, people["sales"], record.id, now=NOW)
    copied = quotes.drafts.copy(session, people["sales"], record.id, now=NOW)
    with second_session() as other:
        assert services(other, revision) == services(other, record)
        assert services(other, copied.record) == services(other, record)


def test_the_staff_margin_counts_the_service_costs(session, people):
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")  # replaces the test bike
    session.commit()
    record = draft_with_services(session, people)
    loaded = quotes.records.load(session, people["sales"], record.id)
    margin = quotes.margins.of_quote(people["sales"], loaded)
    assert margin is not None
    by_line = {line.line_id: (line.net, line.cost) for line in margin.lines}
    assert by_line["L2"] == (Decimal("80.00"), Decimal("55.00"))
    assert by_line["L3"] == (Decimal("240.00"), Decimal("140.00"))
    # 166.50 - 86.00 for the bike, 80.00 - 55.00 and 240.00 - 140.00 for the services.
    assert (margin.net, margin.cost) == (Decimal("486.50"), Decimal("281.00"))


@reads_back(quotes.templates.save, quotes.templates.start)
def test_a_template_keeps_service_lines_with_price_cost_and_rate(session, second_session, people):
    record = draft_with_services(session, people)
    template = quotes.templates.save(session, people["sales"], record.id, "Bike delivered")
    started = quotes.templates.start(session, people["sales"], template.id,
                                     people["account"].id, now=NOW)
    with second_session() as other:
        assert services(other, started) == [
            ("L2", "Freight", 1, Decimal("80.00"), Decimal("55.00"), Decimal("0.00")),
            ("L3", "Installation on site", 2, Decimal("120.00"), Decimal("70.00"),
             Decimal("7.00")),
        ]
        kept = quotes.templates.product_lines(other.get(type(template), template.id))
        assert [line["catalog_id"] for line in kept] == ["test-bike"]
        totals = quotes.records.load(other, people["sales"], started.id).quote.price().totals
        assert totals.services_net == Decimal("320.00")
