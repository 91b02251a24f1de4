"""What changed between two revisions of a configuration, and a stored
selection's names, taken from the catalog versions the revisions were saved
with (the newest wins), so a retired option keeps its name."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from configurator.services import catalogs
from configurator.services.configuring.configurations import revision
from configurator.services.configuring.selection import Selection, pairs
from configurator.store.models import CatalogVersion, Revision, User


@dataclass(frozen=True)
class FeatureChange:
    """What changed for one feature between two revisions."""

    feature: str
    feature_name: str
    before: list[str]
    after: list[str]

@dataclass(frozen=True)
class RevisionDiff:
    """The differences between two revisions of one configuration."""

    older: Revision
    newer: Revision
    changes: list[FeatureChange]
    catalog_changed: bool

    @property
    def price_delta(self) -> Decimal:
        """How much more (or less) the newer revision costs."""
        return self.newer.price - self.older.price

def diff(session: Session, viewer: User, configuration_id: int, a: int, b: int) -> RevisionDiff:
    """What changed between revisions `a` and `b` (in either order)."""
    older, newer = sorted((a, b))
    first = revision(session, viewer, configuration_id, older)
    second = revision(session, viewer, configuration_id, newer)
    names = _Names(first.catalog_version, second.catalog_version)
    before = _grouped(first.selection)
    after = _grouped(second.selection)
    changes = []
    for feature in names.feature_order(list(before) + list(after)):
        if before.get(feature, []) != after.get(feature, []):
            changes.append(
                FeatureChange(
                    feature=feature,
                    feature_name=names.feature(feature),
                    before=[names.option(feature, o) for o in before.get(feature, [])],
                    after=[names.option(feature, o) for o in after.get(feature, [])],
                )
            )
    return RevisionDiff(
        first, second, changes, first.catalog_version_id != second.catalog_version_id
    )

def selection_names(version: CatalogVersion, selection: Selection) -> list[tuple[str, str]]:
    """(feature name, option names) for a stored selection, in catalog order."""
    names = _Names(version)
    grouped = _grouped(selection)
    return [
        (names.feature(feature), ", ".join(names.option(feature, o) for o in grouped[feature]))
        for feature in names.feature_order(list(grouped))
    ]

@dataclass(frozen=True)
class PicksDiff:
    """A saved revision next to picks not saved yet (after another tab saved first)."""

    saved: Revision
    changes: list[FeatureChange]  # before: the saved revision, after: the unsaved picks


def against_picks(
    session: Session,
    viewer: User,
    configuration_id: int,
    number: int,
    version: CatalogVersion,
    selection: Selection,
) -> PicksDiff:
    """What the unsaved `selection` (made with `version`) changes against revision `number`."""
    saved = revision(session, viewer, configuration_id, number)
    names = _Names(saved.catalog_version, version)
    before = _grouped(saved.selection)
    after = _grouped(selection)
    changes = [
        FeatureChange(
            feature=feature,
            feature_name=names.feature(feature),
            before=[names.option(feature, o) for o in before.get(feature, [])],
            after=[names.option(feature, o) for o in after.get(feature, [])],
        )
        for feature in names.feature_order(list(before) + list(after))
        if before.get(feature, []) != after.get(feature, [])
    ]
    return PicksDiff(saved, changes)


def _grouped(selection: dict[str, Any]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for feature, option in pairs(selection):
        grouped.setdefault(feature, []).append(option)
    return {feature: sorted(options) for feature, options in grouped.items()}

class _Names:
    """Feature and option names from one or more catalog versions (newest wins)."""

    def __init__(self, *versions: CatalogVersion) -> None:
        self.models = [catalogs.engine_catalog(v).model for v in reversed(versions)]

    def feature_order(self, feature_ids: list[str]) -> list[str]:
        order: list[str] = []
        for model in self.models:
            order += [f.id for f in model.features if f.id not in order]
        wanted = set(feature_ids)
        return [f for f in order if f in wanted] + sorted(wanted - set(order))

    def feature(self, feature_id: str) -> str:
        for model in self.models:
            feature = model.feature(feature_id)
            if feature:
                return feature.name
        return feature_id

    def option(self, feature_id: str, option_id: str) -> str:
        for model in self.models:
            feature = model.feature(feature_id)
            option = feature.option(option_id) if feature else None
            if option:
                return option.name
        return option_id
