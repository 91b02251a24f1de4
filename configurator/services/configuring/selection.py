"""A selection: the picks of a configuration, feature id -> option id (a list
of ids for a multi-select feature); reading it from a submitted form and
changing it one pick at a time. Pure functions, no database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from configurator.engine import Catalog

Selection = dict[str, Any]  # feature id -> option id, or list of ids for multi features
FIELD_PREFIX = "f."  # a pick's form field: f.<feature id>


def parse_selection(
    catalog: Catalog, form: Mapping[str, Iterable[str]]
) -> tuple[Selection, list[str]]:
    """Read `f.<feature>` fields into a selection; bad fields become messages.

    Unknown features or options and several picks for a single-choice feature
    are left out and reported, so a tampered form never breaks the page.
    """
    model = catalog.model
    selection: Selection = {}
    problems: list[str] = []
    for key, values in form.items():
        if not key.startswith(FIELD_PREFIX):
            continue
        feature_id = key[len(FIELD_PREFIX) :]
        feature = model.feature(feature_id)
        values = [value for value in values if value]
        if feature is None:
            problems.append(f"This product line has no feature {feature_id!r}; it was ignored.")
            continue
        known = [value for value in values if feature.option(value) is not None]
        for value in values:
            if value not in known:
                problems.append(f"{feature.name} has no option {value!r}; it was ignored.")
        known = list(dict.fromkeys(known))
        if feature.choose_kind == "multi":
            if known:
                selection[feature_id] = known
        elif len(known) > 1:
            problems.append(f"{feature.name} takes one option; please pick again.")
        elif known:
            selection[feature_id] = known[0]
    return selection, problems

def clean_selection(catalog: Catalog, selection: Mapping[str, Any]) -> tuple[Selection, list[str]]:
    """Keep only the features and options the catalog knows (for stored selections)."""
    form = {
        FIELD_PREFIX + key: (value if isinstance(value, list) else [value])
        for key, value in selection.items()
    }
    return parse_selection(catalog, form)

def pairs(selection: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(feature, option) pairs of a selection, multi picks flattened."""
    result = []
    for feature, value in selection.items():
        for option in value if isinstance(value, list) else [value]:
            result.append((feature, option))
    return result

def with_pick(catalog: Catalog, selection: Selection, feature_id: str, option_id: str) -> Selection:
    """The selection plus one pick (added for multi features, replacing otherwise)."""
    result = dict(selection)
    feature = catalog.model.feature(feature_id)
    if feature is not None and feature.choose_kind == "multi":
        current = list(result.get(feature_id, []))
        if option_id not in current:
            current.append(option_id)
        result[feature_id] = current
    else:
        result[feature_id] = option_id
    return result
