"""Something new in a product line the customer buys again and again.

A customer with at least REPEAT orders of a product line hears once about each
newer catalog version that brings options their last order's version did not
have (news about our products: marketing, so only with their opt-in).
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import catalogs
from configurator.services.messages.outbox import Draft
from configurator.services.triggers.candidates import Candidate
from configurator.store.models import CatalogVersion, Order, User

KIND = "new_options"
REPEAT = 2
SHOWN = 5  # new options named in the message; the rest are "and N more"


def candidates(session: Session) -> Iterator[Candidate]:
    """A message per repeat buyer and product line whose current version has new options."""
    for customer, last_version_id in session.execute(_repeat_buyers()):
        then = session.get(CatalogVersion, last_version_id)
        now = catalogs.current(session, then.catalog_id)
        if now.number <= then.number:
            continue
        new = _new_options(then, now)
        if new:
            yield Candidate(customer, _news(now, new), f"new-options:{customer.id}:{now.id}")


def _repeat_buyers() -> sa.Select:
    """(customer, catalog version of their newest order) per product line bought REPEAT+ times."""
    ranked = (
        sa.select(
            Order.owner_id,
            Order.catalog_version_id,
            CatalogVersion.catalog_id,
            sa.func.count().over(partition_by=(Order.owner_id, CatalogVersion.catalog_id))
            .label("orders"),
            sa.func.row_number().over(
                partition_by=(Order.owner_id, CatalogVersion.catalog_id),
                order_by=(Order.created_at.desc(), Order.id.desc()),
            ).label("newest"),
        )
        .join(CatalogVersion, CatalogVersion.id == Order.catalog_version_id)
        .where(Order.status != "cancelled")
        .subquery()
    )
    return (
        sa.select(User, ranked.c.catalog_version_id)
        .join(ranked, ranked.c.owner_id == User.id)
        .where(ranked.c.newest == 1, ranked.c.orders >= REPEAT, User.erased_at.is_(None))
        .order_by(User.id, ranked.c.catalog_id)
    )


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
