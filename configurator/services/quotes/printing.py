"""The quote as the client reads it: the seller's letterhead and terms, the
lines and totals; the web layer renders it as the print page and, from the
same HTML, the PDF."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from configurator.quoting.documents import Company
from configurator.quoting.model import QuotePricing
from configurator.quoting.phrases import N_
from configurator.quoting.pricing import LineBuildUp
from configurator.services import catalogs
from configurator.services.configuring.wording import Wording
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
    # (feature, option) -> the catalog's name in the reader's language (its own where
    # it has no translation), before the name the line's snapshot kept.
    option_names: dict[tuple[str, str], str]
    # A product line's own name -> its name in the reader's language.
    line_names: dict[str, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[tuple[QuoteLineRecord, LineBuildUp]]:
        """Each line's record with its price build-up, in the quote's order."""
        return [(row, self.priced.lines[row.line_id]) for row in self.loaded.record.lines]

    def title(self, row: QuoteLineRecord) -> str:
        """The line's title; the product line's name in the reader's language unless sales retitled it."""
        return self.line_names.get(row.title, row.title)


def printable(session: Session, viewer: User, quote_id: int, *, language: str | None = None) -> Printable:
    """The quote as the client reads it: the seller's letterhead and terms, the
    lines with options named as the catalog names them in `language` (the
    catalog's `translations:`; its own names where it has none), and the totals."""
    loaded = load(session, viewer, quote_id)
    option_names, line_names = _names(session, loaded.record, language)
    return Printable(loaded, loaded.quote.price(), SELLER, option_names, line_names)


def _names(session: Session, record: QuoteRecord, language: str | None
           ) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """(feature, option) -> name, and each product line's own name -> name, in
    `language`, from the catalog version each line was configured in."""
    options: dict[tuple[str, str], str] = {}
    lines: dict[str, str] = {}
    for version_id in {row.catalog_version_id for row in record.lines}:
        version = session.get(CatalogVersion, version_id)
        if version is None:
            continue
        wording = Wording(catalogs.engine_catalog(version), language)
        lines[wording.model.name] = wording.catalog_name()
        for feature in wording.model.features:
            for option in feature.options:
                options[(feature.id, option.id)] = wording.option(feature.id, option.id)
    return options, lines
