"""Personal suggestions: only among the options still possible, the customer's
usual first, other customers' choices with a reason; "same as last time"."""

from datetime import UTC, datetime, timedelta

import pytest

from configurator.services import catalogs, customer_value
from tests.helpers import (
    CARBON_BIKE,
    COMPLETE_BIKE,
    STEEL_BIKE,
    gen_configuration,
    gen_order,
    gen_user,
)

ALU_DISC = dict(COMPLETE_BIKE, brakes="disc_hydraulic")


@pytest.fixture(autouse=True)
def fresh_models():
    customer_value.personalize.forget_trained()
    yield
    customer_value.personalize.forget_trained()


@pytest.fixture
def catalog(session, bike):
    return catalogs.engine_catalog(bike)


@pytest.fixture
def crowd(session, bike):
    """Four customers order aluminium with disc brakes, two steel with rim brakes."""
    for _ in range(4):
        gen_order(session, gen_user(session), ALU_DISC)
    for _ in range(2):
        gen_order(session, gen_user(session), STEEL_BIKE)


def test_the_customers_usual_comes_first(session, catalog, crowd):
    carbon_fan = gen_user(session)
    for _ in range(2):
        gen_order(session, carbon_fan, CARBON_BIKE)
    found = customer_value.personalize.suggest(session, carbon_fan, catalog, {})
    assert found["frame"].option == "carbon"
    assert found["frame"].reason == "Your usual"
    assert found["frame"].source == "own"
    assert found["frame"].option_name == "Carbon"


def test_only_options_still_possible_are_suggested(session, catalog, crowd):
    carbon_fan = gen_user(session)
    for _ in range(2):
        gen_order(session, carbon_fan, CARBON_BIKE)
    selection = {"brakes": "rim"}  # carbon frames need disc brakes: carbon is out
    possible = catalog.domains(selection).domains["frame"]
    assert "carbon" not in possible
    found = customer_value.personalize.suggest(session, carbon_fan, catalog, selection)
    assert found["frame"].option in possible
    assert "brakes" not in found  # already picked


def test_a_guest_gets_what_others_chose_with_their_pick(session, catalog, crowd):
    # Overall, disc brakes are the most chosen (4 orders and 4 configurations
    # against 2 and 2), but popularity is no reason a person accepts (issue 14,
    # item 7): nothing is suggested before a related pick. With a steel frame
    # (a rule ties frames to brakes), everyone chose rim brakes.
    assert "brakes" not in customer_value.personalize.suggest(session, None, catalog, {})
    found = customer_value.personalize.suggest(session, None, catalog, {"frame": "steel"})
    assert found["brakes"].option == "rim"
    assert found["brakes"].reason == "Most chosen with Frame: Steel"
    assert found["brakes"].source == "similar"


def test_a_pick_no_rule_ties_to_the_feature_is_no_reason(session, catalog, crowd):
    # The crowd all packed in a box and chose disc or rim brakes; packaging and
    # brakes share no rule, so a box says nothing about brakes.
    found = customer_value.personalize.suggest(session, None, catalog, {"packaging": "box"})
    assert "brakes" not in found and "frame" not in found
    for suggestion in found.values():
        assert suggestion.reason == "Your usual" or "Packaging" in suggestion.reason
        assert suggestion.feature == "delivery"  # the courier rule ties packaging and delivery


def test_at_most_the_next_three_open_features(session, catalog, crowd):
    regular = gen_user(session)
    for _ in range(2):
        gen_order(session, regular, COMPLETE_BIKE)
    found = customer_value.personalize.suggest(session, regular, catalog, {"frame": "alu"})
    assert len(found) == 3
    assert "frame" not in found
    order = [f.id for f in catalog.model.features]
    assert list(found) == sorted(found, key=order.index)


def test_no_history_no_suggestions(session, catalog):
    assert customer_value.personalize.suggest(session, gen_user(session), catalog, {}) == {}


def test_the_trained_model_is_kept_then_retrained(session, catalog, crowd):
    first = customer_value.personalize.recommender(session, catalog, now=1000.0)
    assert customer_value.personalize.recommender(session, catalog, now=1010.0) is first
    later = customer_value.personalize.recommender(session, catalog, now=1000.0 + customer_value.personalize.RETRAIN_AFTER)
    assert later is not first
    assert later.rows == first.rows == 12  # 6 orders and their 6 configurations


def test_last_time_is_the_newest_order_or_configuration(session, bike):
    customer = gen_user(session)
    assert customer_value.personalize.last_time(session, customer, "test-bike") is None
    order = gen_order(session, customer, STEEL_BIKE)
    last = customer_value.personalize.last_time(session, customer, "test-bike")
    assert (last.kind, last.reference) == ("order", order.number)
    later = gen_configuration(session, customer, CARBON_BIKE, name="Carbon try")
    later.updated_at = datetime.now(UTC) + timedelta(minutes=1)
    session.commit()
    last = customer_value.personalize.last_time(session, customer, "test-bike")
    assert (last.kind, last.reference, last.label) == ("configuration", str(later.id), "“Carbon try”")
    assert customer_value.personalize.last_time(session, gen_user(session), "test-bike") is None


@pytest.mark.parametrize("selection", [{"frame": "steel"}, {"brakes": "rim", "extras": ["bell"]}])
def test_on_a_page_the_same_suggestions_without_asking_the_engine_again(
    session, catalog, crowd, selection
):
    from configurator.services import configuring

    page = configuring.page.evaluate(catalog, selection, {})
    on_page = customer_value.personalize.suggest_on_page(session, None, catalog, page)
    assert on_page == customer_value.personalize.suggest(session, None, catalog, selection)
    assert on_page  # something to compare
    state = catalog.domains(selection)
    for suggestion in on_page.values():
        if suggestion.option is None:  # "leave it empty", where that is still allowed
            assert suggestion.feature in state.may_be_empty
        else:
            assert suggestion.option in state.domains[suggestion.feature]


def test_attach_puts_each_suggestion_on_its_feature(session, catalog, crowd):
    from configurator.services import configuring

    page = configuring.page.evaluate(catalog, {"frame": "steel"}, {})
    suggestions = customer_value.personalize.suggest_on_page(session, None, catalog, page)
    customer_value.personalize.attach(page, suggestions)
    views = {view.id: view for _, _, features in page.dimensions for view in features}
    assert views["brakes"].suggestion.option == "rim"
    assert views["frame"].suggestion is None
