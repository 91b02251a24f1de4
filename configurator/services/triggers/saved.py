"""Saved configurations that changed under the customer's feet: a new catalog
version made one cheaper (an offer: marketing) or no longer allows it (the
customer must know before ordering: service).

Only configurations whose newest revision was priced with an older catalog
version are re-checked: without a new version nothing about them changed.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.configuring import configurations
from configurator.services.messages.outbox import Draft
from configurator.services.triggers.candidates import Candidate
from configurator.store.models import CatalogVersion, Configuration, Revision, User

PRICE_DROP = "price_drop"
OUTDATED = "configuration_outdated"


def candidates(session: Session) -> Iterator[Candidate]:
    """A message for each saved configuration that is now cheaper or no longer fits."""
    for configuration, revision in session.execute(_behind_the_catalog()):
        _, version, result = configurations.recheck_latest(
            session, configuration.owner, configuration.id
        )
        moment = f"{configuration.id}:{revision.number}:{version.id}"
        if not result.fits:
            yield Candidate(configuration.owner, _outdated(configuration, result),
                            f"outdated:{moment}")
        elif result.total_now is not None and result.total_now < revision.price:
            yield Candidate(configuration.owner, _cheaper(configuration, revision, result),
                            f"price-drop:{moment}")


def _behind_the_catalog() -> sa.Select:
    """Customers' configurations whose newest revision is of an older catalog version."""
    newest = (
        sa.select(CatalogVersion.catalog_id, sa.func.max(CatalogVersion.number).label("number"))
        .group_by(CatalogVersion.catalog_id)
        .subquery()
    )
    priced_with = sa.orm.aliased(CatalogVersion)
    return (
        sa.select(Configuration, Revision)
        .join(Revision, sa.and_(Revision.configuration_id == Configuration.id,
                                Revision.number == Configuration.revision_count))
        .join(priced_with, priced_with.id == Revision.catalog_version_id)
        .join(newest, newest.c.catalog_id == Configuration.catalog_id)
        .join(User, User.id == Configuration.owner_id)
        .where(priced_with.number < newest.c.number, User.role == "customer",
               User.erased_at.is_(None))
        .order_by(Configuration.id)
    )


def _cheaper(configuration: Configuration, revision: Revision, result) -> Draft:
    saving = revision.price - result.total_now
    return Draft(
        kind=PRICE_DROP,
        subject=f"“{configuration.name}” is {saving} cheaper now",
        body=(
            f"You saved “{configuration.name}” at {revision.price}. With today's catalog it "
            f"costs {result.total_now}, everything you picked still fits."
        ),
        reason=f"The price of your saved configuration “{configuration.name}” dropped.",
        action_url=f"/account/configurations/{configuration.id}",
        action_label="Open it and order",
        purpose="marketing",
    )


def _outdated(configuration: Configuration, result) -> Draft:
    problems = "; ".join(
        f"{line.feature_name}: {line.option_name} ({line.reason or line.status})"
        for line in result.problems
    )
    return Draft(
        kind=OUTDATED,
        subject=f"“{configuration.name}” no longer fits our catalog",
        body=(
            f"Our catalog changed since you saved “{configuration.name}”. What no longer fits: "
            f"{problems}.\n\nOpen it to see the repair we suggest."
        ),
        reason=f"Your saved configuration “{configuration.name}” no longer fits the catalog.",
        action_url=f"/account/configurations/{configuration.id}",
        action_label="See the repair",
        purpose="service",
    )
