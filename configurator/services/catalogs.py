"""Catalog versions: load files into the database, find the current version,
and turn a stored version back into an engine `Catalog` (cached)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from configurator.config import compiled_dir
from configurator.engine import Catalog, CatalogError, CompiledStore
from configurator.engine.problems import Problem, Said
from configurator.quoting.phrases import N_, Phrase
from configurator.services.errors import CatalogProblem, NotFound
from configurator.services.unit_of_work import in_unit_of_work, use_case
from configurator.store.models import CatalogVersion, Order
from configurator.store.types import utcnow

_CACHE_SIZE = 32
_INSERT_ATTEMPTS = 3
_ID_MAX = 64  # catalog ids are short: longer text is never one
_SOURCE_PATH_LENGTH = 500  # the column's size; the path is only shown, never opened
_cache: OrderedDict[str, Catalog] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class LoadResult:
    """What loading a file did: the version it is now, and whether it is new."""

    version: CatalogVersion
    created: bool


def compiled_store() -> CompiledStore:
    """The compiled catalogs kept next to the database (`CONFIGURATOR_COMPILED_DIR`)."""
    return CompiledStore(compiled_dir())


def engine_catalog(version: CatalogVersion) -> Catalog:
    """The engine's view of a stored version, parsed once per fingerprint.

    Its compiled form is read from disk, where storing the version put it, so
    the first customer after a restart does not wait for a compile (a missing,
    stale or corrupt file is rebuilt there).
    """
    key = version.fingerprint
    with _cache_lock:
        catalog = _cache.get(key)
        if catalog is not None:
            _cache.move_to_end(key)
            return catalog
    catalog = Catalog.from_text(version.source_text, path=version.source_path)
    catalog.prepare(compiled_store())
    with _cache_lock:
        _cache[key] = catalog
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return catalog


def warm(session: Session) -> list[Catalog]:
    """The engine catalogs of every current version, read now (compiled forms from disk).

    Called when the server starts, so the first customer of each product line
    does not wait for it; a version whose compiled file is missing, stale or
    corrupt is compiled here and its file written again.
    """
    return [engine_catalog(version) for version in current_versions(session)]


def load_text(
    session: Session, text: str, path: str = "catalog.yaml", now: datetime | None = None
) -> LoadResult:
    """Store `text` as the newest version of its catalog unless it is unchanged.

    A text equal to the current version's is not stored again; any other text,
    even one equal to an older version, becomes a new version. A text that is
    not a usable catalog raises CatalogProblem and changes nothing: the version
    in use stays current. The new version is one row written in one
    transaction, so a crash leaves either the old or the new version current.
    """
    catalog = _usable_catalog(text, path)
    # Compiled once per version, here rather than on some customer's first pick.
    catalog.prepare(compiled_store())
    for _attempt in range(_INSERT_ATTEMPTS):
        try:
            result = _store_version(session, catalog, text, path, now)
        except IntegrityError:
            if in_unit_of_work(session):
                raise  # part of a bigger use case, whose transaction is now spoilt
            # Another process stored a version of this catalog at the same
            # moment and took the number (our unit of work rolled back): look
            # again and take the next one.
            continue
        if result.created:
            with _cache_lock:
                _cache[catalog.fingerprint] = catalog
        return result
    raise CatalogProblem(f"{path}: other loads of this catalog kept interfering; try again")


@use_case
def _store_version(
    session: Session, catalog: Catalog, text: str, path: str, now: datetime | None
) -> LoadResult:
    """One attempt of `load_text`: the current version, or a new one numbered after it."""
    model = catalog.model
    latest = _latest(session, model.id)
    if latest is not None and latest.fingerprint == catalog.fingerprint:
        return LoadResult(latest, created=False)
    version = CatalogVersion(
        catalog_id=model.id,
        number=_highest_number(session, model.id) + 1,
        declared_version=int(model.version),
        name=model.name,
        currency=model.currency,
        fingerprint=catalog.fingerprint,
        source_path=str(path)[:_SOURCE_PATH_LENGTH],
        source_text=text,
        loaded_at=now or utcnow(),
    )
    session.add(version)
    session.flush()  # a number taken meanwhile is refused here (IntegrityError)
    return LoadResult(version, created=True)


def engine_text(text: str) -> str:
    """An engine message (`Said`: its English, code and values) as a `Phrase` the pages
    write in the reader's language; its English stays word for word what the CLI prints.
    Other text as it is."""
    if not isinstance(text, Said):
        return text
    return Phrase(text.code, {name: engine_text(value) for name, value in text.params.items()})


def problem_text(problem: Problem) -> str:
    """A catalog file's problem (`file: where: what`) as a phrase for the pages (see engine_text)."""
    if not isinstance(problem.message, Said):
        return str(problem)
    if problem.location:
        return N_("%(file)s: %(location)s: %(problem)s", file=problem.file,
                  location=engine_text(problem.location), problem=engine_text(problem.message))
    return N_("%(file)s: %(problem)s", file=problem.file, problem=engine_text(problem.message))


def _usable_catalog(text: str, path: str) -> Catalog:
    """The parsed catalog, or CatalogProblem when it cannot be read or used.

    "Usable" is what `configurator catalog check` says: it compiles within its
    budgets and some configuration is valid. Checking here (and compiling,
    which the shop would do on the first request anyway) keeps an unusable
    upload from ever becoming the current version.
    """
    try:
        catalog = Catalog.from_text(text, path=path)
    except CatalogError as error:
        problems = getattr(error, "problems", None) or [str(error)]
        raise CatalogProblem(
            N_("%(path)s: the catalog has problems", path=path),
            [problem_text(p) if isinstance(p, Problem) else str(p) for p in problems],
        ) from error
    report = catalog.check()
    if not report.usable:
        raise CatalogProblem(N_("%(path)s: the catalog cannot be used", path=path),
                             [engine_text(text) for text in report.problems])
    return catalog


def load_file(session: Session, path: str | Path, now: datetime | None = None) -> LoadResult:
    """Read a catalog file and store it as a version (see `load_text`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CatalogProblem(f"{path}: cannot read the file ({error.strerror})") from error
    return load_bytes(session, data, str(path), now=now)


def load_bytes(
    session: Session, data: bytes, path: str = "catalog.yaml", now: datetime | None = None
) -> LoadResult:
    """Store the bytes of a catalog file (an upload) as a version (see `load_text`).

    Bytes that are not UTF-8 raise CatalogProblem, naming the first bad byte.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = N_("%(path)s: not UTF-8 text (byte %(byte)s cannot be decoded)", path=path,
                     byte=error.start + 1)
        raise CatalogProblem(message) from error
    return load_text(session, text, path, now=now)


def current(session: Session, catalog_id: str) -> CatalogVersion:
    """The version in use (the newest not rolled back); NotFound if it was never loaded.

    Text that cannot be a catalog id (unprintable, too long) is NotFound too,
    without a query: ids come from URLs and API paths.
    """
    if not catalog_id.isprintable() or len(catalog_id) > _ID_MAX:
        raise NotFound(f"There is no product line called {catalog_id!r}.")
    version = _latest(session, catalog_id)
    if version is None:
        raise NotFound(f"There is no product line called {catalog_id!r}.")
    return version


def numbered(session: Session, catalog_id: str, number: int) -> CatalogVersion:
    """Version `number` (our own 1, 2, 3...) of a catalog, withdrawn or not; NotFound if none."""
    query = sa.select(CatalogVersion).where(
        CatalogVersion.catalog_id == catalog_id, CatalogVersion.number == number
    )
    usable = catalog_id.isprintable() and len(catalog_id) <= _ID_MAX and 0 < number < 2**31
    version = session.scalar(query) if usable else None
    if version is None:
        raise NotFound(f"There is no version {number} of {catalog_id!r}.")
    return version


def description(version: CatalogVersion) -> str:
    """The catalog's own `description:` (empty when it has none)."""
    return engine_catalog(version).model.description or ""


def current_versions(session: Session) -> list[CatalogVersion]:
    """The version in use of every catalog, by name."""
    newest = (
        sa.select(CatalogVersion.catalog_id, sa.func.max(CatalogVersion.number).label("number"))
        .where(CatalogVersion.withdrawn_at.is_(None))
        .group_by(CatalogVersion.catalog_id)
        .subquery()
    )
    query = (
        sa.select(CatalogVersion)
        .join(
            newest,
            sa.and_(
                CatalogVersion.catalog_id == newest.c.catalog_id,
                CatalogVersion.number == newest.c.number,
            ),
        )
        .order_by(CatalogVersion.name)
    )
    return list(session.scalars(query))


def versions(session: Session, catalog_id: str) -> list[CatalogVersion]:
    """Every stored version of a catalog, oldest first."""
    query = (
        sa.select(CatalogVersion)
        .where(CatalogVersion.catalog_id == catalog_id)
        .order_by(CatalogVersion.number)
    )
    return list(session.scalars(query))


def _latest(session: Session, catalog_id: str) -> CatalogVersion | None:
    """The version in use: the newest one not withdrawn by a rollback."""
    query = (
        sa.select(CatalogVersion)
        .where(CatalogVersion.catalog_id == catalog_id, CatalogVersion.withdrawn_at.is_(None))
        .order_by(CatalogVersion.number.desc())
        .limit(1)
    )
    return session.scalar(query)


def _highest_number(session: Session, catalog_id: str) -> int:
    """The highest number given so far, withdrawn versions included (numbers are never reused)."""
    query = sa.select(sa.func.max(CatalogVersion.number)).where(
        CatalogVersion.catalog_id == catalog_id
    )
    return session.scalar(query) or 0


def orders_may_hold(catalog_id: str) -> sa.ColumnElement[bool]:
    """A condition on `Order`: the orders that may hold an item of the product line.

    An order's own catalog version is its first item's; an order from the cart
    (no single configuration) may hold items of several lines, so it is taken
    too. Callers keep the items of the line (`store.models.snapshot_items_of_line`).
    """
    versions = sa.select(CatalogVersion.id).where(CatalogVersion.catalog_id == catalog_id)
    return sa.or_(Order.catalog_version_id.in_(versions), Order.configuration_id.is_(None))
