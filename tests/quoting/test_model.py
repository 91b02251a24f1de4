"""Quote edits: line ids, price lock, explicit reprice with differences, history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from quoting_factories import NOW, SALES, gen_quote, gen_terms, one_option

from configurator.quoting import (
    KEEP,
    Discount,
    LineKind,
    LineNotFound,
    PriceList,
    PricingError,
    StepKind,
)

D = Decimal


def test_line_ids_are_never_reused():
    quote = gen_quote(("10", 1), ("20", 1))
    quote.remove_line("L2", by=SALES, at=NOW)
    line = quote.add_line("desk", one_option("30"), 1, by=SALES, at=NOW)
    assert line.line_id == "L3"
    with pytest.raises(LineNotFound):
        quote.line("L2")


def test_change_line_keeps_what_is_not_given_and_none_removes_the_discount():
    quote = gen_quote(("10", 1))
    quote.change_line("L1", discount=Discount.percent_off(5), by=SALES, at=NOW)
    quote.change_line("L1", quantity=4, by=SALES, at=NOW)
    assert quote.line("L1").discount == Discount.percent_off(5)
    assert quote.price().lines["L1"].net == D("38.00")
    quote.change_line("L1", discount=None, quantity=KEEP, by=SALES, at=NOW)
    assert quote.line("L1").discount is None
    assert quote.price().lines["L1"].net == D("40.00")


def test_a_line_that_cannot_be_priced_is_refused_and_nothing_changes():
    quote = gen_quote(("10", 1))
    with pytest.raises(PricingError):
        quote.change_line("L1", discount=Discount.amount_off("11"), by=SALES, at=NOW)
    assert quote.line("L1").discount is None
    with pytest.raises(PricingError):
        quote.add_line("desk", one_option("10"), 0, by=SALES, at=NOW)
    assert len(quote.lines) == 1


def test_alternatives_are_linked_and_out_of_totals():
    quote = gen_quote(("100", 1))
    quote.add_line("desk", one_option("150"), 1, kind=LineKind.ALTERNATIVE, alternative_to="L1",
                   by=SALES, at=NOW)
    quote.add_line("desk", one_option("30"), 2, kind=LineKind.OPTIONAL, by=SALES, at=NOW)
    priced = quote.price()
    assert priced.totals.subtotal == D("100.00")
    assert priced.totals.not_in_totals == D("210.00")
    with pytest.raises(PricingError, match="has alternatives"):
        quote.remove_line("L1", by=SALES, at=NOW)
    with pytest.raises(LineNotFound):
        quote.add_line("desk", one_option("1"), 1, kind=LineKind.ALTERNATIVE, alternative_to="L9",
                       by=SALES, at=NOW)


def test_choosing_an_alternative_moves_it_into_the_totals():
    quote = gen_quote(("100", 1))
    quote.add_line("desk", one_option("150"), 1, kind=LineKind.ALTERNATIVE, alternative_to="L1",
                   by=SALES, at=NOW)
    quote.change_line("L1", kind=LineKind.ALTERNATIVE, by=SALES, at=NOW)
    quote.change_line("L2", kind=LineKind.INCLUDED, by=SALES, at=NOW)
    assert quote.price().totals.subtotal == D("150.00")


def test_reprice_reports_differences_and_respects_the_price_lock():
    quote = gen_quote(("100", 2), ("50", 1), ("80", 1))
    quote.lock_price("L2", by=SALES, at=NOW)
    new_terms = gen_terms(price_list=PriceList("Acme 2026", percent_off={"desk": D("10")}))
    current = {"L1": one_option("110"), "L2": one_option("60")}  # L3 not in the catalog answer
    preview = quote.preview_reprice(current, new_terms)
    assert quote.price().totals.subtotal == D("330.00")  # preview changes nothing
    report = quote.reprice(current, new_terms, by=SALES, at=NOW)
    assert report == preview
    by_line = {line.line_id: line for line in report.lines}
    # L1: 110 x 0.9 x 2 = 198 (was 200)
    assert (by_line["L1"].old_net, by_line["L1"].new_net, by_line["L1"].difference) == (
        D("200.00"), D("198.00"), D("-2.00"))
    # L2 locked: stays 50, would be 60 x 0.9 = 54 without the lock
    assert (by_line["L2"].new_net, by_line["L2"].locked, by_line["L2"].unlocked_net) == (
        D("50.00"), True, D("54.00"))
    # L3: same list price, new price list: 80 x 0.9
    assert by_line["L3"].new_net == D("72.00")
    assert (report.before.subtotal, report.after.subtotal) == (D("330.00"), D("320.00"))
    assert quote.price().totals.subtotal == D("320.00")
    assert quote.line("L2").options == one_option("50")


def test_locked_line_keeps_its_prices_through_a_quantity_change():
    quote = gen_quote(terms=gen_terms(price_list=PriceList("Old", percent_off={"desk": D("20")})))
    quote.add_line("desk", one_option("100"), 1, discount=Discount.percent_off(5), by=SALES, at=NOW)
    quote.lock_price("L1", by=SALES, at=NOW)
    quote.reprice({"L1": one_option("200")}, gen_terms(), by=SALES, at=NOW)
    quote.change_line("L1", quantity=3, by=SALES, at=NOW)
    build = quote.price().lines["L1"]
    assert build.net == D("228.00")  # 100 x 0.8 x 3 x 0.95: old list price, old price list, discount kept
    assert build.step(StepKind.PRICE_LIST).applied == ("Price list 'Old': -20% on desk",)


def test_unlocking_reprices_with_the_quote_terms():
    quote = gen_quote(("100", 1))
    quote.lock_price("L1", by=SALES, at=NOW)
    quote.reprice({}, gen_terms(price_list=PriceList("New", percent_off={"desk": D("10")})),
                  by=SALES, at=NOW)
    assert quote.price().lines["L1"].net == D("100.00")
    quote.unlock_price("L1", by=SALES, at=NOW)
    assert quote.price().lines["L1"].net == D("90.00")


def test_reprice_without_changes_reports_none():
    quote = gen_quote(("100", 1))
    report = quote.reprice({"L1": one_option("100")}, by=SALES, at=NOW)
    assert not report.changed
    assert quote.events[-1].detail == "no change"


def test_every_edit_lands_in_the_history():
    quote = gen_quote(("100", 2))
    quote.change_line("L1", quantity=3, discount=Discount.percent_off(5), by=SALES, at=NOW)
    quote.set_discount(Discount.amount_off("10"), by=SALES, at=NOW)
    assert [(e.actor, e.action, e.detail) for e in quote.events] == [
        ("s1", "line added", "L1: 2 x desk"),
        ("s1", "line changed", "L1: quantity 2 -> 3, discount none -> -5%"),
        ("s1", "quote discount", "-10.00 EUR"),
    ]
    assert all(e.at == NOW for e in quote.events)


def test_quote_pricing_reports_the_largest_discount():
    quote = gen_quote(("100", 1), ("100", 1), discount=Discount.percent_off(3))
    quote.change_line("L2", discount=Discount.amount_off(8), by=SALES, at=NOW)
    assert quote.price().max_discount_percent == D("8")
