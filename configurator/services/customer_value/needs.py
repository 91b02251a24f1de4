"""A customer's needs profile: per product line, dimension and feature, what
they tend to choose, from their saved configurations and their orders.

Each configuration counts once (its newest revision); each order counts
ORDER_WEIGHT times, because an order is what the customer really wanted, a
saved configuration may be a try. An order is one purchase of each product line
it holds: a cart order of two bikes is one order of bikes, its weight shared
by the two after their quantities. A share is the weight of the configurations
and orders holding the option over the weight of all of them in that product
line; for a multi-select feature the shares can add up to more than 100 %.
Names come from the current catalog; an option it no longer has keeps the
name the order snapshot had (or its id).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services import catalogs
from configurator.services.configuring.page import DIMENSION_NAMES
from configurator.services.configuring.selection import pairs
from configurator.services.errors import NotFound
from configurator.store.models import Configuration, Order, Revision, User, snapshot_configurations

ORDER_WEIGHT = 3
PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class Tendency:
    """One option and the share of the customer's history that holds it."""

    option: str
    name: str
    share: Decimal  # 0..100, one decimal
    ordered: int  # in how many orders


@dataclass
class FeatureNeeds:
    """What the customer picks for one feature, most chosen first."""

    feature: str
    name: str
    tendencies: list[Tendency]


@dataclass
class CatalogNeeds:
    """The customer's profile in one product line, by dimension."""

    catalog_id: str
    name: str
    configurations: int
    orders: int
    dimensions: list[tuple[str, list[FeatureNeeds]]] = field(default_factory=list)


@dataclass
class _Seen:
    """Weighted history of one product line while it is being counted."""

    weight: Fraction = Fraction(0)
    configurations: int = 0
    orders: int = 0
    picks: dict[str, dict[str, Fraction]] = field(default_factory=lambda: defaultdict(dict))
    ordered: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    names: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, selection: dict, weight: Fraction) -> None:
        self.weight += weight
        for feature, option in pairs(selection):
            self.picks[feature][option] = self.picks[feature].get(option, 0) + weight

    def add_order(self, items: list[dict]) -> None:
        """One order's items of this product line: one purchase, ORDER_WEIGHT shared by
        the items after their quantities (three bikes and one are 3/4 and 1/4 of it)."""
        quantities = [max(int(item.get("quantity", 1)), 1) for item in items]
        held: set[tuple[str, str]] = set()
        for item, quantity in zip(items, quantities, strict=True):
            self.add(item["selection"], Fraction(ORDER_WEIGHT * quantity, sum(quantities)))
            for line in item.get("lines", []):
                key = (line["feature"], line["option"])
                held.add(key)
                self.names.setdefault(key, line.get("option_name", line["option"]))
        self.orders += 1
        for key in held:
            self.ordered[key] += 1


def profile(session: Session, viewer: User, customer_id: int) -> list[CatalogNeeds]:
    """The needs profile of a customer, for staff; NotFound for anyone else."""
    customer = session.get(User, customer_id)
    if customer is None or not viewer.is_staff or customer.is_staff:
        raise NotFound("There is no such customer.")
    seen: dict[str, _Seen] = defaultdict(_Seen)
    for catalog_id, selection in _latest_revisions(session, customer.id):
        seen[catalog_id].add(selection, Fraction(1))
        seen[catalog_id].configurations += 1
    kept = session.scalars(sa.select(Order.snapshot).where(Order.owner_id == customer.id))
    for snapshot in kept:
        # An order from the cart or a quote: its configurations, by product line.
        by_line: dict[str, list[dict]] = defaultdict(list)
        for item in snapshot_configurations(snapshot):
            by_line[item["catalog"]["id"]].append(item)
        for catalog_id, items in by_line.items():
            seen[catalog_id].add_order(items)
    return [_catalog_needs(session, catalog_id, history) for catalog_id, history in seen.items()]


def _latest_revisions(session: Session, customer_id: int):
    query = sa.select(Configuration.catalog_id, Revision.selection).join(
        Revision,
        sa.and_(
            Revision.configuration_id == Configuration.id,
            Revision.number == Configuration.revision_count,
        ),
    )
    return session.execute(query.where(Configuration.owner_id == customer_id))


def _catalog_needs(session: Session, catalog_id: str, history: _Seen) -> CatalogNeeds:
    try:
        model = catalogs.engine_catalog(catalogs.current(session, catalog_id)).model
    except NotFound:  # a product line taken out of the shop: ids and snapshot names only
        model = None
    needs = CatalogNeeds(
        catalog_id,
        model.name if model else catalog_id,
        history.configurations,
        history.orders,
    )
    by_dimension: dict[str, list[FeatureNeeds]] = defaultdict(list)
    features = list(model.features) if model else []
    known = {feature.id for feature in features}
    for feature_id in [f.id for f in features] + sorted(set(history.picks) - known):
        chosen = history.picks.get(feature_id)
        if not chosen:
            continue
        feature = model.feature(feature_id) if model and feature_id in known else None
        tendencies = [
            Tendency(
                option,
                _option_name(feature, feature_id, option, history),
                _percent(weight / history.weight),
                history.ordered.get((feature_id, option), 0),
            )
            for option, weight in sorted(chosen.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        dimension = feature_dimension(model, feature_id)
        by_dimension[dimension].append(
            FeatureNeeds(feature_id, feature.name if feature else feature_id, tendencies)
        )
    needs.dimensions = [
        (DIMENSION_NAMES.get(d, d.capitalize()), by_dimension[d])
        for d in [*DIMENSION_NAMES, "other"]
        if by_dimension.get(d)
    ]
    return needs


def _percent(share: Fraction) -> Decimal:
    """A share as a percentage with one decimal (Decimal division: exact enough, no float)."""
    return (Decimal(100) * share.numerator / share.denominator).quantize(PERCENT)


def feature_dimension(model, feature_id: str) -> str:
    """The feature's dimension, or `other` for a feature the catalog no longer has."""
    feature = model.feature(feature_id) if model else None
    return feature.dimension if feature else "other"


def _option_name(feature, feature_id: str, option_id: str, history: _Seen) -> str:
    option = feature.option(option_id) if feature else None
    if option is not None:
        return option.name
    return history.names.get((feature_id, option_id), option_id)
