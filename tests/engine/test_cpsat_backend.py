"""The CP-SAT backend (cpsat.py) against brute force: catalogs with several global sums and mixed price() rules.

Each numeric comparison is one exact linear constraint there, so "at least"
and "at most" price() rules, `==` and `!=`, and two comparisons in one rule
are all answered without running totals. Every answer must be the
brute-force one: domains, alternatives, counts, cheapest completions,
repairs (against the running-total chain) and minimal explanations.
"""

from __future__ import annotations

from pathlib import Path

from agreement import (
    INSTALMENTS,
    assert_alternatives_match,
    assert_answers_like_brute_force,
    assert_explanations_minimal,
    assert_repairs_like_the_chain,
    is_solution,
    requests,
    with_sums,
)
from bruteforce import Enumeration, model_from_text
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import catalog_text, customers, mixed_catalogs

from configurator.engine import Catalog
from configurator.engine.bounded import BoundedSpace
from configurator.engine.cpsat import CpSatSpace

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CATALOGS = Path(__file__).resolve().parents[2] / "catalog"


@given(data=st.data())
@SETTINGS
def test_domains_alternatives_counts_and_cheapest_equal_brute_force(data) -> None:
    case, customer, picked = data.draw(requests(mixed_catalogs()))
    catalog = Catalog.from_text(case.text, path="mixed.json", backend="CP-SAT")
    assert isinstance(catalog.tree, CpSatSpace)
    assert_answers_like_brute_force(catalog, case.text, customer, picked, alternatives=True)


@given(data=st.data())
@settings(SETTINGS, max_examples=25)
def test_repairs_cost_what_the_running_total_chain_finds(data) -> None:
    case, customer, picked = data.draw(requests(mixed_catalogs()))
    mine = Catalog.from_text(case.text, path="mixed.json", backend="CP-SAT")
    assert_repairs_like_the_chain(case, mine, picked, customer)


@given(data=st.data())
@SETTINGS
def test_explanations_are_minimal(data) -> None:
    case, customer, picked = data.draw(requests(mixed_catalogs()))
    catalog = Catalog.from_text(case.text, path="mixed.json", backend="CP-SAT")
    assert_explanations_minimal(case, catalog, picked[1:], customer, conflicts_named=True)


def _step(catalog: Catalog, reference: Enumeration, selection: dict):
    """One step of a walk: the state with alternatives, its consistency, domains and alternatives
    brute force's."""
    state = catalog.domains(selection, reference.customer, alternatives=True)
    expected = reference.reference(selection)
    assert state.consistent == expected.consistent
    if state.consistent:
        assert state.domains == expected.domains, selection
        assert_alternatives_match(state, reference, selection)
    return state


@given(data=st.data())
@SETTINGS
def test_a_customer_walk_reusing_solutions_between_picks_equals_brute_force(data) -> None:
    """Pick after pick on one catalog, so each answer starts from the solutions (witnesses.py) the
    earlier picks found, and their neighbours; every step's domains and alternatives are brute force's."""
    case = data.draw(mixed_catalogs())
    customer = data.draw(customers())
    catalog = Catalog.from_text(case.text, path="walk.json", backend="CP-SAT")
    reference = Enumeration(model_from_text(case.text), customer)
    selection: dict[str, str] = {}
    for feature in data.draw(st.permutations(sorted(case.options))):
        state = _step(catalog, reference, selection)
        if not state.consistent:
            break
        if not state.domains[feature] or model_from_text(case.text).feature(feature).multi:
            continue
        selection[feature] = data.draw(st.sampled_from(state.domains[feature]))
        note(f"picked {feature}={selection[feature]}")


@given(data=st.data())
@settings(SETTINGS, max_examples=20)
def test_two_customers_walking_one_after_the_other_get_brute_force_answers(data) -> None:
    """The second walk starts from everything the first left behind: its solutions, and the solver's proofs
    of "impossible with these pins" (witnesses.Proofs, kept with the pins the solver needed), which must
    only ever apply where their pins hold."""
    case = data.draw(mixed_catalogs())
    catalog = Catalog.from_text(case.text, path="walks.json", backend="CP-SAT")
    model = model_from_text(case.text)
    for _walk in range(2):
        customer = data.draw(customers())
        reference = Enumeration(model, customer)
        selection: dict[str, str] = {}
        for feature in data.draw(st.permutations(sorted(case.options))):
            state = _step(catalog, reference, selection)
            if not state.consistent:
                break
            if not state.domains[feature] or model.feature(feature).multi:
                continue
            selection[feature] = data.draw(st.sampled_from(state.domains[feature]))
            note(f"customer {customer} picked {feature}={selection[feature]}")


@given(data=st.data())
@SETTINGS
def test_repairs_give_only_solutions_with_their_target(data) -> None:
    """repair.Repairs (a target value put in, then greedy changes of free features) against a plain check of
    every factor and every sum with Fractions: each row it gives is a solution holding one of the targets."""
    case = data.draw(mixed_catalogs())
    catalog = Catalog.from_text(case.text, path="repair.json", backend="CP-SAT")
    space = catalog.tree
    problem = space.problem
    consistent, _ = space.domains({})
    if not consistent:
        return
    features = sorted(problem.feature_var.values())
    targets = [(var, value) for var in features for value in range(space.sizes[var])]
    rows = space._witnesses.rows[:2]
    found = space.repairs.repaired(rows, targets, features)
    for row in found.tolist():
        assert is_solution(problem, with_sums(problem, row)) and row == with_sums(problem, row), row
        assert any(row[var] == value and any(r[var] != value for r in rows.tolist()) for var, value in targets)


def test_a_known_solution_breaking_two_picks_is_no_alternative_for_either() -> None:
    """The only instalments configuration is carbon with disc brakes (600 EUR): it is known after the
    first question, and it breaks both the frame and the payment pick below, so it proves nothing
    about switching the payment alone (alu with disc brakes is 200 EUR)."""
    catalog = Catalog.from_text(INSTALMENTS, path="instalments.yaml", backend="CP-SAT")
    assert catalog.domains({}).domains["payment"] == ["card", "instalments"]
    state = catalog.domains({"frame": "alu", "brakes": "disc", "payment": "card"}, alternatives=True)
    assert state.alternatives == {"frame": ["alu", "carbon"], "brakes": ["rim", "disc"], "payment": ["card"]}
    state = catalog.domains({"frame": "carbon", "brakes": "disc", "payment": "card"}, alternatives=True)
    assert state.alternatives["payment"] == ["card", "instalments"]


@given(data=st.data())
@SETTINGS
def test_neighbours_of_a_solution_are_exactly_its_valid_one_feature_changes(data) -> None:
    """witnesses.Neighbours (one feature changed, and a target value with one more feature changed) against
    a plain check of every factor and every sum with Fractions."""
    case = data.draw(mixed_catalogs())
    catalog = Catalog.from_text(case.text, path="flip.json", backend="CP-SAT")
    space = catalog.tree
    problem = space.problem
    consistent, _ = space.domains({})
    if not consistent:
        return
    rows = space._witnesses.rows[:3]
    for var in problem.feature_var.values():
        values = list(range(space.sizes[var]))
        found = {tuple(row) for row in space.neighbours.changed(rows, var, values).tolist()}
        expected = set()
        for row in rows.tolist():
            for value in values:
                if value != row[var]:
                    candidate = with_sums(problem, row[:var] + [value] + row[var + 1:])
                    if is_solution(problem, candidate):
                        expected.add(tuple(candidate))
        assert found == expected, var
    features = sorted(problem.feature_var.values())
    targets = [(var, value) for var in features for value in range(space.sizes[var])]
    found = {tuple(row) for row in space.neighbours.paired(rows[:1], targets, features).tolist()}
    expected = set()
    row = rows[0].tolist()
    for var, value in targets:
        for other in features:
            for changed in range(space.sizes[other]):
                if other != var and value != row[var] and changed != row[other]:
                    candidate = list(row)
                    candidate[var], candidate[other] = value, changed
                    candidate = with_sums(problem, candidate)
                    if is_solution(problem, candidate):
                        expected.add(tuple(candidate))
    assert found == expected


def _city_bike_with_a_ceiling() -> str:
    """The demo city bike plus an "at most" price() rule next to its "at least" ones."""
    text = (CATALOGS / "city-bike.yaml").read_text(encoding="utf-8")
    ceiling = (
        "\n  - id: saturday-under-4000\n    if: delivery_window == saturday\n"
        "    then: price() <= 4000\n    message: Saturday delivery is for orders up to 4,000 EUR.\n"
    )
    marker = "\n  - id: leasing-includes-insurance"
    assert marker in text
    return text.replace(marker, ceiling + marker, 1)


def test_mixed_price_rules_on_the_city_bike_go_to_cp_sat_by_size() -> None:
    """Its running totals (price x weight) would make a 20M-tuple tree; the demo bike stays on the lifted tree."""
    mixed = Catalog.from_text(_city_bike_with_a_ceiling(), path="city-bike.yaml")
    assert isinstance(mixed.tree, CpSatSpace)
    assert isinstance(Catalog.from_path(CATALOGS / "city-bike.yaml").tree, BoundedSpace)
    state = mixed.domains({"payment": "instalments_12", "delivery_window": "saturday"})
    assert state.consistent
    cheapest = mixed.complete({"payment": "instalments_12", "delivery_window": "saturday"})
    assert cheapest.consistent and 600 <= cheapest.price <= 4000
    # the ceiling rules out what would cost more than 4,000 EUR: the priciest frame and motor together, say
    picks = {"delivery_window": "saturday", "frame": "carbon_sport"}
    assert mixed.complete(picks).price <= 4000
    explanation = mixed.explain("payment", "company_leasing", {"frame": "steel_classic", "motor": "rear_hub_250"})
    if not explanation.possible:
        assert explanation.constraints


def test_catalog_check_on_the_cp_sat_backend_reports_dead_options_and_the_exact_count() -> None:
    """`catalog check` reads domains from CP-SAT and the count from the DP over collapsed totals."""
    options = [{"id": f"o{j}", "name": "O", "price": f"{100 * (j + 1)}.00", "attributes": {"w": j + 1}}
               for j in range(3)]
    features = [{"id": f"f{i}", "name": "F", "dimension": "product", "choose": "one", "options": options}
                for i in range(3)]
    rules = [
        {"id": "cheap-f0", "if": "f0 == o0", "then": "price() <= 500", "message": "m"},
        {"id": "dear-f1", "if": "f1 == o2", "then": "price() >= 700", "message": "m"},
        {"id": "never", "if": "f2 == o2", "then": "price() == 250", "message": "m"},
        {"id": "light", "require": "sum(w) <= 8", "message": "m"},
        {"id": "unreachable", "if": "price() > 850", "then": "f0 == o1", "message": "m"},
    ]
    text = catalog_text(features, rules)
    catalog = Catalog.from_text(text, path="c.json", backend="CP-SAT")
    report = catalog.check()
    reference = Enumeration(model_from_text(text), {})
    assert report.usable and report.count == reference.count
    alive = reference.reference({}).domains
    expected = sorted((f, o) for f in ("f0", "f1", "f2") for o in ("o0", "o1", "o2") if o not in alive[f])
    assert sorted(report.dead_options) == expected == [("f2", "o2")]
    assert [line.split(": ")[1] for line in report.unreachable_rules] == ["constraint unreachable"]
    rules.append({"id": "too-dear", "require": "price() >= 1000", "message": "m"})
    text = catalog_text(features, rules)
    broken = Catalog.from_text(text, path="c.json", backend="CP-SAT").check()
    assert not broken.usable and "too-dear" in broken.problems[0] and "cheap-f0" not in broken.problems[0]


def test_a_count_the_running_total_tree_refuses_is_a_warning_not_a_failed_check(monkeypatch) -> None:
    """When every counting route of a CP-SAT catalog refuses, the rest of the check stands."""
    from configurator.engine import grid_count, jtree, layered, linear_count

    monkeypatch.setattr(jtree, "MAX_BAG_TUPLES", 1)  # every tree refused
    monkeypatch.setattr(layered, "MAX_LAYER_STATES", 1)
    monkeypatch.setattr(linear_count, "MAX_STATES", 1)
    monkeypatch.setattr(linear_count, "MAX_HALF_ROWS", 0)  # and both joins (at the cut, in two halves)
    monkeypatch.setattr(linear_count, "MAX_SUFFIX_ROWS", 0)
    monkeypatch.setattr(grid_count, "MAX_CELLS", 0)
    options = [{"id": f"o{j}", "name": "O", "price": f"{j}.00"} for j in range(3)]
    features = [{"id": f"f{i}", "name": "F", "dimension": "product", "choose": "one", "options": options}
                for i in range(2)]
    rules = [{"id": "low", "if": "f0 == o0", "then": "price() <= 1", "message": "m"},
             {"id": "high", "if": "f1 == o2", "then": "price() >= 3", "message": "m"}]
    text = catalog_text(features, rules)
    report = Catalog.from_text(text, path="c.json", backend="CP-SAT").check()
    assert report.usable and report.count is None
    assert any("exact count could not be computed" in warning and "the grid of totals needs" in warning
               and "the running-total tree" in warning for warning in report.warnings)
    assert report.dead_options == []


def test_alternatives_left_open_by_the_domain_rounds_are_asked_not_dropped() -> None:
    """On numeric-heavy with eleven picks, the domain rounds end with "infeasible" while some picks'
    alternatives are still open; that proof is about the domains only, but it closed the alternatives too
    (p10_4 for part10 was missing). Each alternative must be what the selection with that pick changed says."""
    heavy = Path(__file__).resolve().parents[2] / "bench" / "models" / "numeric-heavy.yaml"
    text = heavy.read_text(encoding="utf-8")
    selection = {"packing": "small_box", "part10": "p10_3", "part11": "p11_1", "part13": "p13_0",
                 "part15": "p15_0", "part16": "p16_5", "part17": "p17_2", "part18": "p18_2", "part3": "p3_1",
                 "part5": "p5_3", "part6": "p6_3"}
    state = Catalog.from_text(text, path="heavy.yaml").domains(selection, alternatives=True)
    judge = Catalog.from_text(text, path="judge.yaml")
    assert "p10_4" in state.alternatives["part10"]
    for feature, picked in selection.items():
        options = judge.model.feature(feature).option_ids()
        possible = [o for o in options if judge.domains({**selection, feature: o}).consistent]
        assert state.alternatives[feature] == possible, (feature, picked)
