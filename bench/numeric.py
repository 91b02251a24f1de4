"""`python -m bench.numeric`: catalogs with several numeric totals and mixed price() rules.

Catalogs whose price() rules the lifted bounds (bounded.py) cannot take,
so that the engine answers them from CP-SAT (cpsat.py):

- `city-bike-ceiling`: the demo city bike plus "Saturday delivery only up to
  price() <= 4000" next to its "at least" price rules and its weight rule;
- `numeric-heavy` (`bench/models/numeric-heavy.yaml`, made by `--write`
  from a fixed seed): 24 features, prices in cents, weight, volume and power
  sums, price() bounds in both directions, an exact price point;
- `dense-sum` (`dense_sums`): numeric-heavy without its price() rules (three dense sums);
- `deny-forbid` (`deny_forbid`): 50 `forbid` rules over 7 features of 10
  options, each rule a circuit (too wide for one factor), and a price() cap;
- `deny-forbid-tight`: the same with `price() <= 30` instead of 50, a cap that
  binds, so many values are possible only with other features made cheaper
  (greedy repairs, repair.py).

Two more for the exact count (`Catalog.count()`), also made by `--write`:

- `addons-knapsack` (`bench/models/addons-knapsack.yaml`): 40 priced add-ons
  in one multi-select under "price() <= 1200" and a parcel weight, lower with
  express delivery; counted by the dense grid of totals (grid_count.py);
- `dense-sum` (`bench/models/dense-sum.yaml`): numeric-heavy without its
  price() rules (weight, volume and power sums switched by packing and
  delivery); its count is still refused (README, "Limits of exact numeric
  rules").

Per catalog: preparation, the backend chosen, and random customer walks
(bench.demo's: each pick is `domains(..., alternatives=True)` plus `price()`),
with per-pick wall and CPU P50/P95/max and the solver calls per pick (P50, P95, total); then the
exact count (`Catalog.count()`, as `catalog check` asks it) and its time.

    .venv/bin/python -m bench.numeric --walks 20
    .venv/bin/python -m bench.numeric --walks 10 --skip-count   # the picks only
    .venv/bin/python -m bench.numeric --write      # regenerate the three bench/models files
    .venv/bin/python -m bench.numeric --write-dense /tmp/dense-sum.yaml   # numeric-heavy without price()

The dense-sum catalog (numeric-heavy without its price() rules) is the one
whose running totals outgrow the tree's and the layers' budgets: it goes to
CP-SAT only after that attempt, which the compiled store's `.backend` record
spares the next process. Measure it with `/usr/bin/time -v configurator
catalog check FILE`, twice, CONFIGURATOR_COMPILED_DIR pointing at an empty
folder the first time.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

import yaml

from configurator.engine import Catalog, CompileError

from .demo import _percentile

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "bench" / "models"
RESULTS = ROOT / "bench" / "results"


def city_bike_with_a_ceiling() -> str:
    """The demo city bike plus one "at most" price() rule."""
    text = (ROOT / "catalog" / "city-bike.yaml").read_text(encoding="utf-8")
    ceiling = (
        "\n  - id: saturday-under-4000\n    if: delivery_window == saturday\n"
        "    then: price() <= 4000\n    message: Saturday delivery is for orders up to 4,000 EUR.\n"
    )
    marker = "\n  - id: leasing-includes-insurance"
    return text.replace(marker, ceiling + marker, 1)


def numeric_heavy(seed: int = 11) -> dict:
    """A made-to-order workstation: 20 parts with price, weight, volume and power, 4 service features."""
    rng = random.Random(seed)
    features = []
    for index in range(20):
        options = []
        for number in range(rng.randint(3, 6)):
            options.append({
                "id": f"p{index}_{number}",
                "name": f"Part {index}.{number}",
                "price": f"{rng.randint(5, 400)}.{rng.choice(['00', '49', '90', '99'])}",
                "attributes": {"weight_g": rng.randint(50, 4000), "volume_l": rng.randint(0, 12),
                               "power_w": rng.randint(0, 120)},
            })
        features.append({"id": f"part{index}", "name": f"Part {index}", "dimension": "product",
                         "choose": "one" if index % 3 else "optional", "options": options})
    services = {
        "packing": ["carton", "small_box", "crate"],
        "delivery": ["parcel", "freight", "express", "free_shipping"],
        "payment": ["card", "invoice", "instalments", "leasing"],
        "support": ["none_basic", "next_day", "on_site"],
    }
    for name, ids in services.items():
        dimension = {"packing": "packaging", "delivery": "delivery", "payment": "billing"}.get(name, "product")
        options = [{"id": i, "name": i.replace("_", " "), "price": f"{rng.randint(0, 60)}.00",
                    "attributes": {"weight_g": 0}} for i in ids]
        features.append({"id": name, "name": name.title(), "dimension": dimension, "choose": "one",
                         "options": options})
    rules = [
        ("parcel-weight", {"if": "delivery == parcel", "then": "sum(weight_g) <= 31500"}),
        ("total-weight", {"require": "sum(weight_g) <= 45000"}),
        ("small-box-volume", {"if": "packing == small_box", "then": "sum(volume_l, product) <= 80"}),
        ("power-budget", {"require": "sum(power_w) <= 1100"}),
        ("express-power", {"if": "delivery == express", "then": "sum(power_w) <= 900"}),
        ("instalments-from", {"if": "payment == instalments", "then": "price() >= 2500"}),
        ("leasing-from", {"if": "payment == leasing", "then": "price() >= 3500"}),
        ("invoice-up-to", {"if": "payment == invoice", "then": "price() <= 4200"}),
        ("free-shipping-from", {"if": "delivery == free_shipping", "then": "price() >= 3000"}),
        ("express-up-to", {"if": "delivery == express", "then": "price() <= 3600"}),
        ("on-site-from", {"forbid": "support == on_site and price() < 2800"}),
        ("crate-heavy-only", {"if": "packing == crate", "then": "sum(weight_g) >= 20000"}),
        ("leasing-on-site", {"if": "payment == leasing", "then": "support == on_site"}),
        ("parts-pair", {"if": "part1 == p1_0", "then": "part2 != p2_1"}),
        ("parts-pair-2", {"if": "part4 == p4_2", "then": "part5 in [p5_0, p5_1]"}),
    ]
    constraints = [{"id": rule_id, **body, "message": f"Rule {rule_id}."} for rule_id, body in rules]
    return {"catalog": "numeric-heavy", "name": "Numeric-heavy workstation", "version": 1,
            "currency": "EUR", "features": features, "constraints": constraints}


def addons_knapsack(seed: int = 40) -> dict:
    """A gift box of 40 priced add-ons (one multi-select) under a price cap and a parcel weight.

    Prices in whole euros or half euros (5-120 EUR), weights in grams (40-1,500 g); "price() <= 1200",
    "sum(weight_g) <= 9000" and, with express delivery, "sum(weight_g) <= 5000".
    """
    rng = random.Random(seed)
    addons = [{"id": f"a{index}", "name": f"Add-on {index}",
               "price": f"{rng.randint(5, 120)}.{rng.choice(['00', '00', '50'])}",
               "attributes": {"weight_g": rng.randint(40, 1500)}} for index in range(40)]
    delivery = [{"id": "standard", "name": "Standard", "price": "0.00", "attributes": {"weight_g": 0}},
                {"id": "express", "name": "Express", "price": "19.00", "attributes": {"weight_g": 0}}]
    rules = [
        ("budget", {"require": "price() <= 1200"}),
        ("parcel-weight", {"require": "sum(weight_g) <= 9000"}),
        ("express-weight", {"if": "delivery == express", "then": "sum(weight_g) <= 5000"}),
    ]
    return {"catalog": "addons-knapsack", "name": "Gift box with add-ons", "version": 1, "currency": "EUR",
            "features": [{"id": "addons", "name": "Add-ons", "dimension": "product",
                          "choose": {"min": 0, "max": 40}, "options": addons},
                         {"id": "delivery", "name": "Delivery", "dimension": "delivery", "choose": "one",
                          "options": delivery}],
            "constraints": [{"id": rule_id, **body, "message": f"Rule {rule_id}."} for rule_id, body in rules]}


def dense_sums() -> dict:
    """numeric-heavy without its price() rules: the weight, volume and power sums alone."""
    data = numeric_heavy()
    data["catalog"], data["name"] = "dense-sum", "Dense-sum workstation"
    data["constraints"] = [rule for rule in data["constraints"]
                           if not any("price()" in str(rule.get(key, "")) for key in ("if", "then", "require", "forbid"))]
    return data


def deny_forbid(features: int = 7, options: int = 10, rows: int = 50, cap: int = 50, seed: int = 11) -> dict:
    """Wide rules: 50 `forbid` rules over all 7 features of 10 options (10^7 combinations, compiled as
    circuits) and `price() <= 50`, as tests/engine/test_wide_rules.py builds them (option v costs v)."""
    rng = random.Random(seed)
    denied: set[tuple[int, ...]] = set()
    while len(denied) < rows:
        denied.add(tuple(rng.randrange(options) for _ in range(features)))
    constraints = [{"id": f"deny-{k}", "message": "no",
                    "forbid": " and ".join(f"f{i} == o{v}" for i, v in enumerate(row))}
                   for k, row in enumerate(sorted(denied))]
    constraints.append({"id": "cap", "message": "cap", "require": f"price() <= {cap}"})
    return {"catalog": "denybig", "name": "Deny big", "version": 1, "currency": "EUR", "constraints": constraints,
            "features": [{"id": f"f{i}", "name": f"F{i}", "choose": "one", "dimension": "product",
                          "options": [{"id": f"o{v}", "name": f"O{v}", "price": v} for v in range(options)]}
                         for i in range(features)]}


def _walk(catalog: Catalog, rng: random.Random) -> tuple[list[tuple[float, float, int]], int]:
    """bench.demo's walk, also timing CPU and counting solver calls: ([(wall ms, cpu ms, calls)], errors)."""
    selection: dict[str, str] = {}
    picks, errors = [], 0
    state = catalog.domains(selection, alternatives=True)
    features = [f.id for f in catalog.model.features if not f.multi]
    rng.shuffle(features)
    for feature in features:
        options = state.domains[feature]
        if not options:
            continue
        selection[feature] = rng.choice(options)
        calls = getattr(catalog.tree, "solves", 0)
        wall, cpu = time.perf_counter(), time.process_time()
        state = catalog.domains(selection, alternatives=True)
        catalog.price(selection)
        picks.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000,
                      getattr(catalog.tree, "solves", 0) - calls))
        if not state.consistent:
            errors += 1
            break
    return picks, errors


def measure(name: str, text: str, walks: int, seed: int, count: bool = True) -> dict:
    started = time.perf_counter()
    catalog = Catalog.from_text(text, f"{name}.yaml").prepare()
    prepare_s = time.perf_counter() - started
    first, first_cpu = time.perf_counter(), time.process_time()
    catalog.domains({}, alternatives=True)
    first_s, first_cpu_s = time.perf_counter() - first, time.process_time() - first_cpu
    rng = random.Random(seed)
    picks, errors = [], 0
    for _ in range(walks):
        more, failed = _walk(catalog, rng)
        picks += more
        errors += failed
    wall = [p[0] for p in picks]
    cpu = [p[1] for p in picks]
    calls = [p[2] for p in picks]
    return {
        "catalog": name,
        "backend": type(catalog.tree).__name__,
        "prepare_s": round(prepare_s, 3),
        "first_domains_s": round(first_s, 3),
        "first_domains_cpu_s": round(first_cpu_s, 3),
        "picks": len(picks),
        "wall_p50_ms": round(_percentile(wall, 0.5), 1),
        "wall_p95_ms": round(_percentile(wall, 0.95), 1),
        "wall_max_ms": round(max(wall), 1),
        "cpu_p50_ms": round(_percentile(cpu, 0.5), 1),
        "cpu_p95_ms": round(_percentile(cpu, 0.95), 1),
        "solver_calls_p50": _percentile(calls, 0.5),
        "solver_calls_p95": _percentile(calls, 0.95),
        "solver_calls_total": sum(calls),
        "errors": errors,
        **(_timed_count(catalog) if count else {}),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _timed_count(catalog: Catalog) -> dict:
    """The exact count for a guest and the seconds it took (None when the engine refuses to count)."""
    started = time.perf_counter()
    try:
        count = catalog.count()
    except CompileError:
        count = None
    return {"count": count, "count_s": round(time.perf_counter() - started, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.numeric", description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--catalog", choices=["city-bike-ceiling", "numeric-heavy", "deny-forbid", "deny-forbid-tight",
                                              "addons-knapsack", "dense-sum"])
    parser.add_argument("--write", action="store_true", help="write the bench/models files and stop")
    parser.add_argument("--write-dense", metavar="PATH", help="write the dense-sum catalog (dense_sums) and stop")
    parser.add_argument("--skip-count", action="store_true",
                        help="walks only (the exact count of numeric-heavy takes minutes)")
    args = parser.parse_args(argv)
    generated = {"numeric-heavy": numeric_heavy, "addons-knapsack": addons_knapsack, "dense-sum": dense_sums}
    if args.write:
        for name, make in generated.items():
            (MODELS / f"{name}.yaml").write_text("# Generated by `python -m bench.numeric --write` (bench/numeric.py).\n"
                                                 + yaml.safe_dump(make(), sort_keys=False, width=120), encoding="utf-8")
        return 0
    if args.write_dense:
        Path(args.write_dense).write_text(yaml.safe_dump(dense_sums(), sort_keys=False, width=120), encoding="utf-8")
        return 0
    texts = {"city-bike-ceiling": city_bike_with_a_ceiling(), "deny-forbid": yaml.safe_dump(deny_forbid(), sort_keys=False),
             "deny-forbid-tight": yaml.safe_dump(deny_forbid(cap=30), sort_keys=False),
             **{name: (MODELS / f"{name}.yaml").read_text(encoding="utf-8") for name in generated}}
    rows = []
    for name, text in texts.items():
        if args.catalog and name != args.catalog:
            continue
        print(f"{name} ...", file=sys.stderr, flush=True)
        rows.append(measure(name, text, args.walks, args.seed, count=not args.skip_count))
    keys = [k for k in rows[0] if k != "catalog"]
    print("| catalog | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for row in rows:
        print(f"| {row['catalog']} | " + " | ".join(str(row[k]) for k in keys) + " |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "numeric-latest.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
