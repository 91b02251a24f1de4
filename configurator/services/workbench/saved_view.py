"""Saved work as a catalog manager sees it from the impact list: read only,
the picks by name, and whether each fits (and at what price) the version in
use and the draft. The shop's own pages (a customer's configuration, a
seller's quote) are not theirs to open; this view is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.engine import Catalog
from configurator.quoting.phrases import N_, Percent
from configurator.services import catalogs, deliveries
from configurator.services.business import accounts
from configurator.services.errors import NotFound
from configurator.services.workbench import drafts
from configurator.services.workbench.impact import (
    SavedWork,
    list_price,
    price_if_fits,
    recurring_items,
)
from configurator.store.models import Configuration, Order, Revision
from configurator.store.quotes import BusinessAccount, PriceListEntry, QuoteLineRecord, QuoteRecord

KINDS = ("configuration", "quote", "subscription", "account")


@dataclass(frozen=True)
class Pick:
    """A feature and the names of the options picked for it."""

    feature: str
    options: list[str]


@dataclass(frozen=True)
class SavedItem:
    """One selection: its picks by name and its price now and with the draft (None: does not fit)."""

    label: str
    picks: list[Pick]
    price_now: Decimal | None
    price_draft: Decimal | None


@dataclass(frozen=True)
class PriceRow:
    """An account's fixed price for an option, with the option's list price now and in the draft."""

    feature: str
    option: str
    account_price: Decimal
    list_now: Decimal | None
    list_draft: Decimal | None


@dataclass
class SavedWorkView:
    """What the read-only page shows."""

    kind: str
    title: str
    subtitle: str = ""
    items: list[SavedItem] = field(default_factory=list)
    prices: list[PriceRow] = field(default_factory=list)
    draft_shown: bool = False  # False: there is no usable draft, "with the draft" is the version in use


def describe(session: Session, catalog_id: str, kind: str, record_id: int) -> SavedWorkView:
    """The saved work of a product line named by the impact list; NotFound when it is not one."""
    version = catalogs.current(session, catalog_id)
    now = catalogs.engine_catalog(version)
    draft, shown = drafts.try_catalog(session, catalog_id)
    draft_shown = shown == "the draft"
    if kind == "configuration":
        view = _configuration(session, catalog_id, record_id, now, draft)
    elif kind == "quote":
        view = _quote(session, catalog_id, record_id, now, draft)
    elif kind == "subscription":
        view = _subscription(session, catalog_id, record_id, now, draft)
    elif kind == "account":
        view = _account(session, catalog_id, record_id, now, draft)
    else:
        raise NotFound(f"There is no saved work of kind {kind!r}.")
    view.draft_shown = draft_shown
    return view


def _missing(kind: str, record_id: int, catalog_id: str) -> NotFound:
    return NotFound(f"There is no {kind} {record_id} of {catalog_id}.")


def _configuration(session: Session, catalog_id: str, record_id: int, now: Catalog, draft: Catalog):
    configuration = session.get(Configuration, record_id)
    if configuration is None or configuration.catalog_id != catalog_id:
        raise _missing("configuration", record_id, catalog_id)
    revision = session.scalar(
        sa.select(Revision).where(Revision.configuration_id == record_id)
        .order_by(Revision.number.desc()).limit(1)
    )
    if revision is None:
        raise _missing("configuration", record_id, catalog_id)
    work = SavedWork("configuration", record_id, configuration.name, revision.selection,
                     configuration.owner.facts(), revision.complete)
    return SavedWorkView(
        "configuration", N_("Configuration %(name)s", name=configuration.name),
        N_("%(email)s, revision %(number)s", email=configuration.owner.email, number=revision.number)
        if revision.complete else
        N_("%(email)s, revision %(number)s (unfinished)", email=configuration.owner.email, number=revision.number),
        items=[_item(N_("Revision %(number)s", number=revision.number), work, now, draft)],
    )


def _quote(session: Session, catalog_id: str, record_id: int, now: Catalog, draft: Catalog):
    quote = session.get(QuoteRecord, record_id)
    lines = session.scalars(
        sa.select(QuoteLineRecord)
        .where(QuoteLineRecord.quote_id == record_id, QuoteLineRecord.catalog_id == catalog_id)
        .order_by(QuoteLineRecord.position)
    ).all()
    if quote is None or not lines:
        raise _missing("quote", record_id, catalog_id)
    facts = accounts.customer_facts(quote.account)
    items = [
        _item(N_("Line %(position)s × %(quantity)s", position=line.position, quantity=line.quantity),
              SavedWork("quote", record_id, "", line.selection, facts, True), now, draft)
        for line in lines
    ]
    return SavedWorkView("quote", N_("Quote %(number)s", number=quote.number), f"{quote.account.name}, {quote.status}", items=items)


def _subscription(session: Session, catalog_id: str, record_id: int, now: Catalog, draft: Catalog):
    order = session.get(Order, record_id)
    # A cart order's repeating items of this line, whichever item is first.
    items = recurring_items(order, catalog_id) if order is not None else []
    if not items:
        raise _missing("subscription", record_id, catalog_id)
    recurring = deliveries.of_order(order)
    works = [SavedWork("subscription", record_id, "", item.get("selection") or {},
                       order.owner.facts(), True) for item in items]
    every = ""
    if recurring is not None and recurring.repeats:
        every = f", {recurring.schedule or 'repeating'}: {recurring.per_delivery} per delivery"
    return SavedWorkView(
        "subscription", N_("Subscription %(number)s", number=order.number), f"{order.owner.email}, {order.status}{every}",
        items=[_item(N_("Recurring price (per delivery and month)"), work, now, draft)
               for work in works],
    )


def _account(session: Session, catalog_id: str, record_id: int, now: Catalog, draft: Catalog):
    account = session.get(BusinessAccount, record_id)
    if account is None:
        raise _missing("account", record_id, catalog_id)
    entries = session.scalars(
        sa.select(PriceListEntry)
        .where(PriceListEntry.account_id == record_id, PriceListEntry.catalog_id == catalog_id)
        .order_by(PriceListEntry.feature, PriceListEntry.option)
    ).all()
    view = SavedWorkView("account", N_("Price list of %(name)s", name=account.name), f"{catalog_id}")
    for entry in entries:
        if entry.option is None:
            view.subtitle = N_("%(before)s; %(percent)s off the whole line",
                               before=view.subtitle, percent=Percent(entry.percent_off))
            continue
        view.prices.append(PriceRow(entry.feature or "", entry.option, entry.price,
                                    list_price(now, entry.feature, entry.option),
                                    list_price(draft, entry.feature, entry.option)))
    return view


def _item(label: str, work: SavedWork, now: Catalog, draft: Catalog) -> SavedItem:
    return SavedItem(label, _picks(now, work.selection), price_if_fits(now, work), price_if_fits(draft, work))


def _picks(catalog: Catalog, selection: Mapping[str, Any]) -> list[Pick]:
    """The picks by name (an id the catalog no longer has is shown as it is)."""
    features = {feature.id: feature for feature in catalog.model.features}
    picks = []
    for feature_id, picked in selection.items():
        ids = [picked] if isinstance(picked, str) else list(picked or [])
        feature = features.get(feature_id)
        names = {option.id: option.name for option in feature.options} if feature else {}
        picks.append(Pick(feature.name if feature else feature_id, [names.get(i, i) for i in ids]))
    return picks
