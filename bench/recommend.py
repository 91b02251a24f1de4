"""`python -m bench.recommend [--catalog medium|big|all] [--fold 9|all] [--limit N]`.

Evaluates the recommender (`configurator/engine/recommend.py`) on the Renault
sales: trains on the sales rows outside the held-out fold, then replays each
held-out row one feature at a time in its random order and, before each
feature is revealed, asks for its value given the exact domains after the
values revealed so far. Top-1 accuracy against the baseline "most popular
value still possible", and the time per recommendation. `--fold all` runs the
ten folds and gives their mean and spread. The exact domains of each replayed
row do not depend on the recommender or the fold, so they are kept in
bench/results/recommend-replay-<catalog>.jsonl and reused by later runs.
See bench/RECOMMEND.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from configurator.engine import load_catalog
from configurator.engine.recommend import PastConfiguration, Recommender
from configurator.engine.results import State

from .catalogs import BENCHMARKS, ROOT, selected

RESULTS = ROOT / "bench" / "results"
PROGRESS_EVERY = 100
# How sharply the most similar rows outvote the others, chosen on folds 0 and 1
# (training rows for fold 9): medium is best near 5, big near 25.
SHARPNESS = {"medium": 5.0, "big": 25.0}
# Rows holding every pick so far vote alone when there are any (Recommender's
# same_picks_decide, on by default). Off for medium: its published folds keep
# each configuration in one fold, so a held-out sale is never one sold in
# training and the rows holding every pick differ from it where it is asked
# (7.29 % wrong against 5.75 % on the ten folds); on big's published split,
# where rows fall in folds at random, and on medium split at random, they
# make 7-12 % fewer errors. See bench/RECOMMEND.md, "Fourth attempt".
SAME_PICKS_DECIDE = {"medium": False, "big": True}
PUBLISHED_ERROR = {"medium": 6.23, "big": 5.46}  # toulbar2 PE-MRF, fold 9 (Brouard et al., CP 2020)


def read_folds(path: Path) -> list[int]:
    """The fold of each sales row: the folds file without its newlines, one digit per row."""
    return [int(digit) for digit in path.read_text(encoding="utf-8") if digit.isdigit()]


def read_sales(path: Path) -> list[dict[str, Any]]:
    """Every sales row: {"selections": {feature: option}, "order": [...]}."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def published_folds(path: Path, sales: list) -> tuple[list[int], str]:
    """The fold of each sales row as toulbar2/CFN-learn's renault.py reads it, and how.

    Row i is in the fold of the folds file's i-th digit. Big's file has 8,562
    digits for 8,337 rows: renault.py reads the first 8,337 (its published
    fold 9 has the 844 test rows its log shows), and so do we. That split does
    not keep big's identical configurations together (see bench/RECOMMEND.md).
    """
    folds = read_folds(path)
    if len(folds) < len(sales):
        raise SystemExit(f"{path.name}: {len(folds)} fold digits for {len(sales)} sales rows")
    split = "folds file"
    if len(folds) > len(sales):
        split = f"folds file, first {len(sales):,} of its {len(folds):,} digits (as renault.py)"
    return folds[: len(sales)], split


def folds_path(name: str) -> Path:
    """The catalog's published folds file."""
    return selected(name)[0].catalog.with_name(f"renault-{name}-folds.txt")


def reveal_order(row: dict[str, Any], number: int, sales_features: list[str]) -> list[str]:
    """The row's features in the order they are revealed.

    The file's `order` covers the fitted features; each "not fitted" feature of
    the sales data is inserted at a random position (seeded by the row's
    number, so every run replays the same sequence), which keeps the whole
    sequence a uniformly random order, as in the published protocol.
    """
    order = list(row["order"])
    rng = random.Random(number)
    for feature in sales_features:
        if feature not in row["selections"]:
            order.insert(rng.randint(0, len(order)), feature)
    return order


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return 1000 * ordered[max(0, int(np.ceil(share * len(ordered))) - 1)]


class ReplayCache:
    """The exact domains before each reveal of each replayed row, kept on disk.

    One JSON line per row: {"row": n, "steps": [[feature, [allowed option
    positions], may stay empty, domains() microseconds], ...]}. They depend
    only on the catalog, the row and its reveal order, so one replay serves
    every fold and every recommender setting. Delete the file after changing
    the catalog or the replay protocol.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self.rows: dict[int, list] = {}
        # Every sales feature's domain before each reveal, as what each step
        # removed (see `replay_pruned`); absent for rows cached before it was kept.
        self.pruned: dict[int, list] = {}
        if path is not None and path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:  # a run killed mid-write leaves a partial last line
                    entry = json.loads(line)
                except ValueError:
                    continue
                self.rows[entry["row"]] = entry["steps"]
                if "pruned" in entry:
                    self.pruned[entry["row"]] = entry["pruned"]

    def steps(self, catalog, number: int, row: dict[str, Any], sales_features: list[str]) -> list:
        """The row's replay: from the file, else computed with `catalog.domains` and stored."""
        if number not in self.rows:
            steps, pruned = replay_pruned(catalog, row, number, sales_features)
            self.rows[number], self.pruned[number] = steps, pruned
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                entry = {"row": number, "steps": steps, "pruned": pruned}
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(entry) + "\n")
        return self.rows[number]


def replay(catalog, row: dict[str, Any], number: int, sales_features: list[str]) -> list:
    """Reveal the row one feature at a time; before each, the feature's exact domain."""
    return replay_pruned(catalog, row, number, sales_features)[0]


def replay_pruned(
    catalog, row: dict[str, Any], number: int, sales_features: list[str]
) -> tuple[list, list]:
    """The replay's steps, and what each step's `domains()` removed from every sales feature.

    The second list has one entry per step: the [sales feature index, option
    position] pairs that left the domains since the step before (position -1:
    the feature may no longer stay empty), starting from every option and
    "empty" open. Domains only shrink as picks are added, so these deltas give
    every sales feature's exact domain at each step in a few bytes.
    """
    selection: dict[str, str | None] = {}
    steps, pruned = [], []
    open_values = {
        (i, k)
        for i, feature_id in enumerate(sales_features)
        for k in range(-1, len(catalog.model.feature(feature_id).options))
    }
    for feature_id in reveal_order(row, number, sales_features):
        started = time.perf_counter()
        state = catalog.domains(selection)
        spent = time.perf_counter() - started
        if not state.consistent:  # a sales row the catalog refuses: nothing to ask
            raise ValueError(f"sales row {number} is not a valid configuration")
        domain = set(state.domains[feature_id])
        options = catalog.model.feature(feature_id).options
        allowed = [k for k, option in enumerate(options) if option.id in domain]
        steps.append([feature_id, allowed, feature_id in state.may_be_empty, round(spent * 1e6)])
        still_open = open_values_of(catalog, state, sales_features)
        pruned.append(sorted(map(list, open_values - still_open)))
        open_values = still_open
        selection[feature_id] = row["selections"].get(feature_id)
    return steps, pruned


def open_values_of(catalog, state: State, sales_features: list[str]) -> set[tuple[int, int]]:
    """The (sales feature index, option position) pairs still possible; -1 for "empty"."""
    empty = set(state.may_be_empty)
    values = set()
    for i, feature_id in enumerate(sales_features):
        domain = set(state.domains.get(feature_id, ()))
        options = catalog.model.feature(feature_id).options
        values.update((i, k) for k, option in enumerate(options) if option.id in domain)
        if feature_id in empty:
            values.add((i, -1))
    return values


def step_state(catalog, step: list) -> State:
    """The part of `catalog.domains(...)` the recommender reads: the asked feature's domain."""
    feature_id, allowed, may_be_empty, _ = step
    options = catalog.model.feature(feature_id).options
    return State(
        consistent=True,
        complete=False,
        domains={feature_id: [options[k].id for k in allowed]},
        may_be_empty=[feature_id] if may_be_empty else [],
        selection={},
    )


def load(name: str) -> dict[str, Any]:
    """The catalog, its sales rows, each row's fold and the features the sales use."""
    bench = selected(name)[0]
    catalog = load_catalog(bench.catalog)
    catalog.prepare()
    sales = read_sales(bench.sales)
    folds, split = published_folds(folds_path(name), sales)
    in_sales = {feature for row in sales for feature in row["selections"]}
    return {
        "name": name,
        "catalog": catalog,
        "sales": sales,
        "folds": folds,
        "split": split,
        "sales_features": [f.id for f in catalog.model.features if f.id in in_sales],
        "cache": ReplayCache(RESULTS / f"recommend-replay-{name}.jsonl"),
    }


def evaluate(
    context: dict[str, Any],
    fold: int,
    limit: int | None,
    sharpness: float | None,
    same_picks: bool | None = None,
    cached: bool = False,
) -> dict[str, Any]:
    """Train on the rows outside `fold`, replay the held-out rows and gather every figure.

    `cached`: only the held-out rows already in the replay cache.
    """
    name, catalog, sales, folds = (context[k] for k in ("name", "catalog", "sales", "folds"))
    started = time.perf_counter()
    training = [PastConfiguration(row["selections"]) for row, f in zip(sales, folds) if f != fold]
    sharpness = SHARPNESS[name] if sharpness is None else sharpness
    same_picks = SAME_PICKS_DECIDE[name] if same_picks is None else same_picks
    recommender = Recommender.for_catalog(
        catalog, training, sharpness=sharpness, same_picks_decide=same_picks
    )
    training_s = time.perf_counter() - started

    held_out = [(number, row) for number, row in enumerate(sales) if folds[number] == fold]
    if cached:
        held_out = [(number, row) for number, row in held_out if number in context["cache"].rows]
    held_out = held_out[:limit] if limit is not None else held_out
    print(
        f"{name}: {len(training)} training rows, replaying {len(held_out)} rows of fold {fold}",
        file=sys.stderr,
        flush=True,
    )
    right = {"recommender": 0, "baseline": 0}
    right_open = {"recommender": 0, "baseline": 0}
    by_source: dict[str, list[int]] = {}
    questions = open_questions = 0
    domains_s: list[float] = []
    recommend_s: list[float] = []
    # CPU time of the same calls: on a machine shared with others, wall time
    # mostly measures the wait for a core.
    recommend_cpu_s: list[float] = []
    for done, (number, row) in enumerate(held_out, 1):
        selection: dict[str, str | None] = {}
        for step in context["cache"].steps(catalog, number, row, context["sales_features"]):
            feature = step[0]
            truth = row["selections"].get(feature)
            state = step_state(catalog, step)
            t1, c1 = time.perf_counter(), time.thread_time()
            suggestion = recommender.recommend(feature, selection, state)
            t2, c2 = time.perf_counter(), time.thread_time()
            baseline = recommender.popular(feature, state)
            domains_s.append(step[3] / 1e6)
            recommend_s.append(t2 - t1)
            recommend_cpu_s.append(c2 - c1)
            choices = len(step[1]) + step[2]
            questions += 1
            open_questions += choices > 1
            for method, answer in (("recommender", suggestion), ("baseline", baseline)):
                hit = answer is not None and answer.option == truth
                right[method] += hit
                right_open[method] += hit and choices > 1
            if suggestion is not None:
                tally = by_source.setdefault(suggestion.source, [0, 0])
                tally[0] += 1
                tally[1] += suggestion.option == truth
            selection[feature] = truth  # None: revealed as "not fitted"
        if done % PROGRESS_EVERY == 0:
            print(
                f"  {done}/{len(held_out)} rows, "
                f"recommender {right['recommender'] / questions:.2%} "
                f"baseline {right['baseline'] / questions:.2%}",
                file=sys.stderr,
                flush=True,
            )

    def accuracy(hits: int, total: int) -> float:
        return 100 * hits / total if total else 0.0

    return {
        "catalog": name,
        "fold": fold,
        "split": context["split"],
        "sharpness": sharpness,
        "same_picks_decide": same_picks,
        "training_rows": len(training),
        "held_out_rows": len(held_out),
        "sales_features": len(context["sales_features"]),
        "questions": questions,
        "open_questions": open_questions,
        "training_s": training_s,
        "recommender_accuracy": accuracy(right["recommender"], questions),
        "recommender_error": 100 - accuracy(right["recommender"], questions),
        "baseline_accuracy": accuracy(right["baseline"], questions),
        "baseline_error": 100 - accuracy(right["baseline"], questions),
        "recommender_accuracy_open": accuracy(right_open["recommender"], open_questions),
        "baseline_accuracy_open": accuracy(right_open["baseline"], open_questions),
        "published_error": PUBLISHED_ERROR.get(name),
        "by_source": {
            source: {"questions": asked, "accuracy": accuracy(hits, asked)}
            for source, (asked, hits) in sorted(by_source.items())
        },
        "recommend_p50_ms": percentile(recommend_s, 0.50),
        "recommend_p95_ms": percentile(recommend_s, 0.95),
        "recommend_max_ms": percentile(recommend_s, 1.0),
        "recommend_cpu_p50_ms": percentile(recommend_cpu_s, 0.50),
        "recommend_cpu_p95_ms": percentile(recommend_cpu_s, 0.95),
        "domains_p50_ms": percentile(domains_s, 0.50),
        "domains_p95_ms": percentile(domains_s, 0.95),
    }


ROWS = [
    ("training rows / held-out rows", lambda r: f"{r['training_rows']:,} / {r['held_out_rows']:,}"),
    ("questions (with a real choice)", lambda r: f"{r['questions']:,} ({r['open_questions']:,})"),
    ("recommender top-1 accuracy", lambda r: f"{r['recommender_accuracy']:.2f}%"),
    ("baseline top-1 accuracy", lambda r: f"{r['baseline_accuracy']:.2f}%"),
    (
        "recommender / baseline error",
        lambda r: f"{r['recommender_error']:.2f}% / {r['baseline_error']:.2f}%",
    ),
    ("published error (PE-MRF, fold 9)", lambda r: f"{r['published_error']}%"),
    (
        "accuracy, real choices only",
        lambda r: f"{r['recommender_accuracy_open']:.2f}% vs {r['baseline_accuracy_open']:.2f}%",
    ),
    (
        "recommend P50 / P95 / max",
        lambda r: (
            f"{r['recommend_p50_ms']:.2f} / {r['recommend_p95_ms']:.2f}"
            f" / {r['recommend_max_ms']:.1f} ms"
        ),
    ),
    (
        "recommend CPU P50 / P95",
        lambda r: f"{r['recommend_cpu_p50_ms']:.2f} / {r['recommend_cpu_p95_ms']:.2f} ms",
    ),
    ("domains() P50 / P95", lambda r: f"{r['domains_p50_ms']:.2f} / {r['domains_p95_ms']:.2f} ms"),
    ("training", lambda r: f"{r['training_s']:.2f} s"),
]


def table(results: dict[str, dict[str, Any]]) -> str:
    """The figures of each catalog side by side."""
    names = list(results)
    lines = [["figure", *names]]
    lines += [[label, *(show(results[n]) for n in names)] for label, show in ROWS]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.recommend", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--catalog", default="all", choices=["medium", "big", "all"])
    parser.add_argument(
        "--fold",
        default="9",
        choices=[*map(str, range(10)), "all"],
        help="held-out fold, or all ten for their mean and spread (default 9)",
    )
    parser.add_argument(
        "--sharpness", type=float, default=None, help="override (default: medium 5, big 25)"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="replay only the first N held-out rows of each fold"
    )
    parser.add_argument(
        "--same-picks",
        choices=["on", "off"],
        default=None,
        help="rows holding every pick vote alone when there are any (default: per catalog)",
    )
    parser.add_argument(
        "--cached", action="store_true", help="only held-out rows already in the replay cache"
    )
    return parser.parse_args(argv)


def cross_validate(
    context: dict[str, Any], limit: int | None, sharpness: float | None, **options
) -> dict:
    """Every fold in turn, then the mean and sample standard deviation of the error rates."""
    per_fold = []
    for fold in range(10):
        per_fold.append(evaluate(context, fold, limit, sharpness, **options))
        print(
            f"  fold {fold}: recommender {per_fold[-1]['recommender_error']:.2f}% wrong, "
            f"baseline {per_fold[-1]['baseline_error']:.2f}%",
            file=sys.stderr,
            flush=True,
        )
    summary = dict(per_fold[9])  # timings and sizes as on fold 9; errors over the ten folds
    summary["fold"] = "all"
    summary["folds"] = per_fold
    for method in ("recommender", "baseline"):
        errors = [r[f"{method}_error"] for r in per_fold]
        summary[f"{method}_error_mean"] = statistics.mean(errors)
        summary[f"{method}_error_sd"] = statistics.stdev(errors)
        wrong = sum(r[f"{method}_error"] * r["questions"] for r in per_fold)
        summary[f"{method}_error_pooled"] = wrong / sum(r["questions"] for r in per_fold)
        # The side-by-side table then shows the ten folds' mean.
        summary[f"{method}_error"] = summary[f"{method}_error_mean"]
        summary[f"{method}_accuracy"] = 100 - summary[f"{method}_error_mean"]
    summary["held_out_rows"] = sum(r["held_out_rows"] for r in per_fold)
    summary["questions"] = sum(r["questions"] for r in per_fold)
    summary["open_questions"] = sum(r["open_questions"] for r in per_fold)
    for figure in ("recommend_p95_ms", "recommend_max_ms", "recommend_cpu_p95_ms"):
        summary[figure] = max(r[figure] for r in per_fold)  # the worst fold
    return summary


def fold_table(result: dict[str, Any]) -> str:
    """One line per fold, then the mean ± standard deviation."""
    lines = [
        f"{result['catalog']} ({result['split']}):",
        "fold  rows  questions  recommender  baseline",
    ]
    for r in result["folds"]:
        lines.append(
            f"{r['fold']:>4}  {r['held_out_rows']:>4}  {r['questions']:>9}"
            f"  {r['recommender_error']:>10.2f}%  {r['baseline_error']:>7.2f}%"
        )
    lines.append(
        f"mean ± sd of the ten folds: recommender {result['recommender_error_mean']:.2f} ± "
        f"{result['recommender_error_sd']:.2f} % wrong, baseline {result['baseline_error_mean']:.2f}"
        f" ± {result['baseline_error_sd']:.2f} %; worst fold's P95 {result['recommend_p95_ms']:.2f} ms"
        f" wall, {result['recommend_cpu_p95_ms']:.2f} ms CPU"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Evaluate on the chosen catalogs; exit 1 when the recommender does not beat the baseline."""
    args = parse_args(argv)
    if not BENCHMARKS.is_dir():
        print(f"benchmark catalogs not found: {BENCHMARKS} (set BENCH_DATA)", file=sys.stderr)
        return 2
    names = ["medium", "big"] if args.catalog == "all" else [args.catalog]
    results = {}
    same_picks = None if args.same_picks is None else args.same_picks == "on"
    options = {"same_picks": same_picks, "cached": args.cached}
    for name in names:
        context = load(name)
        if args.fold == "all":
            results[name] = cross_validate(context, args.limit, args.sharpness, **options)
        else:
            results[name] = evaluate(context, int(args.fold), args.limit, args.sharpness, **options)
    print(f"\nrecommender on fold {args.fold} ({BENCHMARKS})\n")
    print(table(results))
    if args.fold == "all":
        for result in results.values():
            print("\n" + fold_table(result))
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, figures in results.items():
        document = {
            "benchmark": "recommend",
            "arguments": {
                "catalog": name,
                "fold": args.fold,
                "limit": args.limit,
                "sharpness": args.sharpness,
                "same_picks": args.same_picks,
                "cached": args.cached,
            },
            "machine": {"python": platform.python_version(), "platform": platform.platform()},
            "results": figures,
        }
        suffix = "-10fold" if args.fold == "all" else ""
        path = RESULTS / f"recommend-{name}{suffix}.json"
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
        print(f"figures written to {path.relative_to(ROOT)}")
    beaten = all(r["recommender_accuracy"] > r["baseline_accuracy"] for r in results.values())
    if not beaten:
        print("the recommender does not beat the baseline")
    return 0 if beaten else 1


if __name__ == "__main__":
    sys.exit(main())
