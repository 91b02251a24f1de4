"""The d-DNNF backend (boolean catalogs the junction tree refuses) against brute force and the tree.

Random small catalogs keep only their boolean rules (no sum/count/price) and are
answered with the backend forced, so every question goes through the CNF, d4's
circuit and the SAT explanations; brute force (`bruteforce.Enumeration`) is the
judge. On the hand-made catalogs both backends must give the same answers.
automotive01 (a real feature model the junction tree refuses) must load on its
own onto this backend and count exactly what an independent model counter
(Ganak) counts on the published DIMACS file.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import replace
from pathlib import Path

import pyganak
import pytest
from agreement import (
    Request,
    assert_answers_like_brute_force,
    assert_explanations_minimal,
    assert_same_repair,
    requests,
)
from bruteforce import model_from_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import CatalogCase, catalogs

from configurator.engine import Catalog
from configurator.engine.cnf import BooleanEncoding, is_boolean

CHECKED = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DATA = Path(__file__).parent / "data"
FEATURE_MODELS = Path("/work/shared/benchmarks/feature-models")
REPO = Path(__file__).resolve().parents[2]


def _boolean_only(case: CatalogCase) -> CatalogCase:
    """The case with only its rules that compare no number."""
    model = model_from_text(case.text)
    keep = {c.index for c in model.constraints if is_boolean(_with_only(model, c))}
    data = dict(case.data)
    data["constraints"] = [c for i, c in enumerate(case.data["constraints"], 1) if i in keep]
    return CatalogCase(data, case.kinds, case.options)


def _with_only(model, constraint):
    return replace(model, constraints=(constraint,))


def boolean_requests() -> st.SearchStrategy[Request]:
    """A boolean catalog, customer facts, and three selections (the first one empty)."""
    return requests(catalogs(max_constraints=5).map(_boolean_only))


def _forced(case: CatalogCase, backend: str = "d-DNNF") -> Catalog:
    return Catalog.from_text(case.text, path="random.yaml", backend=backend)


@given(boolean_requests())
@CHECKED
def test_domains_counts_and_cheapest_equal_brute_force(request: tuple) -> None:
    """consistent, complete, domains, may-be-empty, count and cheapest completion, exactly."""
    _assert_exact(request, "d-DNNF")


@given(boolean_requests())
@CHECKED
def test_the_sat_fallback_is_exact_too(request: tuple) -> None:
    """The same answers from incremental SAT, MaxSAT and Ganak (used when d4 gives up)."""
    _assert_exact(request, "SAT")


def _assert_exact(request: tuple, backend: str) -> None:
    case, customer, picked = request
    catalog = _forced(case, backend)
    assert catalog.boolean is not None
    assert_answers_like_brute_force(catalog, case.text, customer, picked)


@given(boolean_requests())
@CHECKED
def test_alternatives_are_domains_without_the_pick(request: tuple) -> None:
    """alternatives=True: for each picked one/optional feature, its domain with that pick left out."""
    case, customer, picked = request
    catalog = _forced(case)
    for selection in picked[1:]:
        state = catalog.domains(selection, customer, alternatives=True)
        if not state.consistent:
            continue
        for feature, options in state.alternatives.items():
            without = {f: o for f, o in selection.items() if f != feature}
            assert options == catalog.domains(without, customer).domains[feature]


@given(boolean_requests())
@CHECKED
def test_explanations_are_minimal(request: tuple) -> None:
    """Every disabled option's explanation rules it out, and without any one member it does not."""
    case, customer, picked = request
    assert_explanations_minimal(case, _forced(case), picked[1:], customer)


@given(boolean_requests(), st.data())
@CHECKED
def test_repair_gives_up_the_fewest_picks(request: tuple, data: st.DataObject) -> None:
    """A repair makes the option possible, changes as few picks as any configuration must, at least cost."""
    case, customer, picked = request
    catalog = _forced(case)
    tree = Catalog.from_text(case.text, path="random.yaml", backend="junction-tree")
    selection = picked[-1]
    feature = data.draw(st.sampled_from(sorted(case.options)))
    option = data.draw(st.sampled_from(case.options[feature]))
    mine = assert_same_repair(catalog, tree, feature, option, selection, customer)
    if mine is not None:
        assert catalog.domains(mine.selection, customer).consistent


@given(boolean_requests())
@CHECKED
def test_the_cnf_counts_what_ganak_counts(request: tuple) -> None:
    """The encoding's auxiliary variables are all defined: its model count is the configuration count."""
    case, customer, _ = request
    catalog = _forced(case)
    encoding = BooleanEncoding.of(catalog.model)
    counter = pyganak.Counter()
    counter.new_vars(encoding.variables)
    counter.add_clauses(encoding.clauses + [[lit] for lit in encoding.customer_assumptions(customer)])
    assert counter.count() == catalog.count(customer)


def _boolean_part(path: Path, backend: str) -> Catalog:
    """The catalog at `path` with its numeric rules left out."""
    model = Catalog.from_path(path).model
    rules = tuple(c for c in model.constraints if is_boolean(_with_only(model, c)))
    return Catalog(replace(model, constraints=rules), backend=backend)


@pytest.mark.parametrize("path", [DATA / "tiny.yaml", DATA / "bike.yaml", *sorted((REPO / "catalog").glob("*.yaml"))])
def test_both_backends_agree_on_hand_made_catalogs(path: Path) -> None:
    """Same domains, completeness, counts and cheapest prices on walks through each catalog's boolean rules."""
    tree, circuit = _boolean_part(path, "junction-tree"), _boolean_part(path, "d-DNNF")
    assert circuit.count() == tree.count()
    mine, theirs = circuit.check(), tree.check()
    assert (mine.usable, mine.count, mine.dead_options, mine.unfillable_features, mine.unreachable_rules) == (
        theirs.usable, theirs.count, theirs.dead_options, theirs.unfillable_features, theirs.unreachable_rules
    )
    assert mine.stats["backend"] == "d-DNNF (d4)"
    assert circuit.count({"segment": "business"}) == tree.count({"segment": "business"})
    rng = random.Random(path.name)
    for _ in range(5):
        selection: dict[str, str] = {}
        for _ in range(4):
            mine, theirs = circuit.domains(selection, alternatives=True), tree.domains(selection, alternatives=True)
            assert (mine.consistent, mine.complete, mine.domains, sorted(mine.may_be_empty), mine.alternatives) == (
                theirs.consistent, theirs.complete, theirs.domains, sorted(theirs.may_be_empty), theirs.alternatives
            )
            assert circuit.complete(selection).price == tree.complete(selection).price
            open_features = [f for f, options in mine.domains.items() if options and f not in selection]
            if not open_features:
                break
            feature = rng.choice(open_features)
            if circuit.model.feature(feature).multi:
                break
            selection[feature] = rng.choice(mine.domains[feature])


@pytest.fixture(scope="module")
def automotive() -> Catalog:
    return Catalog.from_path(FEATURE_MODELS / "automotive01.json")


@pytest.mark.slow
def test_automotive01_goes_to_the_circuit_and_counts_what_ganak_counts(automotive: Catalog) -> None:
    """The junction tree refuses its 24-literal clauses; the portfolio answers exactly instead."""
    assert automotive.boolean is not None
    counter = pyganak.Counter()
    with gzip.open(FEATURE_MODELS / "automotive01-Kowal2016.dimacs.gz", "rt") as dimacs:
        for line in dimacs:
            if line.startswith("p"):
                counter.new_vars(int(line.split()[2]))
            elif line.strip() and not line.startswith("c"):
                counter.add_clause([int(x) for x in line.split()[:-1]])
    assert automotive.count() == counter.count()


@pytest.mark.slow
def test_automotive01_walk_keeps_every_offered_option_possible(automotive: Catalog) -> None:
    """Each offered option can be picked and the walk stays consistent; a dead one is explained."""
    rng = random.Random(7)
    selection: dict[str, str] = {}
    for _ in range(10):
        state = automotive.domains(selection, alternatives=True)
        assert state.consistent
        open_features = [f for f, options in state.domains.items() if options and f not in selection]
        feature = rng.choice(open_features)
        selection[feature] = rng.choice(state.domains[feature])
    state = automotive.domains(selection)
    assert state.consistent
    completion = automotive.complete(selection)
    assert completion.consistent
    assert automotive.domains(completion.selections).complete
    dead = next((f, o.id) for f in automotive.model.features for o in [f.options[0]] if not state.domains[f.id])
    explanation = automotive.explain(dead[0].id, dead[1], selection)
    assert not explanation.possible and explanation.constraints


def test_check_says_when_answers_come_from_the_sat_fallback() -> None:
    catalog = _boolean_part(DATA / "tiny.yaml", "SAT")
    report = catalog.check()
    assert report.usable and report.count == _boolean_part(DATA / "tiny.yaml", "junction-tree").count()
    assert any("incremental SAT" in warning for warning in report.warnings)


def test_a_compiler_that_runs_out_of_time_hands_over_to_sat(monkeypatch) -> None:
    """d4 is stopped at its time limit (here: at once); the catalog still answers, exactly, by SAT."""
    from configurator.engine import ddnnf

    monkeypatch.setattr(ddnnf, "COMPILE_SECONDS", 0.001)
    catalog = _boolean_part(DATA / "bike.yaml", "d-DNNF")
    assert "did not finish" in catalog.boolean.fallback_reason
    tree = _boolean_part(DATA / "bike.yaml", "junction-tree")
    assert catalog.count() == tree.count()
    assert catalog.domains({}).domains == tree.domains({}).domains


def test_the_compiler_child_gets_a_memory_limit() -> None:
    """Below the address space d4 reserves, it fails in its own process; the caller gets a clear error."""
    from configurator.engine.ddnnf import CompilationFailed, compile_cnf

    with pytest.raises(CompilationFailed, match="d4 ran out of memory"):
        compile_cnf("p cnf 2 1\n1 2 0\n", seconds=60, memory=256 * 2**20)


UNREACHABLE = """
catalog: unreachable
name: Unreachable
version: 1
currency: EUR
features:
  - {id: a, name: A, dimension: product, choose: optional, options: [{id: 'on', name: 'yes'}]}
  - {id: b, name: B, dimension: product, choose: optional, options: [{id: 'on', name: 'yes'}]}
constraints:
  - {id: a-needs-b, if: a, then: b}
  - {id: never-b, forbid: b}
  - {id: a-and-b, if: a and b, then: a}
"""


def test_check_finds_rules_whose_case_never_arises_on_both_backends() -> None:
    """`a and b` never holds (b is forbidden); `b` and `a` do once their own rule is left out."""
    reports = [Catalog.from_text(UNREACHABLE, "u.yaml", backend=b).check() for b in ("junction-tree", "d-DNNF")]
    assert reports[0].unreachable_rules == reports[1].unreachable_rules
    assert [line.split(": ")[1] for line in reports[1].unreachable_rules] == ["constraint a-and-b"]


def test_a_boolean_catalog_leaves_a_tree_with_a_too_large_bag_for_the_circuit(monkeypatch) -> None:
    """Chosen by measured size: with the bag limit below tiny's largest bag, its boolean part goes to d4."""
    from configurator.engine import catalog as catalog_module

    stays = _boolean_part(DATA / "tiny.yaml", "auto")
    assert stays.boolean is None
    monkeypatch.setattr(catalog_module, "LARGE_BAG", 0)
    moves = _boolean_part(DATA / "tiny.yaml", "auto")
    assert moves.boolean is not None and not moves.boolean.fallback_reason
    assert moves.count() == stays.count()


def test_sat_and_circuit_agree_along_a_walk_on_a_medium_feature_model() -> None:
    """FinancialServices01 (771 features): the SAT fallback's chunked probing gives the circuit's domains."""
    from configurator.engine.importers import dimacs_catalog

    path = REPO / "bench" / "models" / "FinancialServices01.dimacs"
    text = json.dumps(dimacs_catalog(path.read_text(encoding="utf-8"), str(path)))
    circuit = Catalog.from_text(text, "fs01.json", backend="d-DNNF")
    sat = Catalog.from_text(text, "fs01.json", backend="SAT")
    assert not circuit.boolean.fallback_reason
    rng = random.Random(7)
    selection: dict[str, str] = {}
    for _ in range(12):
        expected = circuit.domains(selection)
        got = sat.domains(selection)
        assert (got.domains, got.may_be_empty) == (expected.domains, expected.may_be_empty)
        open_features = [f for f, options in expected.domains.items() if options and f not in selection]
        if not open_features:
            break
        feature = rng.choice(open_features)
        selection[feature] = rng.choice(expected.domains[feature])


def test_a_forked_encoding_grows_without_touching_the_original() -> None:
    from configurator.engine.cnf import _pushed
    from configurator.engine.rules import parse_expression

    encoding = BooleanEncoding.of(model_from_text(UNREACHABLE))
    before = (encoding.variables, len(encoding.clauses), dict(encoding._defined))
    fork = encoding.fork()
    fork.literal(_pushed(parse_expression("a and not b")))
    assert fork.variables > before[0] and len(fork.clauses) > before[1]
    assert (encoding.variables, len(encoding.clauses), dict(encoding._defined)) == before
