"""bench.recommend_floor: the in-sample majority rule's error, a floor under any recommender's."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from bench.recommend_floor import Sales, floor, question_errors

FEATURES = ["paint", "gearbox", "clutch"]


def sold_rows(count: int, seed: int = 1) -> list[dict]:
    """Paint: four colours, independent of the rest; clutch always goes with the gearbox."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        gearbox = rng.choice(["manual", "auto"])
        picks = {"paint": rng.choice(["red", "blue", "grey", "white"]), "gearbox": gearbox}
        if gearbox == "manual":
            picks["clutch"] = "pedal"  # automatic: no clutch, "not fitted"
        rows.append({"selections": picks})
    return rows


def test_the_floor_of_a_known_distribution_is_its_bayes_error():
    # Bayes errors: paint 3/4 whatever is known; gearbox and clutch 1/2 when
    # asked before the other, 0 after it: 1/4 on average over random orders.
    sales = Sales.from_rows(sold_rows(6000), FEATURES)
    orders = [list(p) for p in itertools.permutations(FEATURES)]
    result = floor(sales, orders)
    bayes = {"paint": 0.75, "gearbox": 0.25, "clutch": 0.25}
    for feature, error in bayes.items():
        assert result[feature] == pytest.approx(error, abs=0.02)
    assert result["all"] == pytest.approx(np.mean(list(bayes.values())), abs=0.015)


def test_a_question_knows_only_what_was_revealed_before_it():
    sales = Sales.from_rows(sold_rows(4000), FEATURES)
    asked_first, asked_after = question_errors(sales, ["clutch", "gearbox", "paint"])[:2]
    assert asked_first[0] == "clutch" and asked_first[1] == pytest.approx(0.5, abs=0.03)
    assert asked_after == ("gearbox", 0.0)  # the clutch (or its absence) tells the gearbox


def test_configurations_sold_once_make_the_floor_optimistic():
    # 50 rows of 3 independent 4-colour features: with two features known the
    # rows fall into 16 groups of about 3, so the in-sample rule is wrong far
    # less often than the 75 % any real method must expect (the floor is a
    # lower bound, not an estimate).
    rng = random.Random(3)
    rows = [{"selections": {f: rng.choice("abcd") for f in FEATURES}} for _ in range(50)]
    errors = question_errors(Sales.from_rows(rows, FEATURES), FEATURES)
    assert errors[0][1] > 0.6
    assert errors[2][1] < 0.6


def test_bootstrap_counts_change_the_weights_not_the_configurations():
    sales = Sales.from_rows(sold_rows(500), FEATURES)
    doubled = floor(sales, [FEATURES], sales.counts * 2)
    assert doubled == pytest.approx(floor(sales, [FEATURES]))
    only_manual = np.where(sales.codes[:, 1] == sales.codes[0, 1], sales.counts, 0.0)
    assert floor(sales, [["gearbox"]], only_manual)["gearbox"] == 0.0
