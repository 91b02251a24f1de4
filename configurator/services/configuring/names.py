"""Feature and option names of a catalog, for messages (ids when unknown)."""

from __future__ import annotations

from typing import Any

from configurator.engine import Catalog


def feature_name(catalog: Catalog, feature_id: str) -> str:
    """The feature's name, or its id when the catalog has no such feature."""
    feature = catalog.model.feature(feature_id)
    return feature.name if feature else feature_id

def option_name(catalog: Catalog, feature_id: str, option_id: str) -> str:
    """The option's name, or its id when the catalog has no such option."""
    feature = catalog.model.feature(feature_id)
    option = feature.option(option_id) if feature else None
    return option.name if option else option_id

def line_name(catalog: Catalog, line: Any) -> str:
    """A price line's label: "Feature: Option"."""
    return f"{feature_name(catalog, line.feature)}: {line.name}"
