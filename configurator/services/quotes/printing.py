"""The quote as the client reads it: the seller's letterhead and terms, and
the PDF (the printable page renders the same `SELLER`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from configurator.quoting.documents import Company, render_quote_pdf
from configurator.services import catalogs
from configurator.services.quotes.records import load
from configurator.store.models import CatalogVersion, User
from configurator.store.quotes import QuoteRecord

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


def pdf(
    session: Session,
    viewer: User,
    quote_id: int,
    *,
    show_line_prices: bool = True,
    show_discounts: bool = True,
) -> tuple[str, bytes]:
    """The quote as a PDF with the seller's terms (and the account's own, when it has any),
    the client's VAT id, and options named as the catalog names them; line prices and
    discounts can be left out (a client who should see totals only)."""
    loaded = load(session, viewer, quote_id)
    account = loaded.record.account
    terms = SELLER.terms + (f"\n\n{account.terms}" if account.terms else "")
    company = Company(SELLER.name, SELLER.address, SELLER.vat_id, terms)
    body = render_quote_pdf(
        loaded.quote, company, client_name=account.name, client_vat_id=account.vat_id or "",
        show_discounts=show_discounts, show_line_prices=show_line_prices,
        option_names=_option_names(session, loaded.record),
    )
    return f"{loaded.record.number}.pdf", body


def _option_names(session: Session, record: QuoteRecord) -> dict[tuple[str, str], str]:
    """(feature, option) -> name in the catalog version each line was configured in."""
    names: dict[tuple[str, str], str] = {}
    for version_id in {row.catalog_version_id for row in record.lines}:
        version = session.get(CatalogVersion, version_id)
        if version is None:
            continue
        for feature in catalogs.engine_catalog(version).model.features:
            for option in feature.options:
                names[(feature.id, option.id)] = option.name
    return names
