"""Saved configurations and their revisions: create, revise (with a check
against stale revisions from another tab), rename, list page by page, and
re-check the newest revision against today's catalog. Comparing two
revisions is in `diff`."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from configurator.engine import Catalog, SelectionError
from configurator.quoting.phrases import N_
from configurator.services import catalogs, paging, timeline
from configurator.services.configuring.recheck import (
    Recheck,
    StartingPoint,
    recheck,
    starting_point,
)
from configurator.services.configuring.selection import Selection
from configurator.services.errors import (
    InvalidSelection,
    NotFound,
    ServiceError,
    StaleRevision,
)
from configurator.services.paging import Page
from configurator.services.unit_of_work import use_case
from configurator.store.models import CatalogVersion, Configuration, Revision, User
from configurator.store.types import utcnow

NAME_MAX = 120


class InvalidName(ServiceError, ValueError):
    """A configuration name that is empty, too long or has control characters."""


@dataclass(frozen=True)
class ConfigurationSummary:
    """A row of "My configurations"."""

    configuration: Configuration
    latest: Revision


def priced(
    catalog: Catalog, selection: Selection, customer: dict[str, str]
) -> tuple[Decimal, bool]:
    """Price and completeness of a selection; InvalidSelection for unknown ids."""
    try:
        state = catalog.domains(selection, customer=customer)
        return catalog.price(selection).total, bool(state.complete)
    except SelectionError as error:
        raise InvalidSelection(str(error)) from error


@use_case
def create(
    session: Session,
    owner: User,
    catalog_id: str,
    name: str,
    selection: Selection,
    *,
    derived_from_id: int | None = None,
    version: CatalogVersion | None = None,
    now: datetime | None = None,
) -> Configuration:
    """Save a new configuration with its first revision on the current catalog (or on
    `version` of it: a guest's cart item moved to the account keeps its own)."""
    now = now or utcnow()
    version = version or catalogs.current(session, catalog_id)
    price, complete = priced(catalogs.engine_catalog(version), selection, owner.facts())
    if derived_from_id is not None:
        get(session, owner, derived_from_id)  # only from one's own configurations
    configuration = Configuration(
        owner_id=owner.id,
        catalog_id=catalog_id,
        name=clean_name(name, version.name),
        derived_from_id=derived_from_id,
        revision_count=1,
        created_at=now,
        updated_at=now,
    )
    session.add(configuration)
    session.flush()
    session.add(_revision(configuration, 1, version, selection, price, complete, owner, now))
    timeline.record(
        session,
        owner.id,
        "saved",
        N_("%(name)s (%(line)s)", name=configuration.name, line=version.name),
        {"configuration_id": configuration.id, "revision": 1, "price": str(price)},
        now=now,
    )
    return configuration


@use_case
def revise(
    session: Session,
    owner: User,
    configuration_id: int,
    base_number: int,
    selection: Selection,
    *,
    now: datetime | None = None,
) -> Revision:
    """Save `selection` as the next revision, if `base_number` is still the newest.

    Returns the new revision, or the newest one unchanged when nothing differs.
    StaleRevision when another tab saved meanwhile: nothing is overwritten.
    """
    now = now or utcnow()
    configuration = _owned(session, owner, configuration_id)
    latest = latest_revision(session, configuration)
    if configuration.revision_count != base_number:
        raise _stale(latest.number)
    version = catalogs.current(session, configuration.catalog_id)
    if latest.selection == selection and latest.catalog_version_id == version.id:
        return latest
    price, complete = priced(catalogs.engine_catalog(version), selection, owner.facts())
    number = base_number + 1
    # Compare-and-set: only one of two racing saves can move the counter.
    moved = session.execute(
        sa.update(Configuration)
        .where(Configuration.id == configuration.id, Configuration.revision_count == base_number)
        .values(revision_count=number, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # the other save committed first: its revision is visible now
        raise _stale(latest_revision(session, configuration).number)
    revision = _revision(configuration, number, version, selection, price, complete, owner, now)
    session.add(revision)
    timeline.record(
        session,
        owner.id,
        "changed",
        N_("%(name)s, revision %(number)s", name=configuration.name, number=number),
        {
            "configuration_id": configuration.id,
            "revision": number,
            "price": str(price),
            "price_before": str(latest.price),
        },
        now=now,
    )
    try:
        session.flush()
    except IntegrityError as error:  # revision `number` exists already: someone saved it
        raise _stale(number) from error
    session.refresh(configuration)  # the counter moved in SQL, behind the object's back
    return revision


def get(session: Session, viewer: User, configuration_id: int) -> Configuration:
    """A configuration its owner (or staff) may see; NotFound otherwise."""
    configuration = session.get(Configuration, configuration_id)
    if configuration is None or not (configuration.owner_id == viewer.id or viewer.is_staff):
        raise NotFound(N_("There is no such configuration."))
    return configuration


def latest_revision(session: Session, configuration: Configuration) -> Revision:
    """The newest revision of a configuration."""
    return session.scalars(
        configuration.revisions.select().order_by(Revision.number.desc()).limit(1)
    ).one()


def revision(session: Session, viewer: User, configuration_id: int, number: int) -> Revision:
    """One revision of a configuration the viewer may see."""
    configuration = get(session, viewer, configuration_id)
    found = session.scalar(configuration.revisions.select().where(Revision.number == number))
    if found is None:
        raise NotFound(N_("%(name)s has no revision %(number)s.", name=configuration.name,
                          number=number))
    return found


def revisions(session: Session, viewer: User, configuration_id: int) -> list[Revision]:
    """All revisions, newest first."""
    configuration = get(session, viewer, configuration_id)
    query = configuration.revisions.select().order_by(Revision.number.desc())
    return list(session.scalars(query))


def list_for(
    session: Session, owner: User, *, limit: int = 50, offset: int = 0
) -> list[ConfigurationSummary]:
    """The owner's configurations, most recently changed first, with their newest revision."""
    query = (
        _summaries(owner)
        .order_by(Configuration.updated_at.desc(), Configuration.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return _summary_rows(session, query)


def page_for(
    session: Session, owner: User, *, cursor: str | None = None, size: int | None = None
) -> Page[ConfigurationSummary]:
    """One page of "My configurations", most recently changed first (keyset paging).

    `cursor` is a page's `next_cursor` or `previous_cursor`; InvalidCursor when
    it was not made by us.
    """
    return paging.keyset_page(
        session,
        _summaries(owner),
        (Configuration.updated_at, Configuration.id),
        lambda row: (row.configuration.updated_at, row.configuration.id),
        cursor,
        size,
        rows=_summary_rows,
    )


def revision_page(
    session: Session,
    viewer: User,
    configuration_id: int,
    *,
    cursor: str | None = None,
    size: int | None = None,
) -> Page[Revision]:
    """One page of a configuration's revisions, newest first, for its owner or staff.

    NotFound when the configuration is not the viewer's to see.
    """
    query = sa.select(Revision).where(Revision.configuration_id == configuration_id)
    if not viewer.is_staff:
        # Ownership is checked in the page's own query: one round trip per page.
        query = query.join(Configuration, Configuration.id == Revision.configuration_id).where(
            Configuration.owner_id == viewer.id
        )
    page = paging.keyset_page(
        session, query, (Revision.number,), lambda r: (r.number,), cursor, size
    )
    if not page.items:  # every configuration has a revision: tell why there are none
        get(session, viewer, configuration_id)
    return page


@use_case
def rename(
    session: Session,
    owner: User,
    configuration_id: int,
    name: str,
    *,
    now: datetime | None = None,
) -> Configuration:
    """Give one's configuration a new name, noted on the timeline.

    The choices are untouched, so this is no new revision and does not move the
    configuration up "My configurations". InvalidName for an empty or too long
    name; NotFound for someone else's configuration.
    """
    configuration = _owned(session, owner, configuration_id)
    new_name = valid_name(name)
    old_name = configuration.name
    if new_name == old_name:
        return configuration
    configuration.name = new_name
    timeline.record(
        session,
        owner.id,
        "renamed",
        N_("%(old)s \u2192 %(new)s", old=old_name, new=new_name),
        {"configuration_id": configuration.id, "from": old_name, "to": new_name},
        now=now,
    )
    return configuration


def valid_name(name: str | None) -> str:
    """The name with runs of blanks made one space; InvalidName when unusable."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidName(N_("Give the configuration a name."))
    if len(cleaned) > NAME_MAX:
        raise InvalidName(N_(
            "A name can have at most %(most)s characters; this one has %(count)s.",
            most=NAME_MAX, count=len(cleaned)))
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidName(N_("A name cannot contain control characters."))
    return cleaned


def recheck_latest(
    session: Session, viewer: User, configuration_id: int
) -> tuple[Configuration, CatalogVersion, Recheck]:
    """The configuration, today's catalog version, and how its newest revision fits it."""
    configuration = get(session, viewer, configuration_id)
    latest = latest_revision(session, configuration)
    version = catalogs.current(session, configuration.catalog_id)
    result = recheck(
        catalogs.engine_catalog(version),
        latest.selection,
        priced_lines(latest.catalog_version, latest.selection),
        configuration.owner.facts(),
    )
    return configuration, version, result


def start_from(
    session: Session, viewer: User, configuration_id: int, *, for_catalog: str | None = None
) -> StartingPoint:
    """The configurator starting from one's configuration, re-checked against today's
    catalog; NotFound when it is not the viewer's to see; InvalidSelection when it is
    of another product line than `for_catalog`."""
    configuration, version, result = recheck_latest(session, viewer, configuration_id)
    label = f"“{configuration.name}”"
    check_product_line(session, version, for_catalog, label)
    return starting_point(result, label, configuration.id)


def check_product_line(
    session: Session, version: CatalogVersion, wanted: str | None, label: str
) -> None:
    """InvalidSelection, in words, when `label` (of `version`'s product line) cannot
    start a configurator of the product line `wanted`: its picks mean nothing there."""
    if wanted is None or version.catalog_id == wanted:
        return
    try:
        wanted_name = catalogs.current(session, wanted).name
    except NotFound:
        wanted_name = wanted
    raise InvalidSelection(
        f"{label[0].upper()}{label[1:]} is a {version.name.lower()}, not a {wanted_name.lower()}: "
        f"it can only start a new {version.name.lower()}."
    )


def priced_lines(
    version: CatalogVersion, selection: Selection
) -> dict[tuple[str, str], tuple[str, str, Decimal]]:
    """(feature, option) -> (feature name, option name, price) in that catalog version."""
    catalog = catalogs.engine_catalog(version)
    result = {}
    for line in catalog.price(selection).lines:
        feature = catalog.model.feature(line.feature)
        result[(line.feature, line.option)] = (feature.name, line.name, line.amount)
    return result


# ------------------------------------------------------------------ helpers


def _summaries(owner: User) -> sa.Select:
    # Each configuration with its newest revision (found by the unique
    # (configuration_id, number) index), for one owner.
    return (
        sa.select(Configuration, Revision)
        .join(
            Revision,
            sa.and_(
                Revision.configuration_id == Configuration.id,
                Revision.number == Configuration.revision_count,
            ),
        )
        .where(Configuration.owner_id == owner.id)
    )


def _summary_rows(session: Session, query: sa.Select) -> list[ConfigurationSummary]:
    return [ConfigurationSummary(c, r) for c, r in session.execute(query)]


def _owned(session: Session, owner: User, configuration_id: int) -> Configuration:
    configuration = session.get(Configuration, configuration_id)
    if configuration is None or configuration.owner_id != owner.id:
        raise NotFound(N_("There is no such configuration."))
    return configuration


def _stale(latest_number: int) -> StaleRevision:
    return StaleRevision(
        f"Revision {latest_number} was saved meanwhile (another tab or window). "
        "Nothing was overwritten: your picks are still here. Review them and save again "
        f"to make them revision {latest_number + 1}.",
        latest_number,
    )


def _revision(
    configuration: Configuration,
    number: int,
    version: CatalogVersion,
    selection: Selection,
    price: Decimal,
    complete: bool,
    author: User,
    now: datetime,
) -> Revision:
    return Revision(
        configuration_id=configuration.id,
        number=number,
        catalog_version_id=version.id,
        selection=dict(selection),
        price=price,
        complete=complete,
        author_id=author.id,
        created_at=now,
    )


def clean_name(name: str, fallback: str) -> str:
    """The name with runs of blanks made one space, cut to its most; else "My <product line>"."""
    name = " ".join((name or "").split())[:NAME_MAX]
    return name or f"My {fallback}"
