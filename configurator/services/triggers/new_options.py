"""Something new in a product line the customer buys again and again.

A customer with at least REPEAT orders of a product line hears once about each
newer catalog version that brings options their last order's version did not
have (news about our products: marketing, so only with their opt-in). Each
line of an order counts: a cart order of a bike and a coffee is an order of both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import catalogs
from configurator.services.errors import NotFound
from configurator.services.messages.outbox import Draft
from configurator.services.triggers.candidates import Candidate
from configurator.store.models import CatalogVersion, Order, User

KIND = "new_options"
REPEAT = 2
SHOWN = 5  # new options named in the message; the rest are "and N more"


def candidates(session: Session) -> Iterator[Candidate]:
    """A message per repeat buyer and product line whose current version has new options."""
    for customer, last_version_id in _repeat_buyers(session):
        then = session.get(CatalogVersion, last_version_id)
        now = catalogs.current(session, then.catalog_id)
        if now.number <= then.number:
            continue
        new = _new_options(then, now)
        if new:
            yield Candidate(customer, _news(now, new), f"new-options:{customer.id}:{now.id}")


@dataclass
class _Line:
    """A customer's orders of one product line: how many, and the newest one's version."""

    orders: int = 0
    newest: tuple[datetime, int, int] | None = None  # (placed, order id, catalog version id)


def _repeat_buyers(session: Session) -> list[tuple[User, int]]:
    """(customer, catalog version of their newest order of the line) per product line
    they bought in REPEAT+ orders, by customer then product line.

    Every line of an order counts: a cart order's items and a quote's configured lines
    are each of their own product line and catalog version (the order's own version is
    its first one's); an order holding a line twice is one order of it. Orders of one
    configuration are counted by the database; only the others are read one by one."""
    bought: dict[tuple[int, str], _Line] = defaultdict(_Line)
    for owner_id, line, orders, created_at, order_id, version in session.execute(_single_orders()):
        _count(bought[(owner_id, line)], orders, (created_at, order_id, version))
    line_of = dict(session.execute(sa.select(CatalogVersion.id, CatalogVersion.catalog_id)).all())
    for owner_id, order_id, created_at, versions in _orders_of_several(session):
        for line, version in {line_of.get(v): v for v in sorted(versions)}.items():
            if line is not None:
                _count(bought[(owner_id, line)], 1, (created_at, order_id, version))
    repeat = sorted((key, kept.newest[2]) for key, kept in bought.items() if kept.orders >= REPEAT)
    # Every customer with an order counted, by a subquery: a list of thousands of ids would
    # be as many bound parameters.
    users = {user.id: user for user in session.scalars(
        sa.select(User).where(User.id.in_(_counted(sa.select(Order.owner_id)))))}
    return [(users[owner], version) for (owner, _), version in repeat]


def _count(kept: _Line, orders: int, newest: tuple[datetime, int, int]) -> None:
    kept.orders += orders
    if kept.newest is None or newest[:2] > kept.newest[:2]:
        kept.newest = newest


def _counted(query: sa.Select) -> sa.Select:
    """Orders that count: not cancelled, of a customer not erased."""
    return query.join(User, User.id == Order.owner_id).where(
        Order.status != "cancelled", User.erased_at.is_(None))


def _single_orders() -> sa.Select:
    """Per customer and product line, their orders of one configuration: how many, and
    the newest one's time, id and catalog version."""
    ranked = _counted(
        sa.select(
            Order.owner_id,
            CatalogVersion.catalog_id,
            sa.func.count().over(partition_by=(Order.owner_id, CatalogVersion.catalog_id))
            .label("orders"),
            Order.created_at,
            Order.id,
            Order.catalog_version_id,
            sa.func.row_number().over(
                partition_by=(Order.owner_id, CatalogVersion.catalog_id),
                order_by=(Order.created_at.desc(), Order.id.desc()),
            ).label("newest"),
        )
        .join(CatalogVersion, CatalogVersion.id == Order.catalog_version_id)
        .where(Order.configuration_id.is_not(None))
    ).subquery()
    return sa.select(
        ranked.c.owner_id, ranked.c.catalog_id, ranked.c.orders, ranked.c.created_at, ranked.c.id,
        ranked.c.catalog_version_id,
    ).where(ranked.c.newest == 1)


def _orders_of_several(session: Session) -> Iterator[tuple[int, int, datetime, list[int]]]:
    """(owner, order, placed, catalog versions of its lines) of the orders that count
    and are not of one configuration (the cart's, a quote's)."""
    query = _counted(sa.select(Order.owner_id, Order.id, Order.created_at, Order.catalog_version_id,
                               Order.snapshot).where(Order.configuration_id.is_(None)))
    for owner_id, order_id, created_at, version_id, snapshot in session.execute(query):
        yield owner_id, order_id, created_at, _versions(session, snapshot, version_id)


def _versions(session: Session, snapshot: dict, own_version_id: int) -> list[int]:
    """The catalog versions of every line of an order not of one configuration."""
    if "items" in snapshot:  # from the cart
        return [item.get("catalog_version_id") or _numbered(session, item) or own_version_id
                for item in snapshot["items"]]
    configured = snapshot.get("configured_lines")  # from a quote
    if configured:
        return [line["catalog_version_id"] for line in configured]
    return [own_version_id]


def _numbered(session: Session, item: dict) -> int | None:
    """A cart item kept before items kept their version id: its version by number."""
    catalog = item.get("catalog") or {}
    try:
        return catalogs.numbered(session, catalog["id"], int(catalog["version"])).id
    except (KeyError, ValueError, NotFound):
        return None


def _new_options(then: CatalogVersion, now: CatalogVersion) -> list[str]:
    """Names of the options of `now` that `then` did not have, in catalog order."""
    known = {(f.id, o.id) for f in catalogs.engine_catalog(then).model.features for o in f.options}
    return [
        f"{feature.name}: {option.name}"
        for feature in catalogs.engine_catalog(now).model.features
        for option in feature.options
        if (feature.id, option.id) not in known
    ]


def _news(version: CatalogVersion, new: list[str]) -> Draft:
    # Phrases: the outbox writes them in the customer's saved language.
    name, more = version.name, len(new) - SHOWN
    listed = (N_("%(options)s and %(count)s more", options=new[:SHOWN], count=more)
              if more > 0 else new)
    subject = (N_("New in %(name)s: %(option)s and more", name=name, option=new[0])
               if len(new) > 1 else N_("New in %(name)s: %(option)s", name=name, option=new[0]))
    return Draft(
        kind=KIND,
        subject=subject,
        body=N_("Since your last order, %(name)s has new options: %(listed)s.",
                name=name, listed=listed),
        reason=N_("You ordered %(name)s several times, and it has new options since.", name=name),
        action_url=f"/shop/{version.catalog_id}",
        action_label=N_("See what's new"),
        purpose="marketing",
    )
