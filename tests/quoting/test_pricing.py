"""The price waterfall, rounding, quantity breaks, price lists, taxes and totals.

Expected amounts are computed by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from quoting_factories import DESK, gen_terms, one_option

from configurator.quoting import (
    BreakMode,
    Discount,
    LineKind,
    PriceList,
    PricingError,
    QuantityBreak,
    QuantityTier,
    StepKind,
    TaxTreatment,
    UnknownCurrency,
    UnknownTaxCountry,
    price_line,
    round_money,
    tax_rule_for,
    total_quote,
)
from configurator.quoting.pricing import PricingTerms

D = Decimal
ACME = PriceList("Acme 2026", percent_off={"standing-desk": D("8")})


def tiers(mode: BreakMode, *pairs: tuple[int, str], product_line: str = "desk") -> QuantityBreak:
    """Quantity breaks of percent discounts: (min quantity, percent)."""
    return QuantityBreak(product_line, mode,
                         tuple(QuantityTier(q, Discount.percent_off(p)) for q, p in pairs))


BREAKS = ((1, "0"), (10, "5"), (50, "10"))


def test_list_price_only():
    build = price_line("standing-desk", DESK, 3, gen_terms())
    assert build.unit_list_price == D("945.50")
    assert build.list_amount == D("2836.50")  # 3 x 945.50
    assert [s.kind for s in build.steps] == list(StepKind)
    assert build.net == D("2836.50")
    assert build.applied() == ["List price: 3 x 945.50 EUR", "Line net, rounded half up to 0.01 EUR"]


def test_price_list_percent_off_the_product_line():
    build = price_line("standing-desk", DESK, 3, gen_terms(price_list=ACME))
    # 945.50 x 0.92 = 869.86 per unit; x 3
    assert build.step(StepKind.PRICE_LIST).amount == D("2609.58")
    assert build.change(StepKind.PRICE_LIST) == D("-226.92")
    assert "Price list 'Acme 2026': -8% on standing-desk" in build.applied()
    assert build.net == D("2609.58")


def test_price_list_percent_does_not_touch_other_product_lines():
    build = price_line("city-bike", DESK, 1, gen_terms(price_list=ACME))
    assert build.net == D("945.50")
    assert build.step(StepKind.PRICE_LIST).applied == ()


def test_fixed_option_price_replaces_list_price_and_is_not_discounted_again():
    prices = PriceList("Acme 2026", percent_off={"standing-desk": D("8")},
                       option_prices={("standing-desk", "frame", "dual_motor"): D("450.00")})
    build = price_line("standing-desk", DESK, 2, gen_terms(price_list=prices))
    # frame fixed 450.00; others (380.00 + 45.50) x 0.92 = 391.46; unit 841.46; x 2
    assert build.step(StepKind.PRICE_LIST).amount == D("1682.92")
    assert build.step(StepKind.PRICE_LIST).applied == (
        "Price list 'Acme 2026': frame=dual_motor at 450.00 EUR instead of 520.00 EUR",
        "Price list 'Acme 2026': -8% on standing-desk",
    )


def test_fixed_option_price_alone():
    prices = PriceList("Acme 2026", option_prices={("standing-desk", "top", "oak_160"): D("300")})
    build = price_line("standing-desk", DESK, 1, gen_terms(price_list=prices))
    assert build.net == D("865.50")  # 520.00 + 300 + 45.50


@pytest.mark.parametrize(("quantity", "range_net", "slab_net"), [
    (9, "900.00", "900.00"),     # no break reached
    (10, "950.00", "995.00"),    # range 10 x 95; slab 9 x 100 + 1 x 95
    (50, "4500.00", "4790.00"),  # range 50 x 90; slab 900 + 40 x 95 + 1 x 90
    (60, "5400.00", "5690.00"),  # range 60 x 90; slab 900 + 40 x 95 + 11 x 90
])
def test_quantity_break_range_versus_slab(quantity, range_net, slab_net):
    ranged = price_line("desk", one_option("100"), quantity,
                        gen_terms(quantity_breaks=(tiers(BreakMode.RANGE, *BREAKS),)))
    slabbed = price_line("desk", one_option("100"), quantity,
                         gen_terms(quantity_breaks=(tiers(BreakMode.SLAB, *BREAKS),)))
    assert ranged.net == D(range_net)
    assert slabbed.net == D(slab_net)


def test_quantity_break_describes_what_applied():
    ranged = price_line("desk", one_option("100"), 12,
                        gen_terms(quantity_breaks=(tiers(BreakMode.RANGE, *BREAKS),)))
    assert ranged.step(StepKind.QUANTITY_BREAK).applied == ("Quantity break 10+: -5%",)
    slabbed = price_line("desk", one_option("100"), 60,
                         gen_terms(quantity_breaks=(tiers(BreakMode.SLAB, *BREAKS),)))
    assert slabbed.step(StepKind.QUANTITY_BREAK).applied == (
        "Quantity break 10+ (slab): 40 units at -5%",
        "Quantity break 50+ (slab): 11 units at -10%",
    )


def test_slab_whose_first_tier_starts_above_one():
    breaks = tiers(BreakMode.SLAB, (5, "5"))
    build = price_line("desk", one_option("100"), 7, gen_terms(quantity_breaks=(breaks,)))
    assert build.net == D("685.00")  # 4 x 100 + 3 x 95


def test_quantity_tier_with_amount_off_each_unit():
    breaks = QuantityBreak("desk", BreakMode.RANGE,
                           (QuantityTier(20, Discount.amount_off("7.50")),))
    build = price_line("desk", one_option("100"), 20, gen_terms(quantity_breaks=(breaks,)))
    assert build.net == D("1850.00")  # 20 x 92.50
    assert build.step(StepKind.QUANTITY_BREAK).applied == ("Quantity break 20+: -7.50 EUR",)


def test_quantity_breaks_apply_after_the_price_list():
    terms = gen_terms(price_list=ACME,
                      quantity_breaks=(tiers(BreakMode.RANGE, *BREAKS, product_line="standing-desk"),))
    build = price_line("standing-desk", DESK, 10, terms)
    # 869.86 x 0.95 = 826.367 per unit; x 10 = 8263.67
    assert build.step(StepKind.QUANTITY_BREAK).amount == D("8263.670")
    assert build.net == D("8263.67")


@pytest.mark.parametrize("minimums", [(), (0,), (10, 5), (5, 5)])
def test_quantity_breaks_need_ascending_tiers_from_one(minimums):
    with pytest.raises(PricingError, match="ascending"):
        QuantityBreak("desk", BreakMode.RANGE,
                      tuple(QuantityTier(m, Discount.percent_off(1)) for m in minimums))


def test_manual_discount_percent_and_amount():
    by_percent = price_line("desk", one_option("200"), 5, gen_terms(), Discount.percent_off("12.5"))
    assert by_percent.net == D("875.00")  # 1000 - 125
    assert by_percent.manual_discount_percent == D("12.5")
    by_amount = price_line("desk", one_option("200"), 5, gen_terms(),
                           Discount.amount_off("50", reason="show room"))
    assert by_amount.net == D("950.00")
    assert by_amount.manual_discount_percent == D("5")  # 50 of 1000
    assert "Manual discount: -50.00 EUR (show room)" in by_amount.applied()


def test_manual_discount_larger_than_the_line_is_refused():
    with pytest.raises(PricingError, match="more than the line amount"):
        price_line("desk", one_option("10"), 2, gen_terms(), Discount.amount_off("20.01"))


@pytest.mark.parametrize("kwargs", [{}, {"percent": D(5), "amount": D(5)}, {"percent": D(101)},
                                    {"percent": D(-1)}, {"amount": D("-0.01")}])
def test_invalid_discounts(kwargs):
    with pytest.raises(PricingError):
        Discount(**kwargs)


def test_floats_are_refused():
    with pytest.raises(PricingError, match="not float"):
        Discount.percent_off(0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5])
def test_quantity_must_be_a_whole_positive_number(quantity):
    with pytest.raises(PricingError, match="quantity"):
        price_line("desk", one_option("10"), quantity, gen_terms())


def test_rounding_once_at_the_line_net_differs_from_rounding_each_step():
    terms = gen_terms(price_list=PriceList("P", percent_off={"desk": D("8")}),
                      quantity_breaks=(tiers(BreakMode.RANGE, (5, "5")),))
    build = price_line("desk", one_option("19.99"), 7, terms, Discount.percent_off("3"))
    # exact: 19.99 x 0.92 = 18.3908; x 7 = 128.7356; x 0.95 = 122.29882; x 0.97 = 118.6298554
    assert build.step(StepKind.DISCOUNT).amount == D("118.6298554")
    assert build.net == D("118.63")
    # rounding after every step would give 18.39 x 7 = 128.73 -> 122.29 -> 118.62: one cent less
    # the unit net is for reading: 118.6298554 / 7 = 16.947... -> 16.95, and 16.95 x 7 != net
    assert build.unit_net == D("16.95")
    assert build.unit_net * 7 == D("118.65")


def test_half_up_not_bankers_rounding():
    assert price_line("desk", one_option("2.345"), 1, gen_terms()).net == D("2.35")
    assert price_line("desk", one_option("2.355"), 1, gen_terms()).net == D("2.36")
    assert round_money(D("-2.345"), "EUR") == D("-2.35")


def test_currency_without_cents_rounds_to_whole_units():
    terms = gen_terms("IS", "ISK")
    build = price_line("desk", one_option("1234.5"), 1, terms)
    assert build.net == D("1235")
    totals = total_quote([build], terms)
    assert totals.tax_amount == D("296")  # 1235 x 24 % = 296.4
    assert totals.gross_total == D("1531")


def test_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrency):
        PricingTerms("XYZ", tax_rule_for("DE"))


def test_tax_on_the_total_not_per_line():
    terms = gen_terms("DE")
    lines = [price_line("desk", one_option("10.03"), 1, terms) for _ in range(3)]
    totals = total_quote(lines, terms)
    assert totals.subtotal == D("30.09")
    # 30.09 x 19 % = 5.7171 -> 5.72 (per line: 3 x round(1.9057) = 5.73)
    assert totals.tax_amount == D("5.72")
    assert totals.gross_total == D("35.81")
    assert totals.tax.label == "VAT DE 19%"


def test_quote_discount_is_rounded_once_then_taxed():
    terms = gen_terms("DE")
    lines = [price_line("desk", one_option("10.03"), 1, terms) for _ in range(3)]
    totals = total_quote(lines, terms, Discount.percent_off("5"))
    assert totals.discount_amount == D("1.50")  # 30.09 x 5 % = 1.5045
    assert totals.net_total == D("28.59")
    assert totals.tax_amount == D("5.43")  # 28.59 x 19 % = 5.4321
    assert totals.gross_total == D("34.02")
    assert totals.discount_applied == "Quote discount: -5%"


def test_quote_discount_above_subtotal_is_refused():
    terms = gen_terms()
    with pytest.raises(PricingError, match="more than the subtotal"):
        total_quote([price_line("desk", one_option("10"), 1, terms)], terms, Discount.amount_off("11"))


@pytest.mark.parametrize(("country", "net", "tax"), [
    ("DE", "100.00", "19.00"), ("FR", "100.00", "20.00"), ("NL", "100.00", "21.00"),
    ("AT", "100.00", "20.00"), ("CH", "123.45", "10.00"),  # 123.45 x 8.1 % = 9.99945
    ("is", "100.00", "24.00"),
])
def test_tax_by_country(country, net, tax):
    terms = gen_terms(country)
    totals = total_quote([price_line("desk", one_option(net), 1, terms)], terms)
    assert totals.tax_amount == D(tax)
    assert totals.gross_total == D(net) + D(tax)


@pytest.mark.parametrize(("treatment", "label"), [
    (TaxTreatment.REVERSE_CHARGE, "VAT FR: reverse charge"),
    (TaxTreatment.ZERO_RATED, "VAT FR: zero-rated"),
])
def test_reverse_charge_and_zero_rated_charge_no_tax(treatment, label):
    terms = PricingTerms("EUR", tax_rule_for("FR", treatment))
    totals = total_quote([price_line("desk", one_option("500"), 2, terms)], terms)
    assert totals.tax_amount == D("0.00")
    assert totals.gross_total == D("1000.00")
    assert totals.tax.label == label
    assert totals.tax.note


def test_unknown_tax_country_is_refused():
    with pytest.raises(UnknownTaxCountry, match="'XX'"):
        tax_rule_for("XX")


def test_optional_and_alternative_lines_are_priced_but_kept_out_of_totals():
    terms = gen_terms("DE")
    lines = [
        price_line("desk", one_option("100"), 1, terms),
        price_line("desk", one_option("50"), 1, terms, kind=LineKind.OPTIONAL),
        price_line("desk", one_option("200"), 1, terms, kind=LineKind.ALTERNATIVE),
    ]
    totals = total_quote(lines, terms, Discount.percent_off("10"))
    assert [line.net for line in lines] == [D("100.00"), D("50.00"), D("200.00")]
    assert totals.subtotal == D("100.00")
    assert totals.discount_amount == D("10.00")  # of the included line only
    assert totals.tax_amount == D("17.10")  # 90 x 19 %
    assert totals.gross_total == D("107.10")
    assert totals.not_in_totals == D("250.00")
