"""Where the benchmark catalogs live and how much of their sales each run replays."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The shared folder sits next to the repository; BENCH_DATA points elsewhere.
BENCHMARKS = Path(os.environ.get("BENCH_DATA", ROOT.parent / "shared" / "benchmarks"))


@dataclass(frozen=True)
class BenchCatalog:
    """One benchmark catalog, its sales file and how many sales rows to replay by default."""

    name: str
    catalog: Path
    sales: Path
    default_limit: int | None  # None: every row
    # The exact count: shared/benchmarks/README.md's figure for medium; for big the
    # README's figure is float-rounded, see tests/engine/test_count.py (BIG_EXACT).
    published_count: int


CATALOGS = {
    "medium": BenchCatalog(
        "medium",
        BENCHMARKS / "renault-medium.yaml",
        BENCHMARKS / "renault-medium-sales.json.gz",
        None,
        278_744,
    ),
    "big": BenchCatalog(
        "big",
        BENCHMARKS / "renault-big.json",
        BENCHMARKS / "renault-big-sales.json.gz",
        500,
        24_566_537_954_855_761_920_000,
    ),
}


def selected(name: str) -> list[BenchCatalog]:
    """The catalogs named on the command line (`all` for every one)."""
    return list(CATALOGS.values()) if name == "all" else [CATALOGS[name]]
