"""The quote PDF, read back with pypdf."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader
from quoting_factories import DESK, NOW, SALES, gen_quote, gen_terms

from configurator.quoting import Discount, LineKind, PriceList, TaxTreatment, tax_rule_for
from configurator.quoting.documents import Company, render_quote_pdf
from configurator.quoting.pricing import PricingTerms

ACME = Company("Desks & Bikes GmbH", ("Hauptstr. 1", "10115 Berlin"), "DE123456789",
               "Payment within 30 days net. Prices in EUR excluding VAT unless stated.")


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_has_number_lines_totals_and_terms():
    terms = gen_terms(price_list=PriceList("Acme 2026", percent_off={"standing-desk": Decimal(8)}))
    quote = gen_quote(terms=terms)
    quote.add_line("standing-desk", DESK, 3, title="Standing desk", by=SALES, at=NOW)
    quote.add_line("desk", DESK[:1], 1, title="Spare frame", kind=LineKind.OPTIONAL, by=SALES, at=NOW)
    quote.set_discount(Discount.percent_off(2), by=SALES, at=NOW)
    pdf = render_quote_pdf(quote, ACME, client_name="Acme AG")
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    # 3 x 945.50 x 0.92 = 2609.58; -2 % = 52.19 (52.1916); net 2557.39; VAT 19 % = 485.90 (485.9041)
    for expected in ["Quote Q-2026-00042", "Acme AG", "Valid until: 2026-04-01",
                     "L1 Standing desk x 3", "Price list 'Acme 2026': -8% on standing-desk",
                     "Net 2,609.58 EUR", "L2 Spare frame (optional) x 1", "Subtotal: 2,609.58 EUR",
                     "-52.19 EUR", "Net total: 2,557.39 EUR", "VAT DE 19%: 485.90 EUR",
                     "Total: 3,043.29 EUR", "not included in the total",
                     "Terms and conditions", "Payment within 30 days net"]:
        assert expected in " ".join(text.split()), expected


def test_pdf_without_discounts_and_with_reverse_charge():
    terms = PricingTerms("EUR", tax_rule_for("FR", TaxTreatment.REVERSE_CHARGE))
    quote = gen_quote(terms=terms)
    quote.add_line("desk", DESK, 1, title="Desk", discount=Discount.percent_off(5), by=SALES, at=NOW)
    text = " ".join(text_of(render_quote_pdf(quote, ACME, show_discounts=False)).split())
    assert "Manual discount" not in text
    assert "Net 898.23 EUR" in text  # 945.50 x 0.95 = 898.225 -> half up
    assert "VAT FR: reverse charge: 0.00 EUR" in text
    assert "Reverse charge: VAT is to be accounted for by the recipient" in text
