"""Exact valid domains on real catalogs, against checks that share no code with the engine.

- Renault medium (tables only): the catalog file is encoded straight into CNF
  with python-sat (one Boolean per option, exactly-one / at-most-one per
  feature, one auxiliary variable per allowed row) and every option is decided
  by a SAT call under the selection as assumptions.
- Demo catalogs (`catalog/*.yaml`, with expressions): every option the engine
  shows must have a valid witness (checked by the rule evaluator); and deep in
  random selections, where few configurations contain the selection, the
  domains must equal those of enumerating all of them with the evaluator.

Selections come from seeded random walks: pick a random option in the current
domain, one feature after another, plus picks of disabled options that must
make the selection inconsistent.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bruteforce import (
    Enumeration,
    assert_domains_match,
    contains,
    model_from_file,
    normalize_selection,
    space_size,
    valid,
)
from pysat.solvers import Solver

from configurator.engine import Catalog, load_catalog
from configurator.engine.model import And, CatalogModel, CustomerAtom, Expr, Not, Or

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
MEDIUM = BENCHMARKS / "renault-medium.yaml"
DEMO_CATALOGS = sorted((ROOT / "catalog").glob("*.yaml"))
ENUMERATION_LIMIT = 4_000


# ---------------------------------------------------------------- SAT reference


class TableSat:
    """A CNF encoding of a tables-only catalog, written from the catalog file alone."""

    def __init__(self, data: dict[str, Any]):
        self.options: dict[str, list[str]] = {}
        self.var: dict[tuple[str, str], int] = {}
        self.clauses: list[list[int]] = []
        self._top = 0
        for feature in data["features"]:
            self._add_feature(feature)
        for constraint in data.get("constraints") or []:
            if set(constraint) & {"if", "require", "forbid"}:
                raise ValueError(f"{constraint.get('id')}: only tables can be encoded here")
            self._add_table(constraint["table"])
        self.solver = Solver(name="cadical153", bootstrap_with=self.clauses)

    def _next(self) -> int:
        """A fresh variable."""
        self._top += 1
        return self._top

    def _add_feature(self, feature: dict[str, Any]) -> None:
        choose = feature.get("choose", "one")
        if choose not in ("one", "optional"):
            raise ValueError(f"{feature['id']}: multi-select is not encoded here")
        ids = [option["id"] for option in feature["options"]]
        self.options[feature["id"]] = ids
        lits = [self._option_var(feature["id"], o) for o in ids]
        if choose == "one":
            self.clauses.append(lits)
        self.clauses += [[-a, -b] for i, a in enumerate(lits) for b in lits[i + 1 :]]

    def _option_var(self, feature: str, option: str) -> int:
        self.var[(feature, option)] = self._next()
        return self.var[(feature, option)]

    def _matches(self, feature: str, value: str | None) -> list[int]:
        """Literals that all hold exactly when the feature takes `value` (None: nothing)."""
        if value is None:
            return [-self.var[(feature, o)] for o in self.options[feature]]
        return [self.var[(feature, value)]]

    def _add_table(self, table: dict[str, Any]) -> None:
        features = table["features"]
        if "allow" in table:
            row_vars = []
            for row in table["allow"]:
                row_var = self._next()
                row_vars.append(row_var)
                for feature, value in zip(features, row):
                    self.clauses += [[-row_var, lit] for lit in self._matches(feature, value)]
            self.clauses.append(row_vars)
        for row in table.get("deny") or []:
            clause: list[int] = []
            for feature, value in zip(features, row):
                clause += (
                    [-lit for lit in self._matches(feature, value)]
                    if value
                    else [self.var[(feature, o)] for o in self.options[feature]]
                )
            self.clauses.append(clause)

    def domains(self, selection: dict[str, str]) -> tuple[dict[str, list[str]], set[str]] | None:
        """Exact domains and may-be-empty features under the selection, or None if unsatisfiable."""
        assumptions = [self.var[(f, o)] for f, o in selection.items()]
        seen: set[tuple[str, str]] = set()
        empty: set[str] = set()
        if not self._solve(assumptions, seen, empty):
            return None
        for key, lit in self.var.items():
            if key not in seen:
                self._solve(assumptions + [lit], seen, empty)
        for feature, ids in self.options.items():
            if feature not in empty and feature not in selection:
                self._solve(assumptions + [-self.var[(feature, o)] for o in ids], seen, empty)
        domains = {f: [o for o in ids if (f, o) in seen] for f, ids in self.options.items()}
        return domains, empty

    def _solve(self, assumptions: list[int], seen: set, empty: set) -> bool:
        """One call; a model found proves every option it picks and every feature it leaves empty."""
        if not self.solver.solve(assumptions=assumptions):
            return False
        true = {lit for lit in self.solver.get_model() if lit > 0}
        for feature, ids in self.options.items():
            picked = [o for o in ids if self.var[(feature, o)] in true]
            seen.update((feature, o) for o in picked)
            if not picked:
                empty.add(feature)
        return True


def random_walks(
    catalog: Catalog, options: dict[str, list[str]], seed: int, picks: int
) -> Iterator[dict[str, str]]:
    """Selections met on random walks (each pick from the current domain), then spoiled ones."""
    rng = random.Random(seed)
    selection: dict[str, str] = {}
    for _ in range(picks):
        state = catalog.domains(selection)
        open_features = [f for f, d in state.domains.items() if d and f not in selection]
        if not open_features:
            break
        feature = rng.choice(open_features)
        selection = {**selection, feature: rng.choice(state.domains[feature])}
        yield selection
    yield from _spoiled(catalog, options, selection, rng)


def _spoiled(
    catalog: Catalog, options: dict[str, list[str]], selection: dict[str, str], rng: random.Random
) -> Iterator[dict[str, str]]:
    """The selection plus one disabled option, then plus one option of any kind at random."""
    state = catalog.domains(selection)
    every = {f: opts for f, opts in options.items() if f not in selection}
    disabled = [(f, o) for f, opts in every.items() for o in opts if o not in state.domains[f]]
    if disabled:
        feature, option = rng.choice(disabled)
        yield {**selection, feature: option}
    feature = rng.choice(sorted(every))
    yield {**selection, feature: rng.choice(every[feature])}


# ---------------------------------------------------------------- Renault medium


@pytest.fixture(scope="module")
def medium() -> tuple[Catalog, TableSat]:
    """The medium Renault catalog, as the engine loads it and as an independent CNF."""
    if not BENCHMARKS.is_dir():
        pytest.skip(f"benchmark catalogs not found: {BENCHMARKS} is absent")
    data = yaml.load(
        MEDIUM.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    return load_catalog(str(MEDIUM)), TableSat(data)


def test_medium_empty_selection_matches_sat(medium: tuple[Catalog, TableSat]) -> None:
    """Before any pick: the catalog's own dead options and optional features."""
    catalog, sat = medium
    _assert_same(catalog, sat, {})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_medium_random_selections_match_sat(medium: tuple[Catalog, TableSat], seed: int) -> None:
    """Every domain along a walk of 10 random picks, and after two spoiling picks, equals SAT's."""
    catalog, sat = medium
    checked = 0
    for selection in random_walks(catalog, sat.options, seed, picks=10):
        _assert_same(catalog, sat, selection)
        checked += 1
    assert checked >= 10


def _assert_same(catalog: Catalog, sat: TableSat, selection: dict[str, str]) -> None:
    state = catalog.domains(selection)
    expected = sat.domains(selection)
    assert state.consistent == (expected is not None), f"selection {selection}"
    if expected is None:
        assert all(not options for options in state.domains.values()), f"selection {selection}"
        return
    domains, empty = expected
    assert dict(state.domains) == domains, f"selection {selection}"
    assert set(state.may_be_empty) == empty, f"selection {selection}"


# ---------------------------------------------------------------- demo catalogs


def customer_values(model: CatalogModel) -> dict[str, list[str]]:
    """Every customer fact the rules read, with the values they compare it to."""
    values: dict[str, set[str]] = {}

    def walk(expr: Expr | None) -> None:
        if isinstance(expr, (And, Or)):
            for item in expr.items:
                walk(item)
        elif isinstance(expr, Not):
            walk(expr.item)
        elif isinstance(expr, CustomerAtom):
            values.setdefault(expr.key, set()).update(expr.values)

    for constraint in model.constraints:
        walk(constraint.condition)
        walk(constraint.expr)
    return {key: sorted(vals) for key, vals in values.items()}


def random_customers(model: CatalogModel, seed: int, count: int = 3) -> list[dict[str, str]]:
    """No facts, then random facts among the values the rules name (or one they do not)."""
    rng = random.Random(seed)
    facts = customer_values(model)
    customers: list[dict[str, str]] = [{}]
    for _ in range(count - 1):
        customers.append({key: rng.choice(vals + ["someone-else"]) for key, vals in facts.items()})
    return customers


def _demo_selections(
    catalog: Catalog, model: CatalogModel, customer: dict[str, str], seed: int, picks: int = 4
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    selections: list[dict[str, Any]] = [{}]
    selection: dict[str, Any] = {}
    for _ in range(picks):
        state = catalog.domains(selection, customer)
        open_features = [f for f, d in state.domains.items() if d and f not in selection]
        if not state.consistent or not open_features:
            break
        feature = rng.choice(open_features)
        option = rng.choice(state.domains[feature])
        selection = {**selection, feature: [option] if _is_multi(model, feature) else option}
        selections.append(selection)
    return selections


def _is_multi(model: CatalogModel, feature_id: str) -> bool:
    return model.feature(feature_id).choose_kind == "multi"


@pytest.mark.parametrize("path", DEMO_CATALOGS, ids=lambda p: p.stem)
def test_demo_shown_options_have_valid_witnesses(path: Path) -> None:
    """Every option the engine shows is picked by a configuration the evaluator accepts.

    Each shown option costs a cheapest completion (about 50 ms on the standing
    desk), so this walks three picks deep for a guest and one customer with facts;
    the domain tests below go deeper against enumeration."""
    catalog = load_catalog(str(path))
    model = model_from_file(path)
    for customer in random_customers(model, seed=7, count=2):
        for selection in _demo_selections(catalog, model, customer, seed=11, picks=3):
            state = catalog.domains(selection, customer)
            for feature, options in state.domains.items():
                for option in options:
                    _assert_witness(catalog, model, selection, customer, feature, option)


def _assert_witness(
    catalog: Catalog,
    model: CatalogModel,
    selection: dict,
    customer: dict,
    feature: str,
    option: str,
) -> None:
    """complete() with the option forced gives a configuration the evaluator accepts."""
    wanted = dict(selection)
    if _is_multi(model, feature):
        wanted[feature] = sorted(set(normalize_selection(selection).get(feature, ())) | {option})
    else:
        wanted[feature] = option
    completion = catalog.complete(wanted, customer)
    where = f"{feature}={option} under {selection}, customer {customer}"
    assert completion.consistent, f"{where}: shown, but no completion"
    config = {f.id: frozenset() for f in model.features} | normalize_selection(
        completion.selections
    )
    assert contains(config, normalize_selection(wanted)), where
    assert valid(model, config, customer), (
        f"{where}: completion {completion.selections} is not valid"
    )


def _deep_selection(
    catalog: Catalog, model: CatalogModel, customer: dict[str, str], rng: random.Random
) -> dict[str, Any] | None:
    """Random picks from the current domains until few enough configurations contain them."""
    selection: dict[str, Any] = {}
    while space_size(model, selection) > ENUMERATION_LIMIT:
        state = catalog.domains(selection, customer)
        open_features = [f for f, d in state.domains.items() if d and f not in selection]
        if not state.consistent or not open_features:
            return None
        feature = rng.choice(open_features)
        option = rng.choice(state.domains[feature])
        selection[feature] = [option] if _is_multi(model, feature) else option
    return selection


@pytest.mark.parametrize("path", DEMO_CATALOGS, ids=lambda p: p.stem)
def test_demo_domains_equal_enumeration_deep_in_a_selection(path: Path) -> None:
    """Deep in random selections, domains equal those of every configuration containing them.

    The catalog is too large to enumerate, but the configurations that contain
    a selection of most features are few: enumerating them with the evaluator
    gives the exact answer for that selection and for a spoiling pick on top.
    """
    catalog = load_catalog(str(path))
    model = model_from_file(path)
    rng = random.Random(17)
    checked = 0
    for customer in random_customers(model, seed=3):
        selection = _deep_selection(catalog, model, customer, rng)
        if selection is None:
            continue
        enumeration = Enumeration(model, customer, limit=ENUMERATION_LIMIT, within=selection)
        spoiler = _random_pick(model, selection, rng)
        for asked in (selection, {**selection, **spoiler}):
            assert_domains_match(catalog, enumeration, asked, customer)
            checked += 1
    assert checked >= 2, "no random walk got deep enough to enumerate"


def _random_pick(
    model: CatalogModel, selection: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """One more pick, of any option of a feature not yet picked (often a disabled one)."""
    feature = rng.choice([f for f in model.features if f.id not in selection])
    option = rng.choice(feature.option_ids())
    return {feature.id: [option] if feature.choose_kind == "multi" else option}
