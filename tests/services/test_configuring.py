"""The live configurator's logic: parsing picks, disabled options, repair, complete."""

from decimal import Decimal

import pytest

from configurator.engine import load_catalog
from configurator.services import configuring
from tests.conftest import DATA


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(DATA / "bike.yaml")


def option(state, feature_id, option_id):
    for _, _, features in state.dimensions:
        for feature in features:
            if feature.id == feature_id:
                return next(o for o in feature.options if o.id == option_id)
    raise KeyError(feature_id)


def test_parse_keeps_good_picks_and_reports_tampering(catalog):
    form = {
        "f.frame": ["alu"],
        "f.brakes": ["rim", "disc_hydraulic"],
        "f.extras": ["bell", "kite"],
        "f.wings": ["big"],
        "name": ["x"],
    }
    selection, problems = configuring.selection.parse_selection(catalog, form)
    assert selection == {"frame": "alu", "extras": ["bell"]}
    assert len(problems) == 3
    assert any("Brakes takes one option" in p for p in problems)
    assert any("'kite'" in p for p in problems)
    assert any("'wings'" in p for p in problems)


def test_the_other_options_of_a_picked_feature_stay_pickable(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "alu"})
    assert option(state, "frame", "carbon").possible
    assert option(state, "frame", "alu").selected


def test_a_disabled_option_says_why_and_offers_a_repair(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "alu", "brakes": "rim"})
    carbon = option(state, "frame", "carbon")
    assert not carbon.possible
    assert carbon.why.rules == ["Carbon frames only take hydraulic disc brakes."]
    assert carbon.why.picks == ["Brakes: Rim brakes"]
    assert carbon.repair.label == "Switch brakes to Hydraulic disc, +640.00"
    assert carbon.repair.price_delta == Decimal(640)


def test_customer_rules_make_an_option_unavailable(catalog):
    state = configuring.page.evaluate(catalog, {}, {"segment": "consumer"})
    invoice = option(state, "billing", "invoice_60")
    assert not invoice.possible and invoice.unavailable
    assert invoice.why.rules == ["60-day invoices are for business accounts."]
    assert option(
        configuring.page.evaluate(catalog, {}, {"segment": "business"}), "billing", "invoice_60"
    ).possible


def test_repair_action_switches_the_conflicting_pick(catalog):
    selection, notice = configuring.actions.apply_action(
        catalog, {"frame": "alu", "brakes": "rim"}, "repair:frame=carbon"
    )
    assert selection == {"frame": "carbon", "brakes": "disc_hydraulic"}
    assert notice == "Switched to Carbon."


def test_complete_action_fills_the_rest_at_the_lowest_price(catalog):
    selection, _ = configuring.actions.apply_action(catalog, {"frame": "carbon"}, "complete")
    state = configuring.page.evaluate(catalog, selection)
    assert state.complete and state.total == Decimal(825)


def test_clear_action(catalog):
    selection, _ = configuring.actions.apply_action(
        catalog, {"frame": "carbon", "brakes": "rim"}, "clear:brakes"
    )
    assert selection == {"frame": "carbon"}


def test_inconsistent_picks_show_the_conflict(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "carbon", "brakes": "rim"})
    assert not state.consistent and not state.complete
    assert state.conflict.rules == ["Carbon frames only take hydraulic disc brakes."]


def test_missing_choices_are_named(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "alu"})
    assert state.missing == ["Brakes", "Packaging", "Delivery", "Billing"]
    assert [d for d, _, _ in state.dimensions] == ["product", "packaging", "delivery", "billing"]


def test_usual_choices_are_marked_in_catalog_order_and_not_picked(catalog):
    state = configuring.page.evaluate(catalog, {}, usual={"frame": ["steel"]})
    frame = next(f for _, _, fs in state.dimensions for f in fs if f.id == "frame")
    # Marked, not moved: the order is the catalog's wherever the page is shown.
    assert [option.id for option in frame.options] == ["alu", "carbon", "steel"]
    assert [option.usual for option in frame.options] == [False, False, True]
    assert not frame.chosen and state.has_usual
    selection, _ = configuring.actions.apply_action(
        catalog,
        {},
        "usual",
        usual={"frame": ["steel"], "billing": ["invoice_60"]},
        customer={"segment": "consumer"},
    )
    assert selection == {"frame": "steel"}  # invoice_60 no longer fits this customer: skipped


def test_lazy_explanations_above_the_limit(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "alu", "brakes": "rim"}, eager_limit=0)
    assert state.lazy_explanations and option(state, "frame", "carbon").why is None
    state = configuring.page.evaluate(
        catalog, {"frame": "alu", "brakes": "rim"}, eager_limit=0, explain=("frame", "carbon")
    )
    assert option(state, "frame", "carbon").repair is not None


def test_dimensions_come_in_the_pages_order_with_any_other_last():
    pairs = [("billing", "b"), ("extra", "x"), ("product", "p1"), ("delivery", "d"), ("product", "p2")]
    assert configuring.page.by_dimension(pairs) == [
        ("product", "Product", ["p1", "p2"]),
        ("delivery", "Delivery", ["d"]),
        ("billing", "Billing", ["b"]),
        ("extra", "Extra", ["x"]),
    ]


def test_a_stored_selection_with_retired_picks_still_evaluates(catalog):
    state = configuring.page.evaluate_lenient(
        catalog, {"frame": "titanium", "brakes": "rim"}, {}, problems=["kept"]
    )
    assert state.selection == {"brakes": "rim"}
    assert state.problems[0] == "kept"
    assert any("'titanium'" in problem for problem in state.problems[1:])


def test_a_recheck_becomes_a_starting_point(catalog):
    recheck = configuring.recheck
    complete = {"frame": "alu", "brakes": "rim", "packaging": "box", "delivery": "courier",
                "billing": "prepay"}
    fits = recheck.starting_point(recheck.recheck(catalog, complete, {}), "order K7QF-3M2P", 7)
    assert (fits.selection, fits.source_id) == (complete, 7)
    assert fits.notice == "Started from order K7QF-3M2P; everything still fits."
    retired = recheck.recheck(catalog, {"frame": "titanium"}, {})
    repaired = recheck.starting_point(retired, "“Mine”")
    assert repaired.selection == retired.repaired and "titanium" not in str(repaired.selection)
    assert repaired.notice == "Started from “Mine”, repaired to fit today's catalog."
    stuck = recheck.Recheck(lines=[], total_then=Decimal(0), fits=False, kept={"frame": "alu"})
    assert recheck.starting_point(stuck, "x").selection == {"frame": "alu"}
    assert recheck.starting_point(stuck, "x").notice == "Started from x; some picks no longer fit."


def test_a_repair_that_gives_up_another_pick_says_which(catalog):
    state = configuring.page.evaluate(catalog, {"extras": ["bell", "rack"]})
    lights = option(state, "extras", "lights")
    assert lights.repair.label == "Pick Lights, also removes Rack, +15.00"
    assert lights.repair.spoken == lights.repair.label  # said once, not "Pick Lights: Pick Lights"


def test_an_option_greyed_by_the_count_limit_says_so(catalog):
    state = configuring.page.evaluate(catalog, {"extras": ["bell", "rack"]})
    assert option(state, "extras", "lights").why.rules == ["Extras takes at most 2 options."]


def test_a_page_shown_again_reuses_its_repairs(monkeypatch):
    # A fresh catalog object: the repair cache lives as long as its catalog.
    fresh = load_catalog(DATA / "bike.yaml")
    asked = []
    original = type(fresh).repair

    def counting(self, *args, **kwargs):
        asked.append(args[:2])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(fresh), "repair", counting)
    selection = {"frame": "alu", "brakes": "rim"}
    first = configuring.page.evaluate(fresh, selection)
    assert ("frame", "carbon") in asked
    count = len(asked)
    again = configuring.page.evaluate(fresh, dict(selection))  # the page after a save
    assert len(asked) == count
    assert option(again, "frame", "carbon").repair == option(first, "frame", "carbon").repair
    configuring.actions.apply_action(fresh, selection, "repair:frame=carbon")
    assert len(asked) == count
