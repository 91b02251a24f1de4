"""The join of meet_count.py: dominance counts and allowed totals against direct enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from configurator.engine import meet_count
from configurator.engine.meet_count import (
    HIGHEST,
    LOWEST,
    allowed_totals,
    box_count,
    dominated_weights,
)

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def point_sets(draw: st.DrawFn):
    """Points with weights and queries in 1 to 4 columns, small coordinates so that ties are common."""
    columns = draw(st.integers(1, 4))
    rows = st.lists(st.integers(-3, 3), min_size=columns, max_size=columns)
    points = np.array(draw(st.lists(rows, max_size=40)) or np.zeros((0, columns)), dtype=np.int64)
    points = points.reshape(-1, columns)
    weights = np.array(draw(st.lists(st.integers(1, 5), min_size=len(points), max_size=len(points))), np.int64)
    queries = np.array(draw(st.lists(rows, min_size=1, max_size=30)), dtype=np.int64).reshape(-1, columns)
    return points, weights, queries


@given(case=point_sets(), brute=st.sampled_from([1, 8, 1 << 21]))
@SETTINGS
def test_dominated_weights_equal_direct_enumeration(case, brute: int) -> None:
    """Divide and conquer down to one column (brute=1), or all pairs at once (the default budget)."""
    points, weights, queries = case
    note(f"points {points.tolist()} weights {weights.tolist()} queries {queries.tolist()}")
    expected = [int(weights[(points <= query).all(axis=1)].sum()) for query in queries]
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(meet_count, "BRUTE_PAIRS", brute)
        assert dominated_weights(points, weights, queries).tolist() == expected
        assert dominated_weights(points, weights.astype(object), queries).tolist() == expected


REQUIREMENT = st.tuples(st.sampled_from(["le", "ge", "eq", "ne"]), st.integers(-4, 4) | st.none(), st.booleans())


@given(requirements=st.lists(REQUIREMENT, max_size=4))
def test_allowed_totals_are_the_totals_meeting_every_requirement(requirements) -> None:
    requirements = [(kind, 0 if cut is None and kind in ("le", "ge") else cut, holds)
                    for kind, cut, holds in requirements]

    def meets(total: int, kind: str, cut: int | None, holds: bool) -> bool:
        result = {"le": lambda: total <= cut, "ge": lambda: total >= cut,
                  "eq": lambda: cut is not None and total == cut, "ne": lambda: cut is None or total != cut}[kind]()
        return result == holds

    intervals = allowed_totals(requirements)
    for total in range(-8, 9):
        inside = any(low <= total <= high for low, high in intervals)
        assert inside == all(meets(total, *requirement) for requirement in requirements)
    assert all(a[1] < b[0] for a, b in zip(intervals, intervals[1:]))  # disjoint, in order


def test_box_count_counts_pairs_whose_totals_land_in_the_box() -> None:
    rng = np.random.default_rng(5)
    totals, completions = rng.integers(0, 20, (30, 2)), rng.integers(0, 20, (25, 2))
    counts, weights = rng.integers(1, 4, 30), rng.integers(1, 4, 25)
    allowed = [[(LOWEST, 12), (18, 25)], [(10, HIGHEST)]]
    expected = sum(int(counts[i] * weights[j]) for i in range(30) for j in range(25)
                   if any(lo <= totals[i, 0] + completions[j, 0] <= hi for lo, hi in allowed[0])
                   and totals[i, 1] + completions[j, 1] >= 10)
    assert box_count(totals, counts, completions, weights, allowed, np.int64) == expected > 0
    assert box_count(totals, counts, completions, weights, [[], [(0, 5)]], np.int64) == 0


def test_a_join_past_its_work_budget_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(meet_count, "MAX_JOIN_WORK", 10)
    points = np.zeros((50, 3), np.int64)
    with pytest.raises(meet_count.MeetTooLarge):
        box_count(points, np.ones(50, np.int64), points, np.ones(50, np.int64),
                  [[(LOWEST, 1)]] * 3, np.int64)
