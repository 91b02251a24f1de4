"""`python -m bench [engine|models|all] [--catalog medium|big|all] [--limit N]`.

`models` replays random walks over public feature models (`bench/walks.py`;
`--limit` is the number of walks per model).

Runs each catalog in a fresh process (`bench.worker`) so that peak memory is
measured per catalog, prints a table of the figures next to the targets and
writes them as JSON into bench/results/.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import walks
from .catalogs import BENCHMARKS, ROOT, BenchCatalog, selected
from .report import failures, table

RESULTS = ROOT / "bench" / "results"


def run_catalog(bench: BenchCatalog, limit: int | None) -> dict[str, Any]:
    """The worker's figures for one catalog, or {"failed": why}."""
    rows = limit if limit is not None else bench.default_limit
    print(
        f"{bench.name}: {bench.catalog.name}, replaying {'all' if rows is None else rows} sales rows",
        file=sys.stderr,
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        command = [
            sys.executable,
            "-m",
            "bench.worker",
            str(bench.catalog),
            str(bench.sales),
            "--out",
            str(out),
        ]
        if rows is not None:
            command += ["--limit", str(rows)]
        started = time.perf_counter()
        finished = subprocess.run(command, cwd=ROOT, check=False)
        if finished.returncode != 0 or not out.exists():
            return {"failed": f"worker exited with status {finished.returncode}"}
        figures = json.loads(out.read_text(encoding="utf-8"))
    figures["wall_s"] = time.perf_counter() - started
    figures["published_count"] = str(bench.published_count)
    return figures


def run_engine(catalog: str, limit: int | None) -> dict[str, dict[str, Any]]:
    """The engine benchmark on the chosen catalogs, one after the other (never in parallel)."""
    return {bench.name: run_catalog(bench, limit) for bench in selected(catalog)}


def run_models(_catalog: str, limit: int | None) -> dict[str, dict[str, Any]]:
    """Random walks over the feature models (every model; `limit` walks each)."""
    return walks.run_models(walks=limit)


BENCHMARKS_BY_NAME = {"engine": run_engine, "models": run_models}
REPORTS = {"engine": (table, failures), "models": (walks.table, walks.failures)}


def save(name: str, results: dict[str, dict[str, Any]], args: argparse.Namespace) -> Path:
    """Write the figures, with what was run and where, to bench/results/NAME-TIMESTAMP.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "benchmark": name,
        "when": stamp,
        "arguments": {"catalog": args.catalog, "limit": args.limit},
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "results": results,
    }
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    (RESULTS / f"{name}-latest.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "benchmark", nargs="?", default="engine", choices=[*BENCHMARKS_BY_NAME, "all"]
    )
    parser.add_argument("--catalog", default="all", choices=["medium", "big", "all"])
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="sales rows to replay per catalog (default: all of medium, 500 of big)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; exit 1 when a run failed or a sales replay found errors."""
    args = parse_args(argv)
    if not BENCHMARKS.is_dir():
        print(f"benchmark catalogs not found: {BENCHMARKS} (set BENCH_DATA)", file=sys.stderr)
        return 2
    names = list(BENCHMARKS_BY_NAME) if args.benchmark == "all" else [args.benchmark]
    status = 0
    for name in names:
        results = BENCHMARKS_BY_NAME[name](args.catalog, args.limit)
        print(f"\n{name} benchmark ({BENCHMARKS})\n")
        report_table, report_failures = REPORTS[name]
        print(report_table(results))
        problems = report_failures(results)
        for line in problems:
            print(line)
        print(f"\nfigures written to {save(name, results, args).relative_to(ROOT)}")
        status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
