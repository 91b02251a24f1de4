"""The quote as a PDF (fpdf2, pure Python): header, lines with their build-up, totals, terms.

Uses the PDF core font (Helvetica), which covers Latin-1; other characters are
replaced rather than failing, so a stray emoji in a title cannot stop a quote
from printing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fpdf import FPDF

from .model import Quote
from .money import format_amount
from .pricing import LineKind


@dataclass(frozen=True)
class Company:
    """The seller as printed on the quote, with its terms and conditions."""

    name: str
    address: tuple[str, ...] = ()
    vat_id: str = ""
    terms: str = ""


def render_quote_pdf(quote: Quote, company: Company, *, client_name: str = "",
                     client_vat_id: str = "", show_discounts: bool = True,
                     show_line_prices: bool = True,
                     option_names: Mapping[tuple[str, str], str] | None = None) -> bytes:
    """The PDF of `quote` as bytes.

    `show_discounts=False` prints net prices only (no build-up, no quote discount);
    `show_line_prices=False` prints the lines without amounts, only the totals.
    `option_names` ((feature, option) -> name) names options whose snapshot has no
    name, so the client never reads a raw id like `installation=assembly_on_site`.
    """
    names = option_names or {}
    priced = quote.price()
    currency = quote.terms.currency
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 16)
    _line(pdf, company.name, 8)
    pdf.set_font("Helvetica", size=9)
    for text in (*company.address, f"VAT ID {company.vat_id}" if company.vat_id else ""):
        if text:
            _line(pdf, text, 5)
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    _line(pdf, f"Quote {quote.number}", 7)
    pdf.set_font("Helvetica", size=10)
    if client_name:
        _line(pdf, f"For: {client_name}", 5)
    if client_vat_id:  # a reverse-charge invoice is void without the buyer's VAT id
        _line(pdf, f"Client VAT ID: {client_vat_id}", 5)
    _line(pdf, f"Date: {quote.created_at:%Y-%m-%d}    Valid until: {quote.valid_until:%Y-%m-%d}", 5)
    pdf.ln(3)

    for line in quote.lines:
        build = priced.lines[line.line_id]
        pdf.set_font("Helvetica", "B", 10)
        marker = {LineKind.OPTIONAL: " (optional)",
                  LineKind.ALTERNATIVE: f" (alternative to {line.alternative_to})"}
        title = line.title or line.product_line
        _line(pdf, f"{line.line_id}  {title}{marker.get(line.kind, '')}  x {line.quantity}", 6)
        pdf.set_font("Helvetica", size=9)
        choices = ", ".join(
            o.name or names.get((o.feature, o.option), o.option.replace("_", " "))
            for o in line.options)
        _line(pdf, f"    {choices}", 5)
        if not show_line_prices:
            pdf.ln(1)
            continue
        if show_discounts:
            for step in build.steps[1:-1]:
                for applied in step.applied:
                    _line(pdf, f"    {applied}", 5)
            _line(pdf, f"    List {format_amount(build.list_amount, currency)}", 5)
        pdf.set_font("Helvetica", "B", 9)
        _line(pdf, f"    Net {format_amount(build.net, currency)}"
                   f"  ({format_amount(build.unit_net, currency)} per unit)", 5)
        pdf.ln(1)

    totals = priced.totals
    pdf.ln(2)
    pdf.set_font("Helvetica", size=10)
    _line(pdf, f"Subtotal: {format_amount(totals.subtotal, currency)}", 6)
    if totals.discount_amount and show_discounts:
        _line(pdf, f"{totals.discount_applied}: -{format_amount(totals.discount_amount, currency)}", 6)
    _line(pdf, f"Net total: {format_amount(totals.net_total, currency)}", 6)
    _line(pdf, f"{totals.tax.label}: {format_amount(totals.tax_amount, currency)}", 6)
    pdf.set_font("Helvetica", "B", 11)
    _line(pdf, f"Total: {format_amount(totals.gross_total, currency)}", 7)
    pdf.set_font("Helvetica", size=9)
    if totals.tax.note:
        _line(pdf, totals.tax.note, 5)
    if totals.not_in_totals:
        _line(pdf, "Optional lines are not included in the total; an alternative replaces "
                   "the line it is an alternative to.", 5)

    if company.terms:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 10)
        _line(pdf, "Terms and conditions", 6)
        pdf.set_font("Helvetica", size=8)
        pdf.multi_cell(0, 4, _latin1(company.terms), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, height: float) -> None:
    pdf.multi_cell(0, height, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def _latin1(text: str) -> str:
    # The core fonts only know Latin-1; a replacement beats a failed print.
    return text.encode("latin-1", "replace").decode("latin-1")


__all__ = ["Company", "render_quote_pdf"]
