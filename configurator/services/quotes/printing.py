"""The quote as the client reads it: the seller's letterhead and terms, and
the PDF (the printable page renders the same `SELLER`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from configurator.quoting.documents import Company, render_quote_pdf
from configurator.services.quotes.records import load
from configurator.store.models import User

SELLER = Company(
    "Configurator GmbH",
    ("Hafenstrasse 1", "20457 Hamburg", "Germany"),
    "DE123456789",
    terms=(
        "Prices are valid until the date shown. Delivery within 20 working days of the "
        "order unless agreed otherwise. Payment within 30 days of the invoice date. Our "
        "general terms of sale apply; goods remain our property until paid in full."
    ),
)


def pdf(session: Session, viewer: User, quote_id: int) -> tuple[str, bytes]:
    """The quote as a PDF with the seller's terms (and the account's own, when it has any)."""
    loaded = load(session, viewer, quote_id)
    account = loaded.record.account
    terms = SELLER.terms + (f"\n\n{account.terms}" if account.terms else "")
    company = Company(SELLER.name, SELLER.address, SELLER.vat_id, terms)
    body = render_quote_pdf(loaded.quote, company, client_name=account.name)
    return f"{loaded.record.number}.pdf", body
