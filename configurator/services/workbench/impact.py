"""The impact of a release, computed exactly: the saved configurations, open
quote lines and running subscriptions of the product line that fit the
version in use but not the draft, or whose price changes; the business
accounts' price-list entries for options the draft removes or reprices; and
the change in the number of valid configurations.

A subscription (an order whose deliveries repeat and are still planned) keeps
what it was ordered at; it is affected when the same selection no longer fits
or its recurring price (per delivery and per month) would change, which is
what a renewal or a reorder would meet."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.engine import Catalog, SelectionError
from configurator.services import catalogs, deliveries
from configurator.services.business import accounts
from configurator.store.deliveries import Delivery
from configurator.store.models import (
    Configuration,
    Order,
    Revision,
    snapshot_items_of_line,
)
from configurator.store.quotes import BusinessAccount, PriceListEntry, QuoteLineRecord, QuoteRecord

OPEN_QUOTE_STATUSES = ("draft", "pending_approval", "approved", "sent")


@dataclass(frozen=True)
class SavedWork:
    """A selection someone keeps: a configuration's newest revision, or a quote line."""

    kind: str  # configuration | quote | subscription
    record_id: int  # the configuration's, quote's or order's id, for the link
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


@dataclass(frozen=True)
class PriceListChange:
    """An account's own price for an option the release removes, or whose list price it changes."""

    account_id: int
    account_name: str
    feature: str
    option: str
    account_price: Decimal
    effect: str  # option_removed | list_price_changes
    list_before: Decimal | None
    list_after: Decimal | None


@dataclass
class Impact:
    """Everything a release would change for saved work, and the count of configurations."""

    affected: list[Affected] = field(default_factory=list)
    price_lists: list[PriceListChange] = field(default_factory=list)
    checked: int = 0
    count_before: int | None = None
    count_after: int | None = None

    def count(self, kind: str, effect: str) -> int:
        """How many items of a kind (configuration, quote, subscription) have an effect."""
        return sum(1 for a in self.affected if a.work.kind == kind and a.effect == effect)

    def total(self, effect: str) -> int:
        """How many items of every kind have an effect (no_longer_fits, price_changes)."""
        return sum(1 for a in self.affected if a.effect == effect)

    def price_list_count(self, effect: str) -> int:
        """How many price-list entries have an effect (option_removed, list_price_changes)."""
        return sum(1 for change in self.price_lists if change.effect == effect)


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
    yield from subscriptions(session, catalog_id)


def subscriptions(session: Session, catalog_id: str) -> Iterator[SavedWork]:
    """Every running subscription of the product line: an order, not cancelled, whose
    deliveries repeat and of which one is still planned."""
    planned = sa.select(Delivery.order_id).where(Delivery.status == deliveries.OPEN)
    orders = session.scalars(
        sa.select(Order)
        .where(catalogs.orders_may_hold(catalog_id), Order.status != "cancelled",
               Order.id.in_(planned))
        .order_by(Order.id)
    )
    for order in orders:
        recurring = deliveries.of_order(order)
        if recurring is None or not recurring.repeats:
            continue
        # Each repeating item of the line, also a cart order's that is not its first item
        # (a one-off item ordered with a subscription is not part of it).
        for item in recurring_items(order, catalog_id):
            yield SavedWork("subscription", order.id, f"{order.number} ({order.owner.email})",
                            item.get("selection") or {}, order.owner.facts(), True)


def recurring_items(order: Order, catalog_id: str) -> list[dict[str, Any]]:
    """The items of an order that are of the product line and paid per delivery or month."""
    return [item for item in snapshot_items_of_line(order.snapshot, catalog_id)
            if item.get("recurring")]


def price_lists(session: Session, catalog_id: str, before: Catalog, after: Catalog) -> list[PriceListChange]:
    """The accounts' fixed option prices of the product line that the release leaves without
    their option, or whose list price it changes (percentages off the whole line stay valid)."""
    entries = session.execute(
        sa.select(PriceListEntry, BusinessAccount)
        .join(BusinessAccount, BusinessAccount.id == PriceListEntry.account_id)
        .where(PriceListEntry.catalog_id == catalog_id, PriceListEntry.option.is_not(None))
        .order_by(BusinessAccount.name, PriceListEntry.feature, PriceListEntry.option)
    )
    changes = []
    for entry, account in entries:
        list_before = list_price(before, entry.feature, entry.option)
        list_after = list_price(after, entry.feature, entry.option)
        if list_before is None or list_before == list_after:
            continue  # already orphaned today, or unchanged
        effect = "option_removed" if list_after is None else "list_price_changes"
        changes.append(PriceListChange(account.id, account.name, entry.feature or "", entry.option or "",
                                       entry.price, effect, list_before, list_after))
    return changes


def list_price(catalog: Catalog, feature_id: str | None, option_id: str | None) -> Decimal | None:
    """The option's list price in the catalog, None when the catalog has no such option."""
    for feature in catalog.model.features:
        if feature.id == feature_id:
            for option in feature.options:
                if option.id == option_id:
                    return option.price
    return None


def impact(session: Session, catalog_id: str, before: Catalog, after: Catalog) -> Impact:
    """What releasing `after` in place of `before` does to the product line's saved work."""
    result = Impact(count_before=before.count(), count_after=after.count(),
                    price_lists=price_lists(session, catalog_id, before, after))
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
    if work.kind == "subscription":  # what is paid again: per delivery and per month
        recurring = deliveries.recurrence(catalog, selection)
        return recurring.per_delivery + recurring.per_month
    return catalog.price(selection).total
