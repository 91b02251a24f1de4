"""Releasing a draft: the new version becomes current in one transaction,
with a note on the release log; rolling back (the version before becomes
current again; records made with the withdrawn one keep it); scheduling a
release for a date, applied by `apply_due` on the clock it is given.

A version that becomes current has its compiled form (catalogs.load_text) and
its constraint graph's grouping (graph.keep_structure) stored within the same
use case: the first customer and the first manager to look find them ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import catalogs
from configurator.services.errors import CatalogProblem, NotFound, ServiceError
from configurator.services.unit_of_work import use_case
from configurator.services.workbench import drafts
from configurator.services.workbench import graph as workbench_graph
from configurator.services.workbench.diff import Change, diff_models
from configurator.services.workbench.impact import Impact, impact
from configurator.store.models import CatalogVersion, User
from configurator.store.releases import CatalogRelease
from configurator.store.types import utcnow

NOTE_MAX = 500


class ReleaseRefused(ServiceError):
    """A release, rollback or schedule that cannot be done as asked; nothing changed."""


@dataclass
class ReleasePreview:
    """What releasing the draft would do: its check, the diff and the impact."""

    draft_check: drafts.DraftCheck
    current: CatalogVersion
    changes: list[Change]
    impact: Impact | None


def preview(session: Session, catalog_id: str) -> ReleasePreview:
    """The diff and impact of releasing the product line's draft now (nothing is written)."""
    draft = drafts.find(session, catalog_id)
    if draft is None:
        raise NotFound(N_("There is no draft of '%(catalog)s'.", catalog=catalog_id))
    current = catalogs.current(session, catalog_id)
    checked = drafts.check_text(draft.source_text, catalog_id)
    if not checked.releasable:
        return ReleasePreview(checked, current, [], None)
    before = catalogs.engine_catalog(current)
    after = checked.catalog
    return ReleasePreview(
        checked, current, diff_models(before.model, after.model), impact(session, catalog_id, before, after)
    )


def _keep_graph(version: CatalogVersion) -> None:
    """The version's constraint graph grouped now (a big catalog: seconds), not at its first view."""
    workbench_graph.keep_structure(catalogs.engine_catalog(version).model)


def _note(note: str) -> str:
    note = " ".join(note.split())
    if not note:
        raise ReleaseRefused(N_("Say in a note what changes and why."))
    if len(note) > NOTE_MAX:
        raise ReleaseRefused(N_("The note is longer than %(most)s characters.", most=NOTE_MAX))
    return note


def _releasable_text(session: Session, catalog_id: str) -> str:
    draft = drafts.find(session, catalog_id)
    if draft is None:
        raise NotFound(N_("There is no draft of '%(catalog)s'.", catalog=catalog_id))
    checked = drafts.check_text(draft.source_text, catalog_id)
    if not checked.releasable:
        raise CatalogProblem(
            N_("The draft has problems and cannot be released."), [p.text for p in checked.problems]
        )
    return draft.source_text


@use_case
def release(
    session: Session, catalog_id: str, user: User | None, note: str, now: datetime | None = None
) -> CatalogRelease:
    """Make the draft the version in use, with `note` on the release log; the draft is done.

    One transaction: the version, the log entry and the draft's removal are
    saved together or not at all.
    """
    note = _note(note)
    text = _releasable_text(session, catalog_id)
    entry = _release_text(session, catalog_id, text, user, note, now or utcnow())
    session.delete(drafts.find(session, catalog_id))
    return entry


def _release_text(
    session: Session, catalog_id: str, text: str, user: User | None, note: str, now: datetime
) -> CatalogRelease:
    result = catalogs.load_text(session, text, f"{catalog_id}.yaml", now=now)
    if not result.created:
        raise ReleaseRefused(
            N_("The draft is the same as the version in use: there is nothing to release."))
    _keep_graph(result.version)
    entry = CatalogRelease(
        catalog_id=catalog_id, kind="release", status="done", note=note,
        version_id=result.version.id, actor_id=user.id if user else None,
        created_at=now, done_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


@use_case
def roll_back(
    session: Session, catalog_id: str, user: User, note: str, now: datetime | None = None
) -> CatalogRelease:
    """Withdraw the version in use: the one before becomes current again.

    Configurations, orders and quotes made with the withdrawn version keep it.
    """
    note = _note(note)
    now = now or utcnow()
    current = catalogs.current(session, catalog_id)
    current.withdrawn_at = now
    session.flush()
    try:
        previous = catalogs.current(session, catalog_id)
    except NotFound:
        raise ReleaseRefused(
            N_("Version %(number)s is the only version of %(catalog)s: there is nothing to go back to.",
               number=current.number, catalog=catalog_id)
        ) from None
    _keep_graph(previous)
    entry = CatalogRelease(
        catalog_id=catalog_id, kind="rollback", status="done",
        note=f"{note} (version {current.number} withdrawn, version {previous.number} in use again)",
        version_id=previous.id, actor_id=user.id, created_at=now, done_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


@use_case
def schedule(
    session: Session, catalog_id: str, user: User, note: str, due_at: datetime,
    now: datetime | None = None,
) -> CatalogRelease:
    """Release the draft as it is now at `due_at` (`apply_due` does it then)."""
    note = _note(note)
    now = now or utcnow()
    if due_at.tzinfo is None:
        raise ReleaseRefused(N_("Give the date and time of the release in UTC."))
    if due_at <= now:
        raise ReleaseRefused(N_("A scheduled release must be in the future; release now instead."))
    text = _releasable_text(session, catalog_id)
    entry = CatalogRelease(
        catalog_id=catalog_id, kind="release", status="scheduled", note=note, source_text=text,
        actor_id=user.id, created_at=now, due_at=due_at,
    )
    session.add(entry)
    session.flush()
    return entry


@use_case
def cancel(
    session: Session, release_id: int, catalog_id: str, now: datetime | None = None
) -> CatalogRelease:
    """Cancel a scheduled release of the product line that has not happened yet."""
    entry = session.get(CatalogRelease, release_id)
    if entry is None or entry.catalog_id != catalog_id or entry.status != "scheduled":
        raise NotFound(N_("There is no such scheduled release."))
    entry.status = "cancelled"
    entry.done_at = now or utcnow()
    return entry


def apply_due(session: Session, now: datetime | None = None) -> list[CatalogRelease]:
    """Carry out every scheduled release that is due, each in its own transaction.

    The periodic job's entry point; `now` is the clock (tests give their own).
    A release that fails (its text no longer loads, or equals the version in
    use) changes nothing and is marked failed with the reason.
    """
    now = now or utcnow()
    due = session.scalars(
        sa.select(CatalogRelease.id)
        .where(CatalogRelease.status == "scheduled", CatalogRelease.due_at <= now)
        .order_by(CatalogRelease.due_at, CatalogRelease.id)
    ).all()
    done = []
    for release_id in due:
        try:
            done.append(_apply_one(session, release_id, now))
        except (CatalogProblem, ReleaseRefused) as refused:
            _mark_failed(session, release_id, str(refused), now)
    return done


@use_case
def _apply_one(session: Session, release_id: int, now: datetime) -> CatalogRelease:
    entry = session.get(CatalogRelease, release_id)
    result = catalogs.load_text(session, entry.source_text or "", f"{entry.catalog_id}.yaml", now=now)
    if not result.created:
        raise ReleaseRefused("the scheduled text is the same as the version in use")
    _keep_graph(result.version)
    entry.status = "done"
    entry.version_id = result.version.id
    entry.done_at = now
    return entry


@use_case
def _mark_failed(session: Session, release_id: int, reason: str, now: datetime) -> None:
    entry = session.get(CatalogRelease, release_id)
    entry.status = "failed"
    entry.error = reason[:NOTE_MAX]
    entry.done_at = now


def log(session: Session, catalog_id: str) -> list[CatalogRelease]:
    """The product line's release log, newest first (scheduled ones included)."""
    return list(session.scalars(
        sa.select(CatalogRelease)
        .where(CatalogRelease.catalog_id == catalog_id)
        .order_by(CatalogRelease.created_at.desc(), CatalogRelease.id.desc())
    ))

