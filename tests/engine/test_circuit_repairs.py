"""Greedy repairs (repair.py) on catalogs whose wide rules are circuits (compile._Circuit).

A repair step changes a feature; the circuit parts (0/1 sub-expression
variables) that read it are recomputed along (witnesses.Neighbours.follow),
so a repaired row can be checked as a solution. Until then repairs were off on
these catalogs, and a value reachable only with two changes that make up for
it on the price cost a solver round. Every row they give must be a solution
(checked against the grid of configurations and every factor), and the
domains and alternatives stay the grid's.
"""

from __future__ import annotations

import random

import numpy as np
import yaml
from agreement import denied_rows, deny_catalog, every_rule_a_circuit, is_solution, with_sums
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from bench.numeric import _walk, deny_forbid
from configurator.engine import Catalog
from configurator.engine.cpsat import CpSatSpace

PLANTED = (
    0,
    0,
    4,
    4,
    4,
    4,
    4,
)  # a solution of the 7 x 10 catalog under a price() <= 20 cap, at the cap


def _valid(rows: list[tuple[int, ...]], cap: int, config) -> bool:
    """The grid's answer for one configuration (option v costs v, no denied row)."""
    return tuple(config) not in set(rows) and sum(config) <= cap


def _grid(features: int, options: int, rows, cap: int) -> np.ndarray:
    """Every valid configuration as a row of option positions."""
    grid = np.indices([options] * features).reshape(features, -1)
    keep = grid.sum(axis=0) <= cap
    for row in rows:
        keep &= ~np.all(grid == np.array(row)[:, None], axis=0)
    return grid[:, keep].T


def _counting_repairs(space: CpSatSpace) -> list[int]:
    """How many rows each call of the space's greedy repairs gave (the calls are otherwise unchanged)."""
    given_rows: list[int] = []
    real = space.repairs.repaired

    def repaired(rows, targets, free):
        found = real(rows, targets, free)
        given_rows.append(len(found))
        return found

    space.repairs.repaired = repaired
    return given_rows


def _deny_forbid_at(cap: int) -> tuple[Catalog, list[tuple[int, ...]]]:
    """bench.numeric's deny-forbid catalog (50 forbid rules over 7 features of 10 options, each a
    circuit at full size, no patching) with a `price() <= cap`, and its denied rows."""
    data = deny_forbid(cap=cap)
    catalog = Catalog.from_text(yaml.safe_dump(data, sort_keys=False), path="deny-forbid.yaml")
    denied = []
    for rule in data["constraints"][:-1]:
        cells = [cell.split(" == o") for cell in rule["forbid"].split(" and ")]
        denied.append(tuple(int(value) for _, value in cells))
    assert isinstance(catalog.tree, CpSatSpace) and catalog.tree.neighbours.circuits
    return catalog, denied


def _plant(catalog: Catalog, config: tuple[int, ...]) -> None:
    """Make `config` the only known solution: one solver call with every feature pinned to it."""
    problem = catalog.problem
    evidence = {problem.feature_var[f"f{i}"]: value for i, value in enumerate(config)}
    assert catalog.tree.satisfiable(evidence)
    assert len(catalog.tree._witnesses) == 1


def test_repairs_on_the_deny_forbid_catalog_make_up_for_a_dear_value_with_two_changes() -> None:
    """From the planted solution at the cap, f2 = o9 (+5 on the price) needs two other features
    lowered: each row given holds f2 = o9, passes the grid, and every factor of the compiled
    problem (circuit parts included) allows it."""
    catalog, denied = _deny_forbid_at(cap=20)
    assert _valid(denied, 20, PLANTED)
    _plant(catalog, PLANTED)
    space, problem = catalog.tree, catalog.problem
    features = [problem.feature_var[f"f{i}"] for i in range(7)]
    found = space.repairs.repaired(space._witnesses.rows, [(features[2], 9)], features[2:])
    assert len(found)  # none before: the repairs were off on circuit catalogs
    for row in found.tolist():
        config = [row[var] for var in features]
        assert config[2] == 9 and config[:2] == [0, 0], config
        assert _valid(denied, 20, config), config
        assert sum(a != b for a, b in zip(config, PLANTED)) == 3  # the value and two changes
        assert is_solution(problem, row) and row == with_sums(problem, row), config


def test_values_reachable_only_by_repairs_cost_no_solver_call() -> None:
    """Only a solution at the cap known (every feature o3, price() <= 21): o7 to o9 of any feature add
    4 to 6 to the price, which two other features lowered by 3 make up for, one change does not. The repairs
    mark them, so the guest's domains take no solver call (12 calls before); they are the
    grid's: every option of every feature."""
    planted = (3,) * 7
    catalog, denied = _deny_forbid_at(cap=21)
    assert _valid(denied, 21, planted)
    _plant(catalog, planted)
    space = catalog.tree
    given_rows = _counting_repairs(space)
    calls = space.solves
    state = catalog.domains({})
    assert space.solves - calls == 0
    assert sum(given_rows) > 0
    assert state.domains == {f"f{i}": [f"o{v}" for v in range(10)] for i in range(7)}


def test_a_pick_rules_out_its_feature_s_other_options_without_a_solver_call() -> None:
    """Circuit catalogs have no relaxation (the tree without the sums) to rule out the values a pin
    leaves out: each pick asked the solver to prove them impossible, always infeasible. bench.numeric's
    10 walks on deny-forbid (70 picks) took 64 solver calls that way; now 1 (the walks' domains are
    checked against the grid in the small-catalog walks below)."""
    catalog, _ = _deny_forbid_at(cap=50)
    catalog.domains({}, alternatives=True)
    calls = catalog.tree.solves
    rng = random.Random(1)
    picks = 0
    for _ in range(10):
        steps, errors = _walk(catalog, rng)
        picks += len(steps)
        assert not errors
    assert picks == 70
    assert catalog.tree.solves - calls <= 7


def test_circuit_domains_and_alternatives_equal_the_grid_along_walks() -> None:
    """Small deny catalogs with every rule a circuit and a cap that binds, random walks of picks:
    each pick's domains and alternatives are the grid's, and the greedy repairs gave rows (none
    before: on these catalogs they did not run)."""
    features, options = 5, 6
    repaired_rows = 0
    for seed in range(6):
        rng = random.Random(seed)
        rows = denied_rows(features, options, 10, seed=seed)
        cap = rng.randint(6, 11)
        valid = _grid(features, options, rows, cap)
        with every_rule_a_circuit():
            catalog = Catalog.from_text(
                deny_catalog(features, options, rows, cap, as_rules=seed % 2 == 0),
                path="deny.yaml",
            )
            assert isinstance(catalog.tree, CpSatSpace)
            given_rows = _counting_repairs(catalog.tree)
            selection: dict[str, str] = {}
            order = list(range(features))
            rng.shuffle(order)
            for feature in order:
                state = catalog.domains(selection, alternatives=True)
                agree = np.ones(len(valid), dtype=bool)
                for f, option in selection.items():
                    agree &= valid[:, int(f[1:])] == int(option[1:])
                for i in range(features):
                    assert state.domains[f"f{i}"] == [
                        f"o{v}" for v in np.unique(valid[agree, i])
                    ], (seed, selection)
                for picked in selection:
                    others = np.ones(len(valid), dtype=bool)
                    for f, option in selection.items():
                        if f != picked:
                            others &= valid[:, int(f[1:])] == int(option[1:])
                    column = valid[others, int(picked[1:])]
                    assert state.alternatives[picked] == [f"o{v}" for v in np.unique(column)], (
                        seed,
                        picked,
                    )
                if not state.domains[f"f{feature}"]:
                    break
                selection[f"f{feature}"] = rng.choice(state.domains[f"f{feature}"])
        repaired_rows += sum(given_rows)
    assert repaired_rows > 0


@given(data=st.data())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_repaired_row_on_a_circuit_catalog_is_a_solution(data) -> None:
    """Any known solutions, any targets, every feature free: each row the repairs give is a valid
    configuration of the grid holding one of the targets, with its circuit parts and comparisons as
    the compiled factors and sums define them."""
    features, options = 4, 3
    rows = data.draw(
        st.lists(
            st.tuples(*[st.integers(0, options - 1)] * features),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    cap = data.draw(st.integers(0, features * (options - 1)))
    as_rules = data.draw(st.booleans())
    note(f"rows {rows} cap {cap} as_rules {as_rules}")
    with every_rule_a_circuit():
        catalog = Catalog.from_text(
            deny_catalog(features, options, rows, cap, as_rules), path="deny.yaml"
        )
        space, problem = catalog.tree, catalog.problem
        consistent, _ = space.domains({})
    if not consistent:
        return
    assert space.repairs.complete
    feature_vars = [problem.feature_var[f"f{i}"] for i in range(features)]
    targets = data.draw(
        st.lists(
            st.tuples(st.sampled_from(feature_vars), st.integers(0, options - 1)),
            min_size=1,
            max_size=6,
        )
    )
    known = space._witnesses.rows[:3]
    for row in space.repairs.repaired(known, targets, feature_vars).tolist():
        config = [row[var] for var in feature_vars]
        assert _valid(rows, cap, config), config
        assert any(row[var] == value for var, value in targets), config
        assert is_solution(problem, row) and row == with_sums(problem, row), config
