"""Measure the engine on one catalog, in a process of its own so peak memory is its own.

Run by `python -m bench`; by hand: `python -m bench.worker CATALOG SALES --out FILE`.
Writes one JSON object with every figure to FILE.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import math
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from configurator.engine import load_catalog

MAX_ERRORS_KEPT = 20
PROGRESS_EVERY = 250


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """The call's result and its wall-clock duration in seconds."""
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def measure_preparation(path: Path) -> tuple[Any, dict[str, float]]:
    """Load the catalog, then ask for the domains of the empty selection (which prepares it)."""
    catalog, load_s = timed(lambda: load_catalog(str(path)))
    state, first_domains_s = timed(lambda: catalog.domains({}))
    figures = {
        "load_s": load_s,
        "first_domains_s": first_domains_s,
        "load_prepare_s": load_s + first_domains_s,
        "consistent": bool(state.consistent),
        "features": len(state.domains),
    }
    return catalog, figures


def measure_count(catalog: Any) -> dict[str, Any]:
    """`count()` alone, on a prepared catalog that has not counted yet."""
    count, count_s = timed(catalog.count)
    return {"count": str(count), "count_s": count_s}


def measure_check(path: Path) -> dict[str, Any]:
    """`check()` (with its exact count) on a freshly loaded and prepared catalog.

    A fresh catalog, so that `check()` cannot reuse a count cached by `count()`.
    """
    catalog = load_catalog(str(path))
    catalog.domains({})
    report, check_s = timed(catalog.check)
    return {
        "check_s": check_s,
        "check_usable": bool(report.usable),
        "check_count": str(report.count),
        "dead_options": len(report.dead_options),
        "unfillable_features": len(report.unfillable_features),
        "problems": len(report.problems),
    }


def read_sales(path: Path, limit: int | None) -> tuple[list[dict[str, Any]], int]:
    """The first `limit` sales rows (all when None) and how many the file holds."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = json.load(handle)
    return (rows if limit is None else rows[:limit]), len(rows)


class SalesReplay:
    """Replays sales rows pick by pick, timing `domains` and `price` after each pick."""

    def __init__(self, catalog: Any):
        self.catalog = catalog
        self.empty_state = catalog.domains({})
        self.pick_ms: list[float] = []
        # the same picks in CPU time: what a pick costs when other work shares the cores
        self.pick_cpu_ms: list[float] = []
        self.domains_ms: list[float] = []
        self.price_ms: list[float] = []
        self.errors: list[dict[str, Any]] = []
        self.error_count = 0

    def replay(self, rows: list[dict[str, Any]]) -> None:
        """Every row, from the empty selection, in its own pick order."""
        start = time.perf_counter()
        for number, row in enumerate(rows):
            self.replay_row(number, row)
            if (number + 1) % PROGRESS_EVERY == 0:
                elapsed = time.perf_counter() - start
                print(
                    f"  {number + 1}/{len(rows)} rows, {elapsed:.0f} s", file=sys.stderr, flush=True
                )

    def replay_row(self, number: int, row: dict[str, Any]) -> None:
        """One sold car: each pick must be in the domain before, and leave the selection consistent."""
        picks = row["selections"]
        selection: dict[str, str] = {}
        state = self.empty_state
        for feature in row["order"]:
            if feature not in picks:
                continue
            option = picks[feature]
            if option not in state.domains.get(feature, ()):
                self.error(number, feature, option, "picked option was not in the domain")
            selection[feature] = option
            state = self.timed_pick(number, feature, option, selection)
            if state is None:
                return
            if not state.consistent:
                self.error(number, feature, option, "selection became inconsistent")
                return

    def timed_pick(self, number: int, feature: str, option: str, selection: dict[str, str]) -> Any:
        """domains() then price() for the new selection; None if the engine raised."""
        try:
            before, cpu_before = time.perf_counter(), time.process_time()
            state = self.catalog.domains(selection)
            between = time.perf_counter()
            self.catalog.price(selection)
            after, cpu_after = time.perf_counter(), time.process_time()
        except Exception as exc:  # noqa: BLE001 - a benchmark reports engine failures, it does not stop
            self.error(number, feature, option, f"{type(exc).__name__}: {exc}")
            return None
        self.domains_ms.append((between - before) * 1000)
        self.price_ms.append((after - between) * 1000)
        self.pick_ms.append((after - before) * 1000)
        self.pick_cpu_ms.append((cpu_after - cpu_before) * 1000)
        return state

    def error(self, number: int, feature: str, option: str, what: str) -> None:
        """Count an error; keep the first few with where they happened."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": number, "feature": feature, "option": option, "error": what})


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1) of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(max(1, math.ceil(share * len(ordered))), len(ordered))
    return ordered[rank - 1]


def summarize(replay: SalesReplay, rows: int, total_rows: int, seconds: float) -> dict[str, Any]:
    """Latency figures of a replay, in milliseconds."""
    return {
        "sales_rows": rows,
        "sales_rows_in_file": total_rows,
        "picks": len(replay.pick_ms),
        "replay_s": seconds,
        "pick_p50_ms": percentile(replay.pick_ms, 0.50),
        "pick_p95_ms": percentile(replay.pick_ms, 0.95),
        "pick_max_ms": max(replay.pick_ms, default=None),
        "pick_cpu_p50_ms": percentile(replay.pick_cpu_ms, 0.50),
        "pick_cpu_p95_ms": percentile(replay.pick_cpu_ms, 0.95),
        "domains_p95_ms": percentile(replay.domains_ms, 0.95),
        "price_p95_ms": percentile(replay.price_ms, 0.95),
        "errors": replay.error_count,
        "first_errors": replay.errors,
    }


def run(catalog_path: Path, sales_path: Path, limit: int | None) -> dict[str, Any]:
    """Every figure for one catalog, in the order: prepare, count, replay, check."""
    figures: dict[str, Any] = {"catalog": str(catalog_path)}
    catalog, preparation = measure_preparation(catalog_path)
    figures |= preparation
    figures["memory_after_prepare_mib"] = peak_memory_mib()
    figures |= measure_count(catalog)
    rows, total_rows = read_sales(sales_path, limit)
    replay = SalesReplay(catalog)
    start = time.perf_counter()
    replay.replay(rows)
    figures |= summarize(replay, len(rows), total_rows, time.perf_counter() - start)
    del catalog, replay
    gc.collect()
    figures |= measure_check(catalog_path)
    figures["peak_memory_mib"] = peak_memory_mib()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command line of the worker process."""
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("catalog", type=Path)
    parser.add_argument("sales", type=Path)
    parser.add_argument(
        "--limit", type=int, default=None, help="sales rows to replay (default all)"
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON figures")
    args = parser.parse_args(argv)
    figures = run(args.catalog, args.sales, args.limit)
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
