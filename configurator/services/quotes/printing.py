"""The quote as the client reads it: the seller's letterhead and terms, the
lines and totals; the web layer renders it as the print page and, from the
same HTML, the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from configurator.quoting.documents import Company
from configurator.quoting.model import QuotePricing
from configurator.quoting.phrases import N_
from configurator.quoting.pricing import LineBuildUp
from configurator.services import catalogs
from configurator.services.quotes.records import LoadedQuote, load
from configurator.store.models import CatalogVersion, User
from configurator.store.quotes import QuoteLineRecord, QuoteRecord

SELLER = Company(
    "Configurator GmbH",
    ("Hafenstrasse 1", "20457 Hamburg", "Germany"),
    "DE123456789",
    terms=N_(
        "Prices are valid until the date shown. Delivery within 20 working days of the "
        "order unless agreed otherwise. Payment within 30 days of the invoice date. Our "
        "general terms of sale apply; goods remain our property until paid in full."
    ),
)


@dataclass(frozen=True)
class Printable:
    """What the printable quote (page and PDF, one template) shows."""

    loaded: LoadedQuote
    priced: QuotePricing
    seller: Company
    # (feature, option) -> the catalog's name, for snapshots that kept no name.
    option_names: dict[tuple[str, str], str]

    @property
    def lines(self) -> list[tuple[QuoteLineRecord, LineBuildUp]]:
        """Each line's record with its price build-up, in the quote's order."""
        return [(row, self.priced.lines[row.line_id]) for row in self.loaded.record.lines]


def printable(session: Session, viewer: User, quote_id: int) -> Printable:
    """The quote as the client reads it: the seller's letterhead and terms, the
    lines with options named as the catalog names them, and the totals."""
    loaded = load(session, viewer, quote_id)
    return Printable(loaded, loaded.quote.price(), SELLER, _option_names(session, loaded.record))


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
