"""An order's margin: what it brought minus what its options cost us.

Per line, the price paid minus the option's `cost` (a catalog-format
extension; see README). The cost comes from the order snapshot when it has
one, else from the catalog version the order was placed with, so a later cost
change never rewrites a past margin. An option without a cost costs nothing
(a payment method); a catalog without any cost gives no margin (None), never
a margin equal to the revenue. Orders converted from quotes: the quote's net
total minus each bought line's option costs times its quantity and the service
lines' costs.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from configurator.services import catalogs
from configurator.services.configuring.selection import pairs
from configurator.store.models import CatalogVersion, Order
from configurator.store.quotes import QuoteRecord


def order_net(order: Order) -> Decimal:
    """What the order brought before VAT: the accepted quote's net total, or the net
    of the VAT breakdown kept at checkout. An order placed without one (through the
    API, a reorder, the demo data) kept no VAT rate, so its total counts as it is."""
    quote = order.snapshot.get("quote")
    if quote:
        return Decimal(quote["totals"]["net_total"])
    vat = order.snapshot.get("checkout", {}).get("vat")
    if vat:
        return Decimal(vat["net"])
    return order.total


def order_margin(order: Order) -> Decimal | None:
    """Price before VAT minus cost over the order's lines; None when its catalog has no costs."""
    if "quote" in order.snapshot:  # its lines are quote lines, not catalog options
        return _quote_order_margin(order)
    margin = _shop_margin(order)
    if margin is None:
        return None
    # The lines are priced with VAT; the VAT kept at checkout is not ours.
    return margin - (order.total - order_net(order))


def _shop_margin(order: Order) -> Decimal | None:
    """Price paid minus cost over a shop order's lines (prices with VAT), for every
    unit ordered: the lines are one unit's; the reward is already the order's."""
    # An offer's reward (a negative amount) is given up from the margin.
    reward = Decimal(order.snapshot.get("offer", {}).get("amount", "0"))
    if "items" in order.snapshot:  # from the cart: each item with its own catalog and quantity
        margin = _cart_margin(order)
        return None if margin is None else margin + reward
    unit = _shop_unit_margin(order)
    if unit is None:
        return None
    return reward + unit * int(order.snapshot.get("quantity", 1))


def _shop_unit_margin(order: Order) -> Decimal | None:
    """Price minus cost of one unit of the configuration; None when its catalog has no costs."""
    lines = order.snapshot.get("lines", [])
    if lines and all("cost" in line for line in lines):
        return sum((Decimal(line["amount"]) - Decimal(line["cost"]) for line in lines), Decimal(0))
    model = catalogs.engine_catalog(order.catalog_version).model
    if not any(option.cost is not None for f in model.features for option in f.options):
        return None
    margin = Decimal(0)
    for line in lines:
        feature = model.feature(line["feature"])
        option = feature.option(line["option"]) if feature else None
        cost = option.cost if option is not None and option.cost is not None else Decimal(0)
        margin += Decimal(line["amount"]) - cost
    return margin


def _cart_margin(order: Order) -> Decimal | None:
    """An order from the cart: each item's price minus its catalog cost, times its
    quantity; None when an item's catalog has no costs."""
    session = object_session(order)
    margin = Decimal(0)
    for item in order.items:
        version = catalogs.numbered(session, item["catalog"]["id"], int(item["catalog"]["version"]))
        cost = unit_cost(version, item["selection"])
        if cost is None:
            return None
        unit = Decimal(item.get("unit_total", item["total"]))
        margin += (unit - cost) * int(item.get("quantity", 1))
    return margin


def _quote_order_margin(order: Order) -> Decimal | None:
    """The quote's net total minus the cost of every bought line's options times its quantity."""
    bought = _bought_lines(order)
    if bought is None:
        return None
    cost = Decimal(0)
    for catalog_version, selection, quantity in bought:
        unit = unit_cost(catalog_version, selection)
        if unit is None:
            return None
        cost += unit * quantity
    return order_net(order) - cost - _service_cost(order)


def _service_cost(order: Order) -> Decimal:
    """What the quote's service lines (freight, installation) cost us, as staff entered it;
    the client's document (the frozen quote) keeps no cost, the quote's rows do."""
    session = object_session(order)
    record = session.scalar(sa.select(QuoteRecord).where(QuoteRecord.order_id == order.id))
    if record is None:
        return Decimal(0)
    return sum((line.unit_cost * line.quantity for line in record.service_lines), Decimal(0))


def _bought_lines(order: Order) -> list[tuple[CatalogVersion, dict, int]] | None:
    """(catalog version, picks, quantity) of the lines the client bought: the order's
    configured lines (optional lines not chosen and alternatives left out); an order
    converted before those were kept falls back to the quote's lines."""
    session = object_session(order)
    configured = order.snapshot.get("configured_lines")
    if configured is not None:
        return [(session.get(CatalogVersion, line["catalog_version_id"]), line["selection"],
                 int(line["quantity"])) for line in configured]
    record = session.scalar(sa.select(QuoteRecord).where(QuoteRecord.order_id == order.id))
    if record is None or not record.frozen:
        return None
    return [(line.catalog_version, line.selection, line.quantity) for line in record.lines]


def unit_cost(catalog_version, selection) -> Decimal | None:
    """What one unit of `selection` costs us: the catalog `cost` of each picked
    option (0 for an option without one); None when the catalog states no costs."""
    model = catalogs.engine_catalog(catalog_version).model
    costs = {
        (feature.id, option.id): option.cost
        for feature in model.features
        for option in feature.options
        if option.cost is not None
    }
    if not costs:
        return None
    return sum((costs.get(pick, Decimal(0)) for pick in pairs(selection)), Decimal(0))
