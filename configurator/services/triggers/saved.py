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

from configurator.quoting.phrases import N_, Amount, Joined
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
            yield Candidate(configuration.owner, _cheaper(configuration, revision, result, version.currency),
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


def _cheaper(configuration: Configuration, revision: Revision, result, currency: str) -> Draft:
    # Phrases: the outbox writes them in the customer's saved language.
    name = configuration.name
    saving = Amount(revision.price - result.total_now, currency, coded=False)
    return Draft(
        kind=PRICE_DROP,
        subject=N_("“%(name)s” is %(saving)s cheaper now", name=name, saving=saving),
        body=N_("You saved “%(name)s” at %(then)s. With today's catalog it costs %(now)s, "
                "everything you picked still fits.", name=name,
                then=Amount(revision.price, currency, coded=False),
                now=Amount(result.total_now, currency, coded=False)),
        reason=N_("The price of your saved configuration “%(name)s” dropped.", name=name),
        action_url=f"/account/configurations/{configuration.id}",
        action_label=N_("Open it and order"),
        purpose="marketing",
    )


def _outdated(configuration: Configuration, result) -> Draft:
    # The catalog's names and the engine's reasons stay as the catalog writes them.
    problems = "; ".join(
        f"{line.feature_name}: {line.option_name} ({line.reason or line.status})"
        for line in result.problems
    )
    name = configuration.name
    return Draft(
        kind=OUTDATED,
        subject=N_("“%(name)s” no longer fits our catalog", name=name),
        body=Joined((
            N_("Our catalog changed since you saved “%(name)s”. What no longer fits: "
               "%(problems)s.", name=name, problems=problems),
            N_("Open it to see the repair we suggest."),
        ), "\n\n"),
        reason=N_("Your saved configuration “%(name)s” no longer fits the catalog.", name=name),
        action_url=f"/account/configurations/{configuration.id}",
        action_label=N_("See the repair"),
        purpose="service",
    )
