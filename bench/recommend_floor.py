"""`python -m bench.recommend_floor --catalog medium|big|all`: how few errors any recommender could make.

The benchmark (bench/recommend.py) reveals each sales row one feature at a
time in a random order and asks, before each reveal, for the value of the
feature about to be revealed. Whatever a method does, its answer to a
question can only depend on what it is shown: the asked feature f, the picks
revealed so far x_S (the exact domains are a function of those picks) and
the order, which is random and says nothing about the row. So no method can
expect fewer errors than the Bayes classifier, argmax_v P(x_f = v | x_S).

That error cannot be measured directly, but it has a lower bound that can:
for a fixed (f, S), the rule "answer the value most often seen with these
revealed picks in the whole data" makes, on the data it was read from, the
fewest errors any rule of x_S can make there, the Bayes classifier's
included; and the Bayes classifier's error on the data is, in expectation,
its error on new rows. Hence

    E[in-sample error of the majority rule] <= Bayes error <= E[error of any method]

for rows drawn like the sales rows (i.i.d.). This bench computes the left
side over every question the protocol asks (every row's own order), reading
all sales rows, so it is a floor for every fold at once: a target below it
asks for fewer errors than a recommender that knew the sales distribution
exactly could expect. The in-sample rule is optimistic (a configuration sold
once is always "predicted" right), so the true floor is higher still.

Grouping rows by their values on S costs one pass per question: each
(feature, value) pair gets a random 64-bit key, a row's key over S is the sum
of its pairs' keys (mod 2^64), extended by one feature at each reveal.

The spread (`--bootstrap N`) redraws the rows N times (multinomial over the
distinct configurations) and gives the standard deviation of the floor
over those draws.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .catalogs import selected
from .recommend import RESULTS, read_sales, reveal_order


@dataclass(frozen=True)
class Sales:
    """The distinct configurations (value codes, configuration x feature) and how often each was sold."""

    features: list[str]
    codes: np.ndarray
    counts: np.ndarray

    @classmethod
    def from_rows(cls, rows: Sequence[dict], features: Sequence[str]) -> Sales:
        """Distinct configurations of `rows` ({"selections": {...}}) over `features`; None: not fitted."""
        seen: dict[tuple, int] = {}
        for row in rows:
            key = tuple(row["selections"].get(f) for f in features)
            seen[key] = seen.get(key, 0) + 1
        keys = list(seen)
        codes = np.empty((len(keys), len(features)), dtype=np.int64)
        for j in range(len(features)):
            values = sorted({str(k[j]) for k in keys})
            position = {v: i for i, v in enumerate(values)}
            codes[:, j] = [position[str(k[j])] for k in keys]
        return cls(list(features), codes, np.array([seen[k] for k in keys], dtype=np.float64))


def question_errors(
    sales: Sales, order: Sequence[str], counts: np.ndarray | None = None, seed: int = 0
) -> list[tuple[str, float]]:
    """For each question of one reveal `order`: (asked feature, in-sample error of the majority rule).

    `counts` overrides how often each distinct configuration was sold (for
    the bootstrap).
    """
    counts = sales.counts if counts is None else counts
    total = counts.sum()
    index = {f: i for i, f in enumerate(sales.features)}
    keys = _pair_keys(sales, seed)
    group_key = np.zeros(len(sales.codes), dtype=np.uint64)
    answers = []
    for feature in order:
        column = index[feature]
        _, group = np.unique(group_key, return_inverse=True)
        values = sales.codes[:, column]
        width = int(values.max()) + 1
        sold = np.bincount(
            group.ravel() * width + values, counts, minlength=(group.max() + 1) * width
        )
        most = sold.reshape(-1, width).max(axis=1).sum()
        answers.append((feature, float(1.0 - most / total)))
        group_key += keys[column][values]  # wraps mod 2^64, which a key only needs
    return answers


def _pair_keys(sales: Sales, seed: int) -> list[np.ndarray]:
    """One random 64-bit key per (feature, value code)."""
    rng = np.random.default_rng(seed)
    top = np.iinfo(np.uint64).max
    return [
        rng.integers(0, top, size=int(sales.codes[:, j].max()) + 1, dtype=np.uint64, endpoint=True)
        for j in range(len(sales.features))
    ]


def floor(
    sales: Sales, orders: Sequence[Sequence[str]], counts: np.ndarray | None = None
) -> dict[str, float]:
    """The mean in-sample error over every question of `orders`, overall ("all") and per asked feature."""
    by_feature: dict[str, list[float]] = {}
    for order in orders:
        for feature, error in question_errors(sales, order, counts):
            by_feature.setdefault(feature, []).append(error)
    every = [e for errors in by_feature.values() for e in errors]
    result = {"all": float(np.mean(every))}
    result.update({f: float(np.mean(errors)) for f, errors in by_feature.items()})
    return result


def measure(name: str, rows: int | None, bootstrap: int, seed: int, share: float = 1.0) -> dict:
    """The floor of a benchmark catalog over its sales rows' own reveal orders.

    `share` < 1 reads only that share of the sales rows (drawn at random):
    the floor of a smaller sample is lower (more configurations sold once),
    which shows how far below the Bayes error the full sample's floor lies.
    """
    bench = selected(name)[0]
    sales_rows = read_sales(bench.sales)
    if share < 1.0:
        keep = np.random.default_rng(seed + 2).random(len(sales_rows)) < share
        sales_rows = [row for row, kept in zip(sales_rows, keep) if kept]
    from configurator.engine import load_catalog

    catalog = load_catalog(bench.catalog)
    used = {feature for row in sales_rows for feature in row["selections"]}
    features = [f.id for f in catalog.model.features if f.id in used]
    sales = Sales.from_rows(sales_rows, features)
    numbers = range(len(sales_rows))
    if rows is not None and rows < len(sales_rows):
        numbers = sorted(np.random.default_rng(seed).choice(len(sales_rows), rows, replace=False))
    orders = [reveal_order(sales_rows[n], int(n), features) for n in numbers]
    started = time.perf_counter()
    result = floor(sales, orders)
    spent = time.perf_counter() - started
    draws = []
    rng = np.random.default_rng(seed + 1)
    for _ in range(bootstrap):
        counts = rng.multinomial(int(sales.counts.sum()), sales.counts / sales.counts.sum())
        draws.append(floor(sales, orders, counts.astype(np.float64))["all"])
    worst = sorted((f for f in result if f != "all"), key=lambda f: -result[f])[:5]
    return {
        "catalog": name,
        "sales_rows": len(sales_rows),
        "distinct_configurations": len(sales.codes),
        "orders": len(orders),
        "questions": len(orders) * len(features),
        "share_of_rows": share,
        "floor_percent": 100 * result["all"],
        "bootstrap": bootstrap,
        "bootstrap_sd_points": 100 * float(np.std(draws, ddof=1)) if bootstrap > 1 else None,
        "worst_features_percent": {f: 100 * result[f] for f in worst},
        "seconds": spent,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default="all", choices=["medium", "big", "all"])
    parser.add_argument(
        "--rows", type=int, help="reveal orders of this many random rows (default: every row)"
    )
    parser.add_argument(
        "--bootstrap", type=int, default=0, help="redraws of the rows for the spread"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--share", type=float, default=1.0, help="read only this share of the sales rows (0-1]"
    )
    args = parser.parse_args(argv)
    names = ["medium", "big"] if args.catalog == "all" else [args.catalog]
    for name in names:
        if not selected(name)[0].sales.exists():
            print(f"{name}: the sales file is missing (../shared/benchmarks)", file=sys.stderr)
            return 1
        if not 0 < args.share <= 1:
            print("--share must be in (0, 1]", file=sys.stderr)
            return 2
        result = measure(name, args.rows, args.bootstrap, args.seed, args.share)
        RESULTS.mkdir(parents=True, exist_ok=True)
        suffix = "" if args.share == 1 else f"-share{args.share:g}"
        (RESULTS / f"recommend-floor-{name}{suffix}.json").write_text(json.dumps(result, indent=2))
        spread = result["bootstrap_sd_points"]
        print(
            f"{name}: {result['sales_rows']:,} sales rows, {result['questions']:,} questions over {result['orders']:,} reveal orders, "
            f"{result['distinct_configurations']:,} distinct configurations: floor "
            f"{result['floor_percent']:.2f} % wrong"
            + (f" (bootstrap sd {spread:.2f} points, {args.bootstrap} draws)" if spread else "")
            + f"; worst: {', '.join(f'{f} {e:.1f} %' for f, e in result['worst_features_percent'].items())}"
            f" [{result['seconds']:.0f} s]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
