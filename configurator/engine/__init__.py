"""The configuration engine: pure Python, no Flask, no database.

    from configurator.engine import load_catalog
    catalog = load_catalog("catalog/city-bike.yaml")
    state = catalog.domains({"frame": "carbon"}, customer={"segment": "business"})
    catalog.explain("size", "s", {"frame": "carbon"})
    catalog.complete({"frame": "carbon"})
"""

from __future__ import annotations

from pathlib import Path

from .catalog import Catalog
from .compile import CompileError
from .compiled import CompiledStore
from .problems import CatalogError, Problem
from .results import (
    Change,
    CheckReport,
    Completion,
    Explanation,
    PriceBreakdown,
    PriceLine,
    Repair,
    SelectionError,
    State,
    format_money,
)


def load_catalog(path: str | Path) -> Catalog:
    """Load, validate and return the catalog file at `path` (compiled on first question).

    Raises CatalogError listing every problem of the file.
    """
    return Catalog.from_path(path)


__all__ = [
    "Catalog",
    "CatalogError",
    "Change",
    "CheckReport",
    "CompileError",
    "CompiledStore",
    "Completion",
    "Explanation",
    "PriceBreakdown",
    "PriceLine",
    "Problem",
    "Repair",
    "SelectionError",
    "State",
    "format_money",
    "load_catalog",
]
