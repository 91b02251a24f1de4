"""The exact number of complete valid configurations of the Renault benchmark catalogs.

The figures are the published ones (BR4CP benchmarks, see
shared/benchmarks/README.md), not values read back from the engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from configurator.engine import load_catalog

BENCHMARKS = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks"
MEDIUM = BENCHMARKS / "renault-medium.yaml"
BIG = BENCHMARKS / "renault-big.json"


def _require(path: Path) -> Path:
    """The benchmark file, or a skip saying where it was looked for."""
    if not BENCHMARKS.is_dir():
        pytest.skip(f"benchmark catalogs not found: {BENCHMARKS} is absent")
    return path


def test_medium_renault_count() -> None:
    """148 features, 174 tables: exactly 278,744 configurations."""
    assert load_catalog(str(_require(MEDIUM))).count() == 278_744


@pytest.mark.slow
def test_big_renault_count() -> None:
    """268 features, 225,989 table rows: a 23-digit count, exact to the unit."""
    assert load_catalog(str(_require(BIG))).count() == 24_566_537_954_855_758_069_760


def test_check_reports_the_medium_count() -> None:
    """`catalog check` reports the same exact count and finds the catalog usable."""
    report = load_catalog(str(_require(MEDIUM))).check()
    assert report.usable
    assert report.count == 278_744
