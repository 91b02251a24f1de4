"""Random customer walks over public feature models: `python -m bench models` (or `python -m bench.walks`).

Each model runs in a fresh process (its peak memory is its own): load it,
prepare it (the first `domains({})`), count it exactly, then replay random
walks: pick a random still-possible option of a random open feature, 25
picks a walk. One pick = `domains(selection, alternatives=True)` and
`price(selection)`, what the configurator page asks after a click.

Models: automotive01 from ../shared/benchmarks/feature-models (the catalog
JSON made from Kowal 2016), FinancialServices01 and BusyBox 1.18.0 from
bench/models/ (DIMACS, SoftVarE-Group feature-model benchmark, MIT; imported
with `configurator.engine.importers` on the fly). `--backend` forces one
backend; by default the catalog chooses by measured size.

The Linux 2.6.33.3 kernel model (6,467 features, 40,121 clauses; Knüppel
2017, same benchmark, gzipped) is the stretch goal: no knowledge compiler is
known to compile it, so it runs on incremental SAT (`SAT` backend, as the auto
choice would after d4's 20 s limit) and its exact count is not asked.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from configurator.engine import Catalog
from configurator.engine.importers import dimacs_catalog

from .catalogs import BENCHMARKS, ROOT

MODELS = {
    "automotive01": BENCHMARKS / "feature-models" / "automotive01.json",
    "financial01": ROOT / "bench" / "models" / "FinancialServices01.dimacs",
    "busybox": ROOT / "bench" / "models" / "BusyBox-1.18.0.dimacs",
    "linux": ROOT / "bench" / "models" / "linux-2.6.33.3.dimacs.gz",
}
TARGETS = {"prepare_s": 10.0, "p95_ms": 50.0, "peak_mib": 1024.0}
MODEL_TARGETS = {"linux": {"prepare_s": 30.0, "p95_ms": 250.0, "peak_mib": 1024.0}}
MODEL_BACKEND = {"linux": "SAT"}  # what `auto` falls back to after d4 gives up, without the 20 s wait
NOT_COUNTED = {"linux"}  # an exact count of the kernel model is out of reach of Ganak here
PICKS_PER_WALK = 25


def _open(path: Path, backend: str) -> Catalog:
    if path.name.endswith(".dimacs.gz"):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
        return Catalog.from_text(json.dumps(dimacs_catalog(text, str(path))), str(path), backend=backend)
    if path.suffix == ".dimacs":
        data = dimacs_catalog(path.read_text(encoding="utf-8"), str(path))
        return Catalog.from_text(json.dumps(data), str(path), backend=backend)
    return Catalog.from_path(path, backend=backend)


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def measure(path: Path, backend: str, walks: int, seed: int, *, counted: bool = True) -> dict[str, Any]:
    """Every figure for one model (run in its own process)."""
    started = time.perf_counter()
    catalog = _open(path, backend)
    loaded = time.perf_counter()
    catalog.domains({})
    prepared = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the d4 compiler runs in a child
    prepare_cpu = time.process_time() + children.ru_utime + children.ru_stime
    count = catalog.count() if counted else None
    counted_at = time.perf_counter()
    rng = random.Random(seed)
    picks: list[float] = []
    cpu: list[float] = []  # the same picks in CPU time: what they cost on a machine shared with others
    errors = 0
    for _ in range(walks):
        selection: dict[str, str] = {}
        state = catalog.domains(selection, alternatives=True)
        for _ in range(PICKS_PER_WALK):
            open_features = [f for f, options in state.domains.items() if options and f not in selection]
            if not open_features:
                break
            feature = rng.choice(open_features)
            selection[feature] = rng.choice(state.domains[feature])
            before, cpu_before = time.perf_counter(), time.process_time()
            state = catalog.domains(selection, alternatives=True)
            catalog.price(selection)
            picks.append(time.perf_counter() - before)
            cpu.append(time.process_time() - cpu_before)
            errors += 0 if state.consistent else 1  # an offered option must keep the selection consistent
    picks.sort()
    cpu.sort()
    return {
        "backend": catalog.boolean.stats()["backend"] if catalog.boolean is not None else "junction tree",
        "features": len(catalog.model.features),
        "rules": len(catalog.model.constraints),
        "load_s": loaded - started,
        "prepare_s": prepared - started,
        "prepare_cpu_s": prepare_cpu,
        "count": None if count is None else str(count),
        "count_s": counted_at - prepared,
        "picks": len(picks),
        "p50_ms": _percentile(picks, 0.50) * 1000,
        "p95_ms": _percentile(picks, 0.95) * 1000,
        "max_ms": picks[-1] * 1000,
        "cpu_p50_ms": _percentile(cpu, 0.50) * 1000,
        "cpu_p95_ms": _percentile(cpu, 0.95) * 1000,
        "errors": errors,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpu_s": time.process_time(),
    }


def run_models(model: str = "all", walks: int | None = None, backend: str = "auto") -> dict[str, dict[str, Any]]:
    """Each chosen model in a fresh worker process, one after the other."""
    names = list(MODELS) if model == "all" else [model]
    results = {}
    for name in names:
        chosen = MODEL_BACKEND.get(name, backend) if backend == "auto" else backend
        print(f"{name}: {walks or 20} walks of {PICKS_PER_WALK} picks, backend {chosen}", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "figures.json"
            command = [sys.executable, "-m", "bench.walks", "--worker", name, "--out", str(out),
                       "--walks", str(walks or 20), "--backend", chosen]
            done = subprocess.run(command, cwd=ROOT, check=False)
            if done.returncode != 0 or not out.exists():
                results[name] = {"failed": f"worker exited with status {done.returncode}"}
                continue
            results[name] = json.loads(out.read_text(encoding="utf-8"))
    return results


def table(results: dict[str, dict[str, Any]]) -> str:
    """One line per model, figures next to their targets."""
    lines = [
        "| model | backend | features / rules | load + prepare | count (time) | picks | "
        "P50 / P95 / max per pick | CPU P50 / P95 | peak memory | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, f in results.items():
        if "failed" in f:
            lines.append(f"| {name} | failed: {f['failed']} | | | | | | | | |")
            continue
        if f["count"] is None:
            shown = "not asked"
        else:
            count = int(f["count"])
            shown = f"{count:,}" if count < 10**30 else f"{str(count)[:6]}... ({len(str(count))} digits)"
        lines.append(
            f"| {name} | {f['backend']} | {f['features']:,} / {f['rules']:,} | "
            f"{f['prepare_s']:.2f} s (load {f['load_s']:.2f} s; CPU {f['prepare_cpu_s']:.2f} s) | {shown} ({f['count_s'] * 1000:.0f} ms) | "
            f"{f['picks']} | {f['p50_ms']:.1f} / {f['p95_ms']:.1f} / {f['max_ms']:.1f} ms | "
            f"{f['cpu_p50_ms']:.1f} / {f['cpu_p95_ms']:.1f} ms | "
            f"{f['peak_mib']:.0f} MiB | {f['errors']} |"
        )
    return "\n".join(lines)


def failures(results: dict[str, dict[str, Any]]) -> list[str]:
    """Runs that failed, found an error or missed a target."""
    found = []
    for name, figures in results.items():
        if "failed" in figures:
            found.append(f"{name}: {figures['failed']}")
            continue
        if figures["errors"]:
            found.append(f"{name}: {figures['errors']} picks left an inconsistent selection")
        for key, limit in MODEL_TARGETS.get(name, TARGETS).items():
            if figures[key] > limit:
                found.append(f"{name}: {key} {figures[key]:.1f} above the target {limit:g}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.walks", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="all", choices=[*MODELS, "all"])
    parser.add_argument("--walks", type=int, default=20)
    parser.add_argument("--backend", default="auto", choices=["auto", "d-DNNF", "junction-tree", "SAT"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", choices=list(MODELS), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        figures = measure(
            MODELS[args.worker], args.backend, args.walks, args.seed, counted=args.worker not in NOT_COUNTED
        )
        Path(args.out).write_text(json.dumps(figures), encoding="utf-8")
        return 0
    results = run_models(args.model, args.walks, args.backend)
    print(table(results))
    problems = failures(results)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
