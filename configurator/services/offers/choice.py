"""Which items a customer's offer shows, chosen from their own orders.

Two items they buy again and again (options of the product dimension ordered
in at least two orders, most often first), plus one step into a new, higher
value category: a premium option of the feature they buy most (pricier than
anything they chose there, never bought), or else a product line they never
ordered. A customer with no order gets no offer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services import catalogs
from configurator.services.errors import NotFound
from configurator.store.models import CatalogVersion, Order, User, snapshot_configurations

REPEATED = 2  # ordered in at least this many orders: "again and again"
AGAIN, PREMIUM, NEW_LINE = "again", "premium", "new_line"


@dataclass(frozen=True)
class OfferItem:
    """One item of an offer: an option of a product line, or a whole product line."""

    kind: str  # again | premium | new_line
    catalog: str
    catalog_name: str
    feature: str | None
    option: str | None
    name: str
    why: str

    def to_json(self) -> dict:
        """As kept with the `shown` event."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> OfferItem:
        """Back from the `shown` event."""
        return cls(**{key: data.get(key) for key in cls.__dataclass_fields__})

    def matches(self, catalog_id: str, selection: dict) -> bool:
        """Whether an order of `catalog_id` with these picks contains this item."""
        if catalog_id != self.catalog:
            return False
        if self.option is None:
            return True  # a product line new to the customer: any configuration of it
        picked = selection.get(self.feature)
        return self.option in picked if isinstance(picked, list) else picked == self.option


def choose(session: Session, customer: User, now: datetime | None = None) -> list[OfferItem]:
    """Up to two repeated items and one step up, from the orders placed before `now`
    (all of them when None); empty without orders."""
    query = sa.select(Order).where(Order.owner_id == customer.id, Order.status != "cancelled")
    if now is not None:
        query = query.where(Order.created_at < now)
    orders = list(session.scalars(query.order_by(Order.created_at, Order.id)))
    if not orders:
        return []
    counts: Counter[tuple[str, str, str]] = Counter()
    names: dict[tuple[str, str, str], tuple[str, str]] = {}
    lines_ordered: set[str] = set()
    # Every configuration of an order: a cart's items, a quote's configured lines (each of
    # its own product line; a quote keeps no priced options, so only its lines count).
    # An option counts once per order: two bikes with it in one cart are one purchase.
    for order in orders:
        held: dict[tuple[str, str, str], None] = {}  # in order: ties go to the first ordered
        for item in snapshot_configurations(order.snapshot):
            catalog_id = item.get("catalog", {}).get("id")
            if catalog_id is not None:
                lines_ordered.add(catalog_id)
                held.update(dict.fromkeys(_product_options(item, names)))
        counts.update(held.keys())  # each once
    repeated = [key for key, count in counts.most_common() if count >= REPEATED][:2]
    items = [
        OfferItem(AGAIN, key[0], names[key][0], key[1], key[2], names[key][1],
                  f"You ordered it {counts[key]} times")
        for key in repeated
    ]
    step = _premium(session, repeated or [key for key, _ in counts.most_common(1)], counts)
    if step is None:
        step = _new_line(session, lines_ordered)
    if step is not None:
        items.append(step)
    return items


def _product_options(
    item: dict, names: dict[tuple[str, str, str], tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """The priced options of the product dimension the item holds (their names noted)."""
    catalog = item["catalog"]
    held = []
    for line in item.get("lines", []):
        if line.get("dimension") != "product" or Decimal(line["amount"]) <= 0:
            continue
        key = (catalog["id"], line["feature"], line["option"])
        held.append(key)
        names[key] = (catalog.get("name", catalog["id"]), line["option_name"])
    return held


def _premium(
    session: Session, usual: list[tuple[str, str, str]], counts: Counter
) -> OfferItem | None:
    """The priciest never-bought option of the feature of the customer's usual item,
    when it costs more than the usual one in today's catalog."""
    for catalog_id, feature_id, option_id in usual:
        version = _current(session, catalog_id)
        if version is None:
            continue
        feature = catalogs.engine_catalog(version).model.feature(feature_id)
        if feature is None:
            continue
        prices = {option.id: option.price for option in feature.options}
        if option_id not in prices:
            continue
        bought = {key[2] for key in counts if key[:2] == (catalog_id, feature_id)}
        higher = [
            option for option in feature.options
            if option.id not in bought and option.price > prices[option_id]
        ]
        if higher:
            best = max(higher, key=lambda option: option.price)
            return OfferItem(
                PREMIUM, catalog_id, version.name, feature_id, best.id, best.name,
                f"A step up from what you usually choose for {feature.name}",
            )
    return None


def _new_line(session: Session, ordered: set[str]) -> OfferItem | None:
    """The first product line (by name) the customer never ordered."""
    for version in catalogs.current_versions(session):
        if version.catalog_id not in ordered:
            return OfferItem(
                NEW_LINE, version.catalog_id, version.name, None, None, version.name,
                "A product line you have not tried yet",
            )
    return None


def _current(session: Session, catalog_id: str) -> CatalogVersion | None:
    try:
        return catalogs.current(session, catalog_id)
    except NotFound:  # a product line no longer loaded offers no step up
        return None
