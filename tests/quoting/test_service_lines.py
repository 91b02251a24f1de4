"""Service and free-text lines (freight, installation): own price, cost and VAT rate,
in the subtotal and the quote discount, with the tax split per rate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from configurator.quoting import (
    Discount,
    PricingError,
    QuoteFrozen,
    ServiceLine,
    Status,
    TaxTreatment,
    compare,
    lifecycle,
    tax_rule_for,
)
from configurator.quoting.revisions import LineChange
from tests.quoting.quoting_factories import NOW, SALES, gen_quote, gen_terms


def test_a_service_line_at_the_quote_rate_is_one_more_net_in_one_tax():
    quote = gen_quote(("100.00", 2))
    quote.add_service("Freight", 1, Decimal("49.90"), by=SALES, at=NOW)
    totals = quote.price().totals
    assert (totals.subtotal, totals.services_net) == (Decimal("249.90"), Decimal("49.90"))
    assert totals.tax_amount == Decimal("47.48")  # 249.90 x 19 % = 47.481
    assert [(t.rule.rate, t.base) for t in totals.tax_lines] == [(Decimal(19), Decimal("249.90"))]


def test_own_rates_are_taxed_each_once_and_share_the_quote_discount():
    quote = gen_quote(("100.00", 2), discount=Discount.percent_off(10))
    quote.add_service("Freight", 1, Decimal("50"), by=SALES, at=NOW, tax_rate=Decimal(0))
    quote.add_service("Installation", 2, Decimal("40"), by=SALES, at=NOW,
                      unit_cost=Decimal("25"), tax_rate=Decimal(7))
    totals = quote.price().totals
    assert (totals.subtotal, totals.discount_amount, totals.net_total) == (
        Decimal("330.00"), Decimal("33.00"), Decimal("297.00"))
    assert [(t.rule.rate, t.base, t.amount) for t in totals.tax_lines] == [
        (Decimal(19), Decimal("180.00"), Decimal("34.20")),
        (Decimal(7), Decimal("72.00"), Decimal("5.04")),
        (Decimal(0), Decimal("45.00"), Decimal("0.00")),
    ]
    assert sum(t.base for t in totals.tax_lines) == totals.net_total
    assert totals.tax_amount == Decimal("39.24")
    assert totals.gross_total == Decimal("336.24")
    assert str(totals.tax_lines[1].label) == "VAT DE 7%"


def test_the_discount_shares_add_up_to_the_rounded_discount():
    quote = gen_quote(("10.01", 1), discount=Discount.percent_off(Decimal("33.33")))
    for rate in (0, 7, 10):
        quote.add_service(f"Service {rate}", 1, Decimal("10.01"), by=SALES, at=NOW,
                          tax_rate=Decimal(rate))
    totals = quote.price().totals
    assert sum(t.base for t in totals.tax_lines) == totals.net_total


def test_reverse_charge_keeps_every_line_at_zero():
    terms = gen_terms("FR")
    terms = type(terms)(terms.currency, tax_rule_for("FR", TaxTreatment.REVERSE_CHARGE))
    quote = gen_quote(("100.00", 1), terms=terms)
    quote.add_service("Installation", 1, Decimal("80"), by=SALES, at=NOW, tax_rate=Decimal(10))
    totals = quote.price().totals
    assert totals.tax_amount == Decimal(0)
    assert len(totals.tax_lines) == 1


def test_change_and_remove_a_service_line_and_ids_are_not_reused():
    quote = gen_quote(("100.00", 1))
    service = quote.add_service("Freight", 1, Decimal("30"), by=SALES, at=NOW)
    assert service.line_id == "L2"
    quote.change_service("L2", by=SALES, at=NOW, description="Express freight", quantity=2,
                         unit_price=Decimal("45"), tax_rate=Decimal(0))
    assert quote.service("L2").net("EUR") == Decimal("90.00")
    quote.remove_service("L2", by=SALES, at=NOW)
    assert quote.services == []
    assert quote.add_service("Installation", 1, Decimal(1), by=SALES, at=NOW).line_id == "L3"
    assert [e.action for e in quote.events][-3:] == [
        "service line changed", "service line removed", "service line added"]


@pytest.mark.parametrize("kwargs, message", [
    ({"description": "  "}, "needs a description"),
    ({"unit_price": Decimal("-1")}, "between 0"),
    ({"unit_price": Decimal("1e12")}, "between 0"),
    ({"unit_price": Decimal("1.005")}, "two decimals"),
    ({"unit_cost": Decimal("-5")}, "between 0"),
    ({"tax_rate": Decimal(101)}, "not between 0% and 100%"),
    ({"quantity": 0}, "at least 1"),
])
def test_bad_service_lines_are_refused_with_a_reason(kwargs, message):
    values = {"line_id": "L9", "description": "Freight", "quantity": 1,
              "unit_price": Decimal(10), **kwargs}
    with pytest.raises(PricingError, match=message):
        ServiceLine(**values)


def test_an_amount_discount_larger_than_the_subtotal_after_removal_is_refused():
    quote = gen_quote(("100.00", 1))
    quote.add_service("Installation", 1, Decimal("400"), by=SALES, at=NOW)
    quote.set_discount(Discount.amount_off(300), by=SALES, at=NOW)
    with pytest.raises(PricingError, match="more than the subtotal"):
        quote.remove_service("L2", by=SALES, at=NOW)
    assert len(quote.services) == 1


def test_a_sent_quote_refuses_service_edits_and_a_revision_keeps_them():
    quote = gen_quote(("100.00", 1))
    quote.add_service("Freight", 1, Decimal("30"), by=SALES, at=NOW)
    lifecycle.send(quote, lifecycle.ApprovalPolicy(), by=SALES, at=NOW)
    assert quote.status is Status.SENT
    with pytest.raises(QuoteFrozen):
        quote.add_service("More", 1, Decimal(1), by=SALES, at=NOW)
    revision = lifecycle.revise(quote, by=SALES, at=NOW)
    assert [s.description for s in revision.services] == ["Freight"]
    assert revision.price().totals.gross_total == quote.price().totals.gross_total


def test_a_service_line_withdraws_an_approval():
    quote = gen_quote(("100.00", 1))
    quote.status = Status.APPROVED
    quote.add_service("Freight", 1, Decimal("30"), by=SALES, at=NOW)
    assert quote.status is Status.DRAFT


def test_comparing_revisions_shows_service_lines_added_changed_removed_and_kept():
    first = gen_quote(("100.00", 1))
    first.add_service("Freight", 1, Decimal("30"), by=SALES, at=NOW, tax_rate=Decimal(0))
    first.add_service("Installation", 2, Decimal("40"), by=SALES, at=NOW, unit_cost=Decimal(25))
    first.add_service("Packing", 1, Decimal("5"), by=SALES, at=NOW)
    lifecycle.send(first, lifecycle.ApprovalPolicy(), by=SALES, at=NOW)
    second = lifecycle.revise(first, by=SALES, at=NOW)
    freight, installation, _ = (s.line_id for s in second.services)
    second.change_service(installation, by=SALES, at=NOW, description="Installation on site",
                          quantity=3, unit_price=Decimal("45"), unit_cost=Decimal(30),
                          tax_rate=Decimal(7))
    second.remove_service(second.services[2].line_id, by=SALES, at=NOW)
    second.add_service("Training", 1, Decimal("90"), by=SALES, at=NOW)

    diff = compare(first, second)
    rows = {row.description: row for row in diff.services}
    assert list(rows) == ["Freight", "Installation on site", "Training", "Packing"]
    assert [row.change for row in diff.services] == [
        LineChange.SAME, LineChange.CHANGED, LineChange.ADDED, LineChange.REMOVED]
    changed = rows["Installation on site"]
    assert (changed.description_before, changed.quantity_before, changed.quantity_after) == (
        "Installation", 2, 3)
    assert (changed.unit_cost_before, changed.unit_cost_after) == (Decimal(25), Decimal(30))
    assert (changed.tax_rate_before, changed.tax_rate_after) == (None, Decimal(7))
    assert changed.net_difference == Decimal("55.00")  # 3 x 45 - 2 x 40
    assert rows["Packing"].net_after is None and rows["Training"].net_before is None
    assert [row.description for row in diff.changed_services] == [
        "Installation on site", "Training", "Packing"]
