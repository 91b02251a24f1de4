"""The engine's public API on a small catalog whose answers are worked out by hand.

See tests/engine/data/api-bike.yaml: weights are frame alu 1800 / carbon 950,
brakes rim 300 / disc 500, extras bell 50 / rack 900 / lights 200 grams; a
courier takes at most 2400 g; a rack needs a pallet, which couriers refuse.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from configurator.engine import SelectionError, load_catalog
from configurator.engine.evaluate import is_valid

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def bike():
    """The hand-worked catalog, compiled once for the module."""
    return load_catalog(DATA / "api-bike.yaml")


def all_configurations(model):
    """Every combination of picks the choose counts allow (brute force, small catalogs only)."""
    per_feature = []
    for feature in model.features:
        ids = feature.option_ids()
        choices = [
            frozenset(combo)
            for size in range(feature.min, feature.max + 1)
            for combo in itertools.combinations(ids, size)
        ]
        per_feature.append([(feature.id, choice) for choice in choices])
    for combo in itertools.product(*per_feature):
        yield {feature: chosen for feature, chosen in combo if chosen}


def test_guest_sees_every_option(bike):
    state = bike.domains({})
    assert state.consistent and not state.complete
    for feature in bike.model.features:
        assert state.domains[feature.id] == feature.option_ids()
    assert sorted(state.may_be_empty) == ["extras", "insurance"]


def test_a_pick_narrows_other_features(bike):
    state = bike.domains({"frame": "carbon"})
    assert state.domains["brakes"] == ["disc_hydraulic"]
    assert state.domains["size"] == ["m", "l"]
    assert state.domains["frame"] == ["carbon"]


def test_numeric_rule_is_exact(bike):
    # 1800 + 500 + 200 = 2500 g > 2400 g: a courier is out, freight and express stay.
    state = bike.domains({"frame": "alu", "brakes": "disc_hydraulic", "extras": ["lights"]})
    assert state.domains["delivery"] == ["freight", "express"]
    # With the courier picked, only the bell still fits (1800 + 500 + 50 = 2350 g).
    state = bike.domains({"frame": "alu", "brakes": "disc_hydraulic", "delivery": "courier"})
    assert state.domains["extras"] == ["bell"]
    assert "extras" in state.may_be_empty


@pytest.mark.parametrize(
    ("customer", "billing"),
    [
        ({}, ["card", "invoice_60"]),  # a missing fact makes `!=` false: the forbid never fires
        ({"segment": "consumer"}, ["card"]),
        ({"segment": "business"}, ["card", "invoice_60"]),
    ],
)
def test_customer_facts_follow_the_spec_semantics(bike, customer, billing):
    assert bike.domains({}, customer=customer).domains["billing"] == billing


def test_country_fact_disables_express(bike):
    assert "express" not in bike.domains({}, customer={"country": "is"}).domains["delivery"]
    assert "express" in bike.domains({}, customer={"country": "de"}).domains["delivery"]


def test_domains_match_brute_force_for_every_single_pick(bike):
    model = bike.model
    valid = [c for c in all_configurations(model) if is_valid(model, c, {"segment": "consumer"})]
    assert bike.count({"segment": "consumer"}) == len(valid)
    for feature in model.features:
        for option in feature.option_ids():
            state = bike.domains({feature.id: option}, customer={"segment": "consumer"})
            matching = [c for c in valid if option in c.get(feature.id, ())]
            assert state.consistent == bool(matching)
            for other in model.features:
                expected = [o for o in other.option_ids() if any(o in c.get(other.id, ()) for c in matching)]
                assert state.domains[other.id] == (expected if matching else [])


def test_inconsistent_selection_names_a_minimal_conflict(bike):
    state = bike.domains({"frame": "carbon", "size": "s"})
    assert not state.consistent and not state.complete
    assert all(options == [] for options in state.domains.values())
    assert sorted(state.conflict.selections) == [("frame", "carbon"), ("size", "s")]
    assert [c.name for c in state.conflict.constraints] == ["sizes"]
    assert state.to_json()["conflict"]["constraints"] == [
        {"id": "sizes", "message": "Not every frame is made in every size."}
    ]


def test_two_options_of_a_one_feature_are_inconsistent(bike):
    state = bike.domains({"frame": ["alu", "carbon"]})
    assert not state.consistent
    assert sorted(state.conflict.selections) == [("frame", "alu"), ("frame", "carbon")]
    assert state.conflict.constraints == []


def test_too_many_options_of_a_multi_select_feature(bike):
    assert not bike.domains({"extras": ["bell", "rack", "lights"]}).consistent


def test_explanation_is_minimal(bike):
    selection = {"frame": "alu", "brakes": "disc_hydraulic", "extras": ["lights"], "size": "m"}
    explanation = bike.explain("delivery", "courier", selection)
    assert not explanation.possible
    assert sorted(explanation.selections) == [
        ("brakes", "disc_hydraulic"),
        ("extras", "lights"),
        ("frame", "alu"),
    ]
    assert [c.name for c in explanation.constraints] == ["light-enough"]
    # Leaving out any one pick makes the courier possible again.
    for feature in ("frame", "brakes", "extras"):
        reduced = {k: v for k, v in selection.items() if k != feature}
        assert "courier" in bike.domains(reduced).domains["delivery"]


def test_explanation_of_a_possible_option(bike):
    assert bike.explain("size", "m", {"frame": "carbon"}).to_json() == {"option": "size=m", "possible": True}


def test_explanation_json_names_constraints_by_id_or_position(bike):
    explanation = bike.explain("packaging", "pallet", {"delivery": "courier"})
    assert explanation.to_json() == {
        "option": "packaging=pallet",
        "possible": False,
        "because": {
            "selections": ["delivery=courier"],
            "constraints": [{"id": "#2", "message": "Couriers do not take pallets."}],
        },
    }


def test_cheapest_completion(bike):
    guest = bike.complete({})
    assert guest.price == Decimal("175.00")  # alu 120 + rim 30 + box 10 + courier 15
    assert guest.selections["frame"] == "alu" and guest.selections["delivery"] == "courier"
    assert "extras" not in guest.selections and "insurance" not in guest.selections
    carbon = bike.complete({"frame": "carbon"})
    assert carbon.price == Decimal("755.00")  # carbon 640 + disc 90 + box 10 + courier 15
    assert carbon.to_json()["price"] == "755.00"
    assert is_valid(bike.model, {k: {v} if isinstance(v, str) else set(v) for k, v in carbon.selections.items()})


def test_completion_of_an_inconsistent_selection(bike):
    result = bike.complete({"frame": "carbon", "brakes": "rim"})
    assert result.to_json()["consistent"] is False


def test_repair_changes_the_fewest_picks(bike):
    repair = bike.repair("frame", "carbon", {"brakes": "rim", "size": "s", "packaging": "box"})
    changed = {change.feature: (change.before, change.after) for change in repair.changes}
    assert changed == {"brakes": (["rim"], ["disc_hydraulic"]), "size": (["s"], ["m"])}
    assert repair.price_before == Decimal("40.00")  # rim 30 + box 10
    assert repair.price_after == Decimal("740.00")  # carbon 640 + disc 90 + box 10
    assert repair.price_delta == Decimal("700.00")
    assert repair.selection["packaging"] == "box"


def test_repair_drops_a_multi_select_pick(bike):
    repair = bike.repair("delivery", "courier", {"extras": ["rack"]})
    assert [(c.feature, c.before, c.after) for c in repair.changes] == [("extras", ["rack"], [])]
    assert repair.price_delta == Decimal("-10.00")  # rack 25 off, courier 15 on


def test_repair_is_none_when_the_customer_can_never_have_it(bike):
    assert bike.repair("delivery", "express", {}, customer={"country": "mt"}) is None


def test_complete_flag(bike):
    picks = {"frame": "alu", "brakes": "rim", "size": "m", "packaging": "box", "delivery": "courier"}
    assert not bike.domains(picks).complete
    assert bike.domains({**picks, "billing": "card"}).complete
    assert not bike.domains({**picks, "billing": "card", "extras": ["rack"]}).consistent


def test_price_breakdown_is_decimal(bike):
    breakdown = bike.price({"frame": "carbon", "extras": ["bell", "lights"]})
    assert [(line.feature, line.option, line.amount) for line in breakdown.lines] == [
        ("frame", "carbon", Decimal("640.00")),
        ("extras", "bell", Decimal("5.00")),
        ("extras", "lights", Decimal("40.00")),
    ]
    assert breakdown.total == Decimal("685.00")


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ({"wheels": "x"}, "unknown feature 'wheels'"),
        ({"frame": "steel"}, "unknown option 'steel' of feature 'frame'"),
        ({"extras": ["bell", "horn"]}, "unknown option 'horn' of feature 'extras'"),
    ],
)
def test_unknown_ids_are_refused(bike, selection, message):
    with pytest.raises(SelectionError, match=message):
        bike.domains(selection)


def test_question_order_puts_product_first(bike):
    order = [feature.dimension for feature in bike.feature_order()]
    assert order == sorted(order, key=["product", "packaging", "delivery", "billing"].index)


def test_check_report(bike):
    report = bike.check()
    assert report.usable
    assert report.dead_options == [] and report.unfillable_features == []
    assert report.count == bike.count()
