"""What each picked feature could switch to, for all picks in one pass of the tree.

`Catalog.domains(selection, alternatives=True)` must give, for every picked
one/optional feature, exactly the domain that feature has when its own pick is
left out and every other pick kept. The references: `domains()` called again
without that pick, and brute-force enumeration (`bruteforce.Enumeration`) on a
hand-made catalog and on random ones. The ordinary answer of the same call
(consistent, complete, domains, may-be-empty) must not change either.
"""

from __future__ import annotations

import gzip
import json
import random
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from bruteforce import Enumeration, model_from_text
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import catalogs, customers, selections

from configurator.engine import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
DEMO_CATALOGS = sorted((ROOT / "catalog").glob("*.yaml"))

TINY = (Path(__file__).parent / "data" / "tiny.yaml").read_text(encoding="utf-8")


def without(selection: dict[str, Any], feature_id: str) -> dict[str, Any]:
    """The selection with one feature's pick left out."""
    return {key: value for key, value in selection.items() if key != feature_id}


def assert_alternatives_exact(
    catalog: Catalog, selection: dict[str, Any], customer: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """The one-pass alternatives equal `domains()` without each pick; the rest of the state is unchanged."""
    state = catalog.domains(selection, customer, alternatives=True)
    plain = catalog.domains(selection, customer)
    where = f"selection {selection}, customer {customer}"
    assert (state.consistent, state.complete) == (plain.consistent, plain.complete), where
    assert state.domains == plain.domains, where
    assert set(state.may_be_empty) == set(plain.may_be_empty), where
    if not state.consistent:
        assert state.alternatives == {}, where
        return state.alternatives
    single = [f for f in catalog.normalize(selection) if not catalog.model.feature(f).multi]
    expected = {f: catalog.domains(without(selection, f), customer).domains[f] for f in single}
    assert state.alternatives == expected, where
    return state.alternatives


@pytest.fixture(scope="module")
def tiny() -> Catalog:
    """The hand-made catalog, compiled once for this module."""
    return Catalog.from_text(TINY, path="tiny.yaml")


# ---------------------------------------------------------------- hand-made catalog


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        # With disc brakes either frame fits; a carbon frame leaves only disc brakes.
        ({"frame": "carbon", "brakes": "disc"}, {"frame": ["alu", "carbon"], "brakes": ["disc"]}),
        # Rim brakes rule carbon out; an alu frame takes either brake.
        ({"frame": "alu", "brakes": "rim"}, {"frame": ["alu"], "brakes": ["rim", "disc"]}),
        # The bell only goes on alu, and alu always takes the bell.
        ({"frame": "alu", "bell": "bell"}, {"frame": ["alu"], "bell": ["bell"]}),
        # Multi-select features are not switched, so they get no entry.
        ({"frame": "carbon", "extras": ["rack"]}, {"frame": ["alu", "carbon"]}),
        ({}, {}),
    ],
)
def test_worked_out_by_hand(tiny: Catalog, selection: dict, expected: dict) -> None:
    """Answers read off the catalog's rules by hand."""
    assert assert_alternatives_exact(tiny, selection) == expected


def test_a_conflict_has_no_alternatives(tiny: Catalog) -> None:
    """Picks that do not fit together: no domains, hence nothing to switch to."""
    state = tiny.domains({"frame": "carbon", "brakes": "rim"}, alternatives=True)
    assert not state.consistent
    assert state.alternatives == {}


def _every_selection() -> list[dict[str, Any]]:
    """Every selection of the hand-made catalog: each feature unpicked or one pick (extras: 0-2)."""
    frames = [None, "alu", "carbon"]
    brakes = [None, "rim", "disc"]
    bells = [None, "bell"]
    extras = [None, ["rack"], ["bag"], ["light", "bag"], ["rack", "bag"]]
    result = []
    for frame, brake, bell, extra in product(frames, brakes, bells, extras):
        picks = {"frame": frame, "brakes": brake, "bell": bell, "extras": extra}
        result.append({key: value for key, value in picks.items() if value is not None})
    return result


@pytest.mark.parametrize("customer", [{}, {"segment": "private"}, {"segment": "business"}])
def test_every_selection_equals_enumeration(tiny: Catalog, customer: dict[str, str]) -> None:
    """Against brute force: each alternative list is the enumerated domain without that pick."""
    enumeration = Enumeration(model_from_text(TINY), customer)
    for selection in _every_selection():
        alternatives = assert_alternatives_exact(tiny, selection, customer)
        for feature_id, options in alternatives.items():
            reference = enumeration.reference(without(selection, feature_id))
            assert options == reference.domains[feature_id], f"{selection}, {feature_id}"


# ---------------------------------------------------------------- random catalogs


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, str], list[dict[str, Any]]]:
    """A random catalog's text, customer facts, and three selections."""
    case = draw(catalogs())
    customer = draw(customers())
    picked = [draw(selections(case)) for _ in range(3)]
    note(f"catalog:\n{case.text}\ncustomer: {customer}\nselections: {picked}")
    return case.text, customer, picked


@given(requests())
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_catalogs_equal_enumeration(request: tuple) -> None:
    """On random small catalogs (tables, rules, facts, numeric terms) against brute force."""
    text, customer, picked = request
    catalog = Catalog.from_text(text, path="random.yaml")
    enumeration = Enumeration(model_from_text(text), customer)
    for selection in picked:
        alternatives = assert_alternatives_exact(catalog, selection, customer)
        for feature_id, options in alternatives.items():
            reference = enumeration.reference(without(selection, feature_id))
            assert options == reference.domains[feature_id], f"{selection}, {feature_id}"


# ---------------------------------------------------------------- real catalogs


def _random_walk(catalog: Catalog, customer: dict[str, str], rng: random.Random):
    """Selections growing by one random possible pick at a time, up to every feature."""
    selection: dict[str, Any] = {}
    while True:
        state = catalog.domains(selection, customer)
        open_features = [f for f, d in state.domains.items() if d and f not in selection]
        if not state.consistent or not open_features:
            return
        feature_id = rng.choice(open_features)
        option = rng.choice(state.domains[feature_id])
        selection[feature_id] = [option] if catalog.model.feature(feature_id).multi else option
        yield dict(selection)


@pytest.mark.parametrize("path", DEMO_CATALOGS, ids=lambda p: p.stem)
def test_demo_catalogs_along_random_walks(path: Path) -> None:
    """Every step of a random walk through each demo catalog, for a guest and a business customer."""
    catalog = load_catalog(str(path))
    rng = random.Random(5)
    checked = 0
    for customer in ({}, {"segment": "business", "country": "de", "tier": "gold"}):
        for selection in _random_walk(catalog, customer, rng):
            assert_alternatives_exact(catalog, selection, customer)
            checked += 1
    assert checked >= 4


def test_renault_medium_sales_rows() -> None:
    """Real sales configurations of the medium Renault catalog, pick by pick."""
    sales = BENCHMARKS / "renault-medium-sales.json.gz"
    if not sales.is_file():
        pytest.skip(f"benchmark data not found: {sales}")
    catalog = load_catalog(str(BENCHMARKS / "renault-medium.yaml"))
    with gzip.open(sales, "rt", encoding="utf-8") as handle:
        rows = json.load(handle)[:2]
    checked = 0
    for row in rows:
        selection: dict[str, Any] = {}
        for feature_id in row["order"]:
            if feature_id in row["selections"]:
                selection[feature_id] = row["selections"][feature_id]
                assert_alternatives_exact(catalog, selection)
                checked += 1
    assert checked > 20
