"""Personal defaults: the options a customer chose before, suggested first (only to
customers who allow personalization)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.configuring.selection import pairs
from configurator.services.privacy import consent
from configurator.store.models import Configuration, Order, Revision, User, snapshot_configurations

HISTORY = 20  # recent configurations and orders looked at


def personal_defaults(
    session: Session, customer: User, catalog_id: str, *, excluding: int | None = None
) -> dict[str, list[str]]:
    """Per feature, the options this customer usually picks in this product line.

    Looks at the newest revision of their recent configurations and at their
    recent orders; more recent picks weigh more. Options that appear in at
    least a third of that history are returned, most usual first.
    `excluding` is the configuration being edited: its own picks are no
    earlier choice (else a first configuration says "You chose this before"
    on everything it holds).

    Nothing for a customer who refused personalization: "You chose this before" and
    "apply my usual choices" read their history unasked, as a suggestion does.
    """
    if not consent.allows(session, customer, "personalization"):
        return {}
    selections = [
        row.selection
        for row in session.execute(
            sa.select(Revision.selection)
            .join(
                Configuration,
                sa.and_(
                    Revision.configuration_id == Configuration.id,
                    Revision.number == Configuration.revision_count,
                ),
            )
            .where(
                Configuration.owner_id == customer.id,
                Configuration.catalog_id == catalog_id,
                Configuration.id != (excluding if excluding is not None else -1),
            )
            .order_by(Configuration.updated_at.desc())
            .limit(HISTORY)
        )
    ]
    orders = session.scalars(
        sa.select(Order.snapshot)
        .where(Order.owner_id == customer.id)
        .order_by(Order.created_at.desc())
        .limit(HISTORY)
    )
    selections += [
        item["selection"]
        for snap in orders
        # An order from the cart or a quote: each configuration, of its own product line.
        for item in snapshot_configurations(snap)
        if item["catalog"]["id"] == catalog_id and item.get("selection")
    ]
    if not selections:
        return {}
    scores: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    weight_total = 0.0
    for rank, selection in enumerate(selections):
        weight = 1.0 / (1 + rank * 0.1)
        weight_total += weight
        for feature, option in pairs(selection):
            scores[feature][option] += weight
    result = {}
    for feature, options in scores.items():
        usual = [
            o for o, s in sorted(options.items(), key=lambda kv: -kv[1]) if s >= weight_total / 3
        ]
        if usual:
            result[feature] = usual
    return result
