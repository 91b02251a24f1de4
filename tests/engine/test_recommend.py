"""The recommender on small hand-made histories whose answers are known.

The catalog: a carbon frame only takes disc brakes; the bell may stay empty;
extras are a multi-select. Histories are built with `gen_history` so each test
says only how many configurations of each kind it needs.
"""

from __future__ import annotations

import random

import pytest

from configurator.engine.catalog import Catalog
from configurator.engine.recommend import (
    MOST_POPULAR,
    YOUR_USUAL,
    PastConfiguration,
    Recommender,
    recommend_next,
)

CATALOG = """
catalog: rec-bike
name: Recommender test bike
version: 1
currency: EUR
features:
  - id: frame
    name: Frame
    dimension: product
    choose: one
    options:
      - {id: alu, name: Aluminium}
      - {id: carbon, name: Carbon}
      - {id: steel, name: Steel}
  - id: brakes
    name: Brakes
    dimension: product
    choose: one
    options:
      - {id: rim, name: Rim}
      - {id: disc, name: Disc}
  - id: color
    name: Colour
    dimension: product
    choose: one
    options:
      - {id: red, name: Red}
      - {id: blue, name: Blue}
      - {id: green, name: Green}
  - id: bell
    name: Bell
    dimension: product
    choose: optional
    options:
      - {id: bell, name: Bell}
  - id: extras
    name: Extras
    dimension: product
    choose: {min: 0, max: 3}
    options:
      - {id: rack, name: Rack}
      - {id: lights, name: Lights}
      - {id: mudguards, name: Mudguards}
constraints:
  - id: carbon-needs-disc
    if: frame == carbon
    then: brakes in [disc]
"""


@pytest.fixture(scope="module")
def catalog():
    """The test catalog, compiled once for the module."""
    return Catalog.from_text(CATALOG)


def gen_history(*groups: tuple[int, dict], owner: str | None = None) -> list[PastConfiguration]:
    """`count` copies of each selection dict, owned by `owner`."""
    return [
        PastConfiguration(dict(selection), owner=owner)
        for count, selection in groups
        for _ in range(count)
    ]


def recommend(catalog, rows, feature, selection=None, **options):
    """Train on `rows`, then ask for `feature` after `selection`."""
    selection = selection or {}
    recommender = Recommender.for_catalog(catalog, rows)
    return recommender.recommend(feature, selection, catalog.domains(selection), **options)


ALU_RIM_RED = {"frame": "alu", "brakes": "rim", "color": "red"}
CARBON_DISC_GREEN = {"frame": "carbon", "brakes": "disc", "color": "green"}
STEEL_DISC_BLUE = {"frame": "steel", "brakes": "disc", "color": "blue", "bell": "bell"}


@pytest.mark.parametrize(
    "selection",
    [
        {},
        {"frame": "carbon"},
        {"frame": "steel", "color": "blue"},
        {"frame": "alu", "extras": ["rack"]},
    ],
)
def test_recommends_only_options_still_possible(catalog, selection):
    rows = gen_history((8, ALU_RIM_RED), (3, CARBON_DISC_GREEN), (2, STEEL_DISC_BLUE))
    recommender = Recommender.for_catalog(catalog, rows)
    state = catalog.domains(selection)
    for feature in catalog.model.features:
        suggestion = recommender.recommend(feature.id, selection, state)
        if suggestion is None:
            # Only when no past configuration holds a value still possible (no one took extras).
            assert feature.id == "extras" and "extras" in selection
            continue
        if suggestion.leave_empty:
            assert feature.id in state.may_be_empty
        else:
            assert suggestion.option in state.domains[feature.id]
        assert 0 < suggestion.score <= 1


def test_popular_option_ruled_out_by_a_pick_is_not_recommended(catalog):
    # Rim brakes are the most chosen, but a carbon frame rules them out.
    rows = gen_history((10, ALU_RIM_RED), (1, CARBON_DISC_GREEN))
    assert recommend(catalog, rows, "brakes").option == "rim"
    assert recommend(catalog, rows, "brakes", {"frame": "carbon"}).option == "disc"


def test_your_usual_beats_global_popularity(catalog):
    rows = gen_history((10, ALU_RIM_RED)) + gen_history((2, STEEL_DISC_BLUE), owner="ann")
    suggestion = recommend(catalog, rows, "color", customer="ann")
    assert (suggestion.option, suggestion.reason, suggestion.source) == ("blue", YOUR_USUAL, "own")
    assert suggestion.score == 1.0


def test_history_passed_at_question_time_counts_as_the_customers_own(catalog):
    rows = gen_history((10, ALU_RIM_RED))
    suggestion = recommend(catalog, rows, "color", history=[{"color": "green"}])
    assert (suggestion.option, suggestion.reason) == ("green", YOUR_USUAL)


def test_backs_off_to_popularity_without_history(catalog):
    rows = gen_history((5, ALU_RIM_RED), (2, STEEL_DISC_BLUE)) + gen_history(
        (2, CARBON_DISC_GREEN), owner="ann"
    )
    suggestion = recommend(catalog, rows, "color", customer="bob")
    assert (suggestion.option, suggestion.reason, suggestion.source) == (
        "red",
        MOST_POPULAR,
        "popular",
    )
    assert suggestion.score == pytest.approx(5 / 9)


def test_usual_option_disabled_by_the_picks_is_never_recommended(catalog):
    # Ann always takes rim brakes; with a carbon frame only disc brakes remain.
    rows = gen_history((5, CARBON_DISC_GREEN)) + gen_history((3, ALU_RIM_RED), owner="ann")
    suggestion = recommend(catalog, rows, "brakes", {"frame": "carbon"}, customer="ann")
    assert suggestion.option == "disc"
    assert suggestion.reason != YOUR_USUAL


def test_similar_configurations_outvote_global_popularity(catalog):
    # Red is the most chosen colour overall, green the most chosen with a carbon frame.
    rows = gen_history(
        (10, ALU_RIM_RED), (3, CARBON_DISC_GREEN), (1, {"frame": "carbon", "color": "red"})
    )
    suggestion = recommend(catalog, rows, "color", {"frame": "carbon"})
    assert (suggestion.option, suggestion.source) == ("green", "similar")
    assert suggestion.reason == "most chosen with Frame=Carbon"
    assert recommend(catalog, rows, "color", {"frame": "alu"}).option == "red"


def test_leave_empty_is_a_value_to_recommend(catalog):
    rows = gen_history((6, ALU_RIM_RED), (2, STEEL_DISC_BLUE))
    suggestion = recommend(catalog, rows, "bell")
    assert suggestion.leave_empty and suggestion.option is None
    # Steel frames come with a bell.
    assert recommend(catalog, rows, "bell", {"frame": "steel"}).option == "bell"


def test_a_feature_left_empty_is_evidence_too(catalog):
    # Configurations without a bell are red, those with one are blue.
    rows = gen_history((3, ALU_RIM_RED), (4, {"frame": "alu", "color": "blue", "bell": "bell"}))
    assert recommend(catalog, rows, "color").option == "blue"
    assert recommend(catalog, rows, "color", {"bell": None}).option == "red"


def test_multi_select_feature_votes_per_option(catalog):
    rows = gen_history((3, {"extras": ["rack", "lights"]}), (2, {"extras": ["lights"]}))
    suggestion = recommend(catalog, rows, "extras")
    assert suggestion.option == "lights"


def test_ties_go_to_the_first_option_in_catalog_order_whatever_the_row_order(catalog):
    rows = gen_history((3, {"color": "green"}), (3, {"color": "blue"}), (3, {"color": "red"}))
    answers = set()
    for seed in range(5):
        random.Random(seed).shuffle(rows)
        answers.add(recommend(catalog, rows, "color").option)
    assert answers == {"red"}


def test_nothing_to_vote_with_gives_no_suggestion(catalog):
    assert recommend(catalog, [], "color") is None


def test_baseline_is_popularity_within_the_domain(catalog):
    rows = gen_history((10, ALU_RIM_RED), (3, CARBON_DISC_GREEN))
    recommender = Recommender.for_catalog(catalog, rows)
    assert recommender.popular("color", catalog.domains({"frame": "carbon"})).option == "red"
    assert recommender.popular("brakes", catalog.domains({"frame": "carbon"})).option == "disc"


def test_recommend_next_skips_picked_and_forced_features_in_catalog_order(catalog):
    rows = gen_history((10, ALU_RIM_RED), (3, CARBON_DISC_GREEN))
    recommender = Recommender.for_catalog(catalog, rows)
    suggestions = recommend_next(catalog, {"frame": "carbon"}, k=2, recommender=recommender)
    # frame is picked and brakes is forced to disc: colour and bell come next.
    assert [(s.feature, s.option) for s in suggestions] == [("color", "green"), ("bell", None)]


def test_recommend_next_with_only_the_customers_history(catalog):
    # What the past configuration left empty is the customer's usual too; the
    # brakes, required but never chosen, get no suggestion.
    suggestions = recommend_next(catalog, {}, [{"frame": "steel", "color": "blue"}], k=5)
    assert [(s.feature, s.option, s.reason) for s in suggestions] == [
        ("frame", "steel", YOUR_USUAL),
        ("color", "blue", YOUR_USUAL),
        ("bell", None, YOUR_USUAL),
        ("extras", None, YOUR_USUAL),
    ]


def ask(catalog, rows, feature, selection, **options):
    """The suggestion of a recommender built with `options` (same_picks_decide, sharpness).

    Rows holding every pick decide by default.
    """
    recommender = Recommender.for_catalog(catalog, rows, **options)
    return recommender.recommend(feature, selection, catalog.domains(selection))


# Two customers picked an aluminium frame in red and took disc brakes; twenty
# others share one of those picks and took rim brakes.
SAME_PICKS_HISTORY = (
    (2, {"frame": "alu", "color": "red", "brakes": "disc"}),
    (10, {"frame": "alu", "color": "blue", "brakes": "rim"}),
    (10, {"frame": "steel", "color": "red", "brakes": "rim"}),
)


def test_rows_holding_every_pick_decide_when_asked(catalog):
    rows = gen_history(*SAME_PICKS_HISTORY)
    picks = {"frame": "alu", "color": "red"}
    # A gentle similarity vote lets the twenty near rows outvote the two exact ones...
    plain = ask(catalog, rows, "brakes", picks, sharpness=2.0, same_picks_decide=False)
    assert plain.option == "rim"
    # ...unless the customers who picked exactly the same decide.
    suggestion = ask(catalog, rows, "brakes", picks, sharpness=2.0)
    assert suggestion.option == "disc"
    assert suggestion.score == pytest.approx(1.0)


def test_without_a_row_holding_every_pick_the_similarity_vote_speaks(catalog):
    rows = gen_history(*SAME_PICKS_HISTORY)
    picks = {"frame": "steel", "color": "blue"}  # nobody picked both
    for sharpness in (2.0, 12.0):
        plain = ask(catalog, rows, "brakes", picks, sharpness=sharpness, same_picks_decide=False)
        same = ask(catalog, rows, "brakes", picks, sharpness=sharpness)
        assert (same.option, same.score, same.reason) == (plain.option, plain.score, plain.reason)


def test_rows_holding_every_pick_but_no_possible_value_do_not_decide(catalog):
    # Both rows with a carbon frame and no bell took rim brakes, which a carbon
    # frame no longer allows (the catalog changed): the similar rows answer.
    rows = gen_history(
        (2, {"frame": "carbon", "brakes": "rim"}),
        (3, {"frame": "carbon", "brakes": "disc", "bell": "bell"}),
    )
    picks = {"frame": "carbon", "bell": None}
    suggestion = ask(catalog, rows, "brakes", picks)
    assert suggestion.option == "disc"
    assert suggestion.score == pytest.approx(1.0)
