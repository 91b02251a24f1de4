"""Drafts of a product line: the YAML text a catalog manager works on, kept
apart from the released versions (the shop never reads a draft), and the live
check of a text: every problem at its line, and `catalog check`'s findings."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from configurator.engine import Catalog, CatalogError, CheckReport, CompileError
from configurator.engine.importers import FORMATS, ImportFormatError, import_model
from configurator.engine.quick_check import check_without_count
from configurator.quoting.phrases import N_
from configurator.services import catalogs
from configurator.services.errors import CatalogProblem, NotFound
from configurator.services.unit_of_work import use_case
from configurator.services.workbench.locate import LineMap
from configurator.store.models import SEGMENTS, User
from configurator.store.releases import CatalogDraft
from configurator.store.types import utcnow

# A product line may be big: Renault big is 6.9 MB of JSON. Only catalog
# managers send drafts (the web raises its body limit for them alone).
MAX_DRAFT_CHARS = 16 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    """One thing the check says about a text, at its line when it has one."""

    text: str
    line: int | None = None
    source_line: str = ""  # the text of that line, shown with the finding


@dataclass
class DraftCheck:
    """The live check of a draft's text."""

    problems: list[Finding] = field(default_factory=list)  # the text cannot be released
    findings: list[Finding] = field(default_factory=list)  # dead options, unreachable rules...
    report: CheckReport | None = None
    catalog: Catalog | None = None  # left out of an answer from a worker process
    counting: bool = False  # the findings without the count: the full check follows
    key: str = ""  # the fingerprint of the text checked in the background (the page asks again by it)
    pending: ClassVar[bool] = False  # the answer is here (background_check.Pending is not)

    @property
    def releasable(self) -> bool:
        """No problem: the text parses, names this product line and is usable."""
        return not self.problems and self.report is not None and self.report.usable


def check_text(text: str, catalog_id: str, path: str | None = None) -> DraftCheck:
    """Check a draft's text as `catalog check` does, each problem located at its line.

    Nothing is stored: the editor calls this on every edit.
    """
    return list(check_in_stages(text, catalog_id, path, quick=False))[-1]


def check_in_stages(text: str, catalog_id: str, path: str | None = None, quick: bool = True) -> Iterator[DraftCheck]:
    """The check of a draft's text in stages: the findings that need no count first, then the full check.

    The first stage (`counting`: the count comes next) takes a fraction of a
    second where the full check takes seconds: problems of the text (YAML,
    rule syntax, unknown ids, prices), inconsistency, dead options, features
    never filled and rules that never fire, all exact
    (engine/quick_check.py). The last answer is always the full check, the
    same as `catalog check`. A text with problems, or a catalog that only the
    full check can judge, gives one answer.
    """
    path = path or f"{catalog_id}.{_suffix(text)}"
    if len(text) > MAX_DRAFT_CHARS:
        yield DraftCheck(problems=[Finding(N_("the text is longer than %(most)s characters",
                                              most=MAX_DRAFT_CHARS))])
        return
    located = _locator(text)
    try:
        catalog = _draft_catalog(text, path)
    except CatalogError as error:
        yield DraftCheck(problems=[
            located(catalogs.problem_text(problem), problem.location or problem.message)
            for problem in error.problems
        ])
        return
    if catalog.model.id != catalog_id:
        message = N_("%(path)s: 'catalog' is '%(found)s'; this draft is for '%(catalog)s'",
                     path=path, found=catalog.model.id, catalog=catalog_id)
        yield DraftCheck(problems=[located(message, "catalog:")])
        return
    early = check_without_count(catalog) if quick else None
    if early is not None:
        yield dataclasses.replace(_judged(early, located), counting=True)
    report = catalog.check()
    result = _judged(report, located)
    result.catalog = catalog if report.usable else None
    yield result


def _draft_catalog(text: str, path: str) -> Catalog:
    """A draft's text as a catalog that takes what the compiled store knows of catalogs like it: d4's circuit
    of the same CNF, and the backend chosen for the same shape (which it keeps there when it is the first)."""
    store = catalogs.compiled_store()
    return Catalog.from_text(text, path=path).reuse_circuits(store).share_backend_choice(store)


def _suffix(text: str) -> str:
    """"json" for a draft in JSON (Renault's, automotive01), read then as JSON: the YAML reader takes
    seconds on a big JSON text (7 s for automotive01's 855 KB under load); else "yaml"."""
    if text.lstrip().startswith("{"):
        try:
            json.loads(text)
        except ValueError:
            return "yaml"  # a YAML flow mapping, or broken: the YAML reader says where
        return "json"
    return "yaml"


def _judged(report: CheckReport, located) -> DraftCheck:
    """The check's report as the editor shows it: each problem and finding at its line."""
    result = DraftCheck(report=report)
    result.problems = [located(catalogs.engine_text(text), text) for text in report.problems]
    # Phrases: the page writes them in the reader's language (the engine's own findings too,
    # from their codes; their English is what catalog check prints).
    result.findings = [
        *(located(N_("dead option %(pick)s", pick=f"{feature}={option}"), f"{feature}={option}")
          for feature, option in report.dead_options),
        *(located(N_("feature '%(feature)s' can never be filled", feature=feature),
                  f"features '{feature}'")
          for feature in report.unfillable_features),
        *(located(catalogs.engine_text(text), text) for text in report.unreachable_rules),
        *(located(catalogs.engine_text(text), text) for text in report.warnings),
    ]
    return result


def _locator(draft: str):
    """A function making a Finding of a text, at the line its `where` names.

    The line map is made on the first finding only: reading the YAML's
    structure again takes a second and more on a big catalog without any.
    """
    cached: list[tuple[LineMap, list[str]]] = []

    def located(text: str, where: str) -> Finding:
        if not cached:
            cached.append((LineMap(draft), draft.splitlines()))
        lines, source = cached[0]
        line = lines.line_of(where)
        if line is None and where.startswith("features '"):
            line = lines.feature_ids.get(where[len("features '"):-1])
        if line is None and where == "catalog:":
            line = next((n for n, s in enumerate(source, 1) if s.startswith("catalog:")), None)
        shown = source[line - 1].strip() if line and 0 < line <= len(source) else ""
        return Finding(text, line, shown)

    return located


def find(session: Session, catalog_id: str) -> CatalogDraft | None:
    """The draft of a product line, if someone started one."""
    return session.scalar(sa.select(CatalogDraft).where(CatalogDraft.catalog_id == catalog_id))


def drafts(session: Session) -> dict[str, CatalogDraft]:
    """Every draft, by product line."""
    return {draft.catalog_id: draft for draft in session.scalars(sa.select(CatalogDraft))}


@use_case
def start(session: Session, catalog_id: str, user: User, now: datetime | None = None) -> CatalogDraft:
    """The product line's draft; a new one starts from the version in use."""
    draft = find(session, catalog_id)
    if draft is not None:
        return draft
    version = catalogs.current(session, catalog_id)  # NotFound for an unknown line
    draft = CatalogDraft(
        catalog_id=catalog_id,
        source_text=version.source_text,
        base_version_id=version.id,
        updated_by_id=user.id,
        updated_at=now or utcnow(),
    )
    session.add(draft)
    session.flush()
    return draft


@use_case
def save(
    session: Session, catalog_id: str, text: str, user: User, now: datetime | None = None
) -> CatalogDraft:
    """Keep the draft's new text, even with problems (a draft is work in progress).

    Only a text too long for a catalog is refused (CatalogProblem).
    """
    if len(text) > MAX_DRAFT_CHARS:
        raise CatalogProblem(N_("The text is longer than %(most)s characters.", most=MAX_DRAFT_CHARS))
    draft = start(session, catalog_id, user, now)
    draft.source_text = text.replace("\r\n", "\n")
    draft.updated_by_id = user.id
    draft.updated_at = now or utcnow()
    return draft


def decode_upload(data: bytes, name: str) -> str:
    """An uploaded file's text; CatalogProblem when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = N_("%(name)s: not UTF-8 text (byte %(byte)s cannot be decoded)", name=name,
                     byte=error.start + 1)
        raise CatalogProblem(message) from error


def imported_text(text: str, name: str, fmt: str, catalog_id: str) -> str:
    """A model in another tool's format (DIMACS, UVL, XCSP) as this product line's catalog YAML.

    CatalogProblem names the place when the input is not a valid model of its format.
    """
    if fmt not in FORMATS:
        raise CatalogProblem(N_("Choose a format to import from: %(formats)s.", formats=list(FORMATS)))
    try:
        data = import_model(name, fmt, text)
    except ImportFormatError as error:
        raise CatalogProblem(catalogs.engine_text(error.args[0])) from error
    data["catalog"] = catalog_id  # the draft is for this product line, whatever the file was called
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)


@use_case
def discard(session: Session, catalog_id: str) -> None:
    """Drop the draft: the next edit starts again from the version in use."""
    draft = find(session, catalog_id)
    if draft is None:
        raise NotFound(N_("There is no draft of '%(catalog)s'.", catalog=catalog_id))
    session.delete(draft)


@functools.lru_cache(maxsize=8)
def _parsed(text: str, catalog_id: str) -> Catalog | None:
    """The draft's catalog when it is usable (kept: every pick of the try-it panel asks again).

    Usable as the check judges it (it compiles, and some configuration fits),
    without the rest of the check: the dead options, the exact count and the
    rules that never fire take seconds on a big catalog, and the try-it panel
    needs none of them.
    """
    try:
        catalog = _draft_catalog(text, f"{catalog_id}.yaml")
        if catalog.model.id != catalog_id or not catalog.domains().consistent:
            return None
    except (CatalogError, CompileError):
        return None
    return catalog


def try_catalog(session: Session, catalog_id: str) -> tuple[Catalog, str]:
    """What the try-it panel configures: the draft when it is usable, else the version in use."""
    version = catalogs.current(session, catalog_id)
    draft = find(session, catalog_id)
    if draft is not None:
        catalog = _parsed(draft.source_text, catalog_id)
        if catalog is not None:
            return catalog, N_("the draft")
    return catalogs.engine_catalog(version), N_("version %(number)s (no usable draft)", number=version.number)


def customer_facts(segment: str, country: str, tier: str) -> dict[str, str]:
    """The engine's customer facts for the try-it panel, as `User.facts` gives them for a customer."""
    segment = segment if segment in SEGMENTS else "consumer"
    facts = {"segment": segment, "business": "yes" if segment == "business" else "no"}
    country = country.strip().lower()
    if len(country) == 2 and country.isalpha():
        facts["country"] = country
    tier = tier.strip()
    if tier and len(tier) <= 32 and tier.isprintable():
        facts["tier"] = tier
    return facts
