"""Orders: place one from a configuration, list, read, re-check and reorder."""

from __future__ import annotations

from typing import Any

from flask import url_for

from configurator.services import orders
from configurator.store.models import Order, User
from configurator.web.api import schemas
from configurator.web.api.lists import keyset_page
from configurator.web.api.operations import operation
from configurator.web.database import db

TAG = "Orders"


@operation("/orders", "GET", scope="orders:read", tag=TAG, query=schemas.PageQuerySchema,
           response=schemas.OrderPageSchema)
def list_orders(user: User, query: dict[str, Any]) -> dict[str, Any]:
    """List your orders, newest first.

    Paged with `limit` and the `cursor` of the `next` link.
    """
    page = orders.page_for(db.session, user, cursor=query["cursor"], size=query["limit"])
    listed = keyset_page(page, "api.list_orders", query["limit"])
    listed["items"] = [order_view(order) for order in page.items]
    return listed


@operation("/orders", "POST", scope="orders:write", tag=TAG, body=schemas.OrderCreateSchema,
           response=schemas.OrderSchema, status=201, problems=(409,))
def place_order(user: User, body: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """Order a configuration: its newest revision, or the `revision` given.

    409 (not-orderable) when it is incomplete, or was saved with an older
    catalog version: save a new revision first.
    """
    placed = orders.place(db.session, user, body["configuration_id"], body["revision"])
    return order_view(placed), {"Location": url_for("api.get_order", number=placed.number)}


@operation("/orders/<number>", "GET", scope="orders:read", tag=TAG, response=schemas.OrderSchema)
def get_order(user: User, number: str) -> dict[str, Any]:
    """Get an order, exactly as it was placed."""
    return order_view(orders.get(db.session, user, number))


@operation("/orders/<number>/recheck", "GET", scope="orders:read", tag=TAG,
           response=schemas.RecheckSchema)
def recheck_order(user: User, number: str) -> dict[str, Any]:
    """Re-check an order against today's catalog.

    Which picks still fit, what they cost now, and, when something no longer
    fits, the repaired selection at the lowest price.
    """
    order, version, result = orders.recheck_order(db.session, user, number)
    return {
        "order": order.number,
        "catalog_version": version.number,
        "fits": result.fits,
        "total_then": result.total_then,
        "total_now": result.total_now,
        "lines": result.lines,
        "kept": result.kept,
        "repaired": result.repaired,
        "repaired_total": result.repaired_total,
    }


@operation("/orders/<number>/reorder", "POST", scope="orders:write", tag=TAG,
           response=schemas.OrderSchema, status=201, problems=(409,))
def reorder(user: User, number: str) -> tuple[dict[str, Any], dict]:
    """Order again what an earlier order had, at today's prices.

    409 (not-orderable) when something no longer fits: see
    `GET /orders/{number}/recheck` for what changed and the repaired selection.
    """
    again = orders.reorder(db.session, user, number)
    return order_view(again), {"Location": url_for("api.get_order", number=again.number)}


def order_view(order: Order) -> dict[str, Any]:
    """What OrderSchema dumps: the order and its kept snapshot."""
    snapshot = order.snapshot
    return {
        "number": order.number,
        "status": order.status,
        "total": order.total,
        "currency": order.currency,
        "created_at": order.created_at,
        "configuration_id": order.configuration_id,
        "reorder_of": orders.earlier_number(db.session, order),
        **_contents(snapshot),
    }


def _contents(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Catalog, selection and lines; an order from the cart has them per item (`items`),
    and at the top the first item's catalog, no selection and every item's lines."""
    if "items" not in snapshot:
        return {key: snapshot[key] for key in ("catalog", "selection", "lines")}
    items = orders.items_of(snapshot)
    return {
        "catalog": items[0]["catalog"],
        "selection": {},
        "lines": [line for item in items for line in item["lines"]],
        "cart_items": [
            {
                "configuration_id": item["configuration"]["id"],
                "name": item["configuration"]["name"],
                "quantity": int(item.get("quantity", 1)),
                "total": item["total"],
                "catalog": item["catalog"],
                "selection": item["selection"],
                "lines": item["lines"],
            }
            for item in items
        ],
    }
