"""Rules too wide for one factor (issue 11): compiled as circuits of small factors, answers still exact.

A rule whose scope enumerates to more than MAX_FACTOR_TUPLES tuples (WIDE_RULE_TUPLES) used to be
refused in a catalog with numeric rules. Here the limits are patched down so
that every rule of a small random catalog becomes a circuit (compile._Circuit),
and every answer must still be brute force's; the lead's 7 x 10 deny catalogs
(generated here) must check as usable with their exact count.
"""

from __future__ import annotations

import itertools

import numpy as np
from agreement import (
    assert_answers_like_brute_force,
    assert_explanations_minimal,
    denied_rows,
    deny_catalog,
    every_rule_a_circuit,
    requests,
)
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import numeric_catalogs

from configurator.engine import Catalog
from configurator.engine.cpsat import CpSatSpace

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_against_brute_force(catalog: Catalog, case, customer, picked) -> None:
    assert_answers_like_brute_force(catalog, case.text, customer, picked)
    assert_explanations_minimal(case, catalog, picked, customer, most=2)


@given(data=st.data())
@SETTINGS
def test_circuits_answer_like_brute_force_on_cp_sat(data) -> None:
    case, customer, picked = data.draw(requests(numeric_catalogs()))
    with every_rule_a_circuit():
        catalog = Catalog.from_text(case.text, path="wide.json")
        if any(variable.kind == "circuit" for variable in catalog.problem.variables):
            assert isinstance(catalog.tree, CpSatSpace)  # chosen for its wide rules, not forced
        _check_against_brute_force(catalog, case, customer, picked)


@given(data=st.data())
@settings(SETTINGS, max_examples=15)
def test_circuits_answer_like_brute_force_in_the_running_total_tree(data) -> None:
    case, customer, picked = data.draw(requests(numeric_catalogs()))
    with every_rule_a_circuit():
        catalog = Catalog.from_text(case.text, path="wide-tree.json", backend="junction-tree")
        _check_against_brute_force(catalog, case, customer, picked)


# ---------------------------------------------------------------- the lead's deny catalogs


def _allowed(features: int, options: int, rows, cap: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Independent of the engine: every configuration as a column of a numpy grid (the price of
    option v is v), and which of them no denied row and the cap rule out."""
    grid = np.indices([options] * features).reshape(features, -1)
    keep = np.ones(grid.shape[1], dtype=bool) if cap is None else grid.sum(axis=0) <= cap
    for row in rows:
        keep &= ~np.all(grid == np.array(row)[:, None], axis=0)
    return grid, keep


def _numpy_count(features: int, options: int, rows, cap: int | None) -> int:
    """Independent count of the deny catalog's configurations."""
    return int(_allowed(features, options, rows, cap)[1].sum())


@st.composite
def _small_denials(draw: st.DrawFn, features: int, options: int) -> tuple[list, int, bool]:
    """Up to 12 denied rows, a price cap, and whether the rows are forbid rules or one deny table."""
    rows = draw(st.lists(st.tuples(*[st.integers(0, options - 1)] * features), min_size=1, max_size=12,
                         unique=True))
    return rows, draw(st.integers(0, features * (options - 1))), draw(st.booleans())


def test_the_full_size_deny_catalogs_check_as_usable_with_their_exact_count() -> None:
    """7 features x 10 options (10^7 combinations, over MAX_FACTOR_TUPLES) and 50 denied rows."""
    rows = denied_rows(7, 10, 50, seed=11)
    expected = _numpy_count(7, 10, rows, cap=50)
    assert expected < 10**7 - 50  # the cap removes configurations too
    for as_rules in (False, True):
        catalog = Catalog.from_text(deny_catalog(7, 10, rows, 50, as_rules), path="denybig.yaml")
        assert catalog.count() == expected
        report = catalog.check()
        assert report.usable and report.count == expected, report
        assert not [warning for warning in report.warnings if "not analysed" in warning]


@given(data=st.data())
@settings(SETTINGS, max_examples=10)
def test_deny_circuits_give_the_grid_answers_and_name_their_rule(data) -> None:
    """Small deny catalogs, with and without the circuit: same domains, counts, cheapest completions,
    and every explanation of a denied option cites the table or the forbid rules by id."""
    features, options = 4, 3
    rows, cap, as_rules = data.draw(_small_denials(features, options))
    text = deny_catalog(features, options, rows, cap, as_rules)
    note(text)
    grid = Catalog.from_text(text, path="deny.yaml")
    with every_rule_a_circuit():
        wide = Catalog.from_text(text, path="deny.yaml")
        assert wide.count() == grid.count() == _numpy_count(features, options, rows, cap)
        picks = [{}] + [{f"f{i}": f"o{row[i]}" for i in range(features - 1)} for row in rows[:3]]
        wide_report, grid_report = wide.check(), grid.check()
        assert wide_report.unreachable_rules == grid_report.unreachable_rules
        assert not [w for w in wide_report.warnings if "not analysed" in w]
        for selection in picks:
            assert wide.domains(selection) == grid.domains(selection)
            assert wide.complete(selection).price == grid.complete(selection).price
            state = grid.domains(selection)
            for feature, option in itertools.product(state.domains, [f"o{v}" for v in range(options)]):
                if state.consistent and option not in state.domains[feature] and feature not in selection:
                    ids = {c.id for c in wide.explain(feature, option, selection).constraints}
                    assert ids == {c.id for c in grid.explain(feature, option, selection).constraints}


def test_the_first_pick_on_a_circuit_catalog_grows_each_solution_into_its_neighbours() -> None:
    """Neighbours recompute a wide rule's circuit parts (repairs too, test_circuit_repairs.py): after each solver
    round, the new solution's one-feature neighbours settle the values still open. Without them the
    first pick (no solution known yet) asked the solver about one value at a time (64 calls on the
    7 x 10 deny catalog: 2.7 s under load); the domains stay brute force's."""
    features, options = 5, 6
    rows = denied_rows(features, options, 12, seed=5)
    text = deny_catalog(features, options, rows, 12, as_rules=True)
    with every_rule_a_circuit():
        catalog = Catalog.from_text(text, path="deny.yaml")
        assert isinstance(catalog.tree, CpSatSpace)
        state = catalog.domains({}, alternatives=True)
    grid, keep = _allowed(features, options, rows, 12)
    expected = {f"f{i}": [f"o{v}" for v in range(options) if (grid[i][keep] == v).any()] for i in range(features)}
    assert state.domains == expected
    assert catalog.tree.solves <= 6  # 4 here; one value a round took 21 calls (30 values)


@given(data=st.data())
@settings(SETTINGS, max_examples=10)
def test_neighbours_on_circuits_are_the_valid_one_feature_changes_without_rechecking_part_definitions(
        data) -> None:
    """witnesses.Neighbours recomputes a wide rule's circuit parts from their tables; their own
    defining factors then hold on every row and are not looked up again (most of a circuit catalog's
    factors: they made each later pick's neighbour checks cost twice as much). The neighbours found
    are exactly the one-feature changes the grid says are valid."""
    features, options = 4, 3
    rows, cap, as_rules = data.draw(_small_denials(features, options))
    with every_rule_a_circuit():
        catalog = Catalog.from_text(deny_catalog(features, options, rows, cap, as_rules), path="deny.yaml")
        space = catalog.tree
        consistent, _ = space.domains({})
    if not consistent:
        return
    neighbours = space.neighbours
    assert neighbours.implied  # the circuit parts' definitions
    looked_up = []
    real = neighbours._allows
    # on this object only: monkeypatch's undo comes once per test, not per example
    neighbours._allows = lambda index, candidates: looked_up.append(index) or real(index, candidates)
    denied = {tuple(row) for row in rows}
    feature_vars = [catalog.problem.feature_var[f"f{i}"] for i in range(features)]
    known = space._witnesses.rows[:3]
    for position, var in enumerate(feature_vars):
        found = {tuple(row[feature_vars].tolist()) for row in neighbours.changed(known, var, list(range(options)))}
        expected = set()
        for row in known[:, feature_vars].tolist():
            for value in range(options):
                candidate = tuple(row[:position] + [value] + row[position + 1:])
                if value != row[position] and candidate not in denied and sum(candidate) <= cap:
                    expected.add(candidate)
        assert found == expected, (position, var)
    assert not set(looked_up) & neighbours.implied


def test_circuit_parts_recomputed_by_level_equal_the_parts_one_by_one() -> None:
    """witnesses._CircuitLevel: every part once, after the parts it reads, and the same values as
    recomputing each part from its table in variable order, on neighbours of known solutions."""
    rows = denied_rows(5, 4, 10, seed=3)
    with every_rule_a_circuit():
        catalog = Catalog.from_text(deny_catalog(5, 4, rows, 9, as_rules=True), path="deny.yaml")
        space = catalog.tree
        space.domains({})
    neighbours = space.neighbours
    levels = neighbours.circuit_levels
    placed = {int(var): depth for depth, level in enumerate(levels) for var in level.vars}
    assert sorted(placed) == sorted(var for var, _, _, _ in neighbours.circuits)
    assert len(levels) < len(placed) / 4  # a few numpy steps, not one per part
    for var, inputs, _, _ in neighbours.circuits:
        assert all(placed[i] < placed[var] for i in inputs if i in placed)
    candidates = np.repeat(space._witnesses.rows[:4], 4, axis=0)
    feature = catalog.problem.feature_var["f2"]
    candidates[:, feature] = np.tile(np.arange(4), 4)
    expected = candidates.copy()
    for var, inputs, radix, table in neighbours.circuits:
        expected[:, var] = table[expected[:, inputs].astype(np.int64) @ radix]
    touched = {feature, *catalog.problem.feature_var.values()}
    for level in levels:
        level.recompute(candidates, touched)
    assert (candidates == expected).all()
