"""The impact of a release, computed exactly: the saved configurations and
open quote lines of the product line that fit the version in use but not the
draft, or whose price changes; and the change in the number of valid
configurations."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.engine import Catalog, SelectionError
from configurator.services.business import accounts
from configurator.store.models import Configuration, Revision
from configurator.store.quotes import QuoteLineRecord, QuoteRecord

OPEN_QUOTE_STATUSES = ("draft", "pending_approval", "approved", "sent")


@dataclass(frozen=True)
class SavedWork:
    """A selection someone keeps: a configuration's newest revision, or a quote line."""

    kind: str  # configuration | quote
    record_id: int  # the configuration's or the quote's id, for the link
    label: str
    selection: Mapping[str, Any]
    facts: Mapping[str, str]
    complete: bool


@dataclass(frozen=True)
class Affected:
    """Saved work the release changes: it no longer fits, or its price changes."""

    work: SavedWork
    effect: str  # no_longer_fits | price_changes
    price_before: Decimal | None
    price_after: Decimal | None


@dataclass
class Impact:
    """Everything a release would change for saved work, and the count of configurations."""

    affected: list[Affected] = field(default_factory=list)
    checked: int = 0
    count_before: int | None = None
    count_after: int | None = None

    def count(self, kind: str, effect: str) -> int:
        """How many items of a kind (configuration, quote) have an effect."""
        return sum(1 for a in self.affected if a.work.kind == kind and a.effect == effect)


def saved_work(session: Session, catalog_id: str) -> Iterator[SavedWork]:
    """The newest revision of every saved configuration and every line of an open quote."""
    newest = (
        sa.select(Revision.configuration_id, sa.func.max(Revision.number).label("number"))
        .group_by(Revision.configuration_id)
        .subquery()
    )
    revisions = session.execute(
        sa.select(Configuration, Revision)
        .join(Revision, Revision.configuration_id == Configuration.id)
        .join(newest, sa.and_(newest.c.configuration_id == Revision.configuration_id,
                              newest.c.number == Revision.number))
        .where(Configuration.catalog_id == catalog_id)
        .order_by(Configuration.id)
    )
    for configuration, revision in revisions:
        yield SavedWork("configuration", configuration.id,
                        f"{configuration.name} ({configuration.owner.email})",
                        revision.selection, configuration.owner.facts(), revision.complete)
    lines = session.execute(
        sa.select(QuoteRecord, QuoteLineRecord)
        .join(QuoteLineRecord, QuoteLineRecord.quote_id == QuoteRecord.id)
        .where(QuoteLineRecord.catalog_id == catalog_id,
               QuoteRecord.status.in_(OPEN_QUOTE_STATUSES))
        .order_by(QuoteRecord.id, QuoteLineRecord.position)
    )
    for quote, line in lines:
        yield SavedWork("quote", quote.id, f"{quote.number} line {line.position} ({quote.account.name})",
                        line.selection, accounts.customer_facts(quote.account), True)


def impact(session: Session, catalog_id: str, before: Catalog, after: Catalog) -> Impact:
    """What releasing `after` in place of `before` does to the product line's saved work."""
    result = Impact(count_before=before.count(), count_after=after.count())
    for work in saved_work(session, catalog_id):
        result.checked += 1
        price_before = price_if_fits(before, work)
        if price_before is None:
            continue  # it does not fit today either: the release is not what breaks it
        price_after = price_if_fits(after, work)
        if price_after is None:
            result.affected.append(Affected(work, "no_longer_fits", price_before, None))
        elif price_after != price_before:
            result.affected.append(Affected(work, "price_changes", price_before, price_after))
    return result


def price_if_fits(catalog: Catalog, work: SavedWork) -> Decimal | None:
    """The list price of the saved selection when it fits the catalog, else None.

    A complete selection fits when it is still a complete valid configuration;
    an unfinished one when it can still be completed.
    """
    try:
        selection = catalog.normalize(dict(work.selection))
    except SelectionError:
        return None  # names a feature or option the catalog no longer has
    state = catalog.domains(selection, customer=dict(work.facts))
    if not state.consistent or (work.complete and not state.complete):
        return None
    return catalog.price(selection).total
