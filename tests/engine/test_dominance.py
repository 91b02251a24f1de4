"""The compiled dominance sums of dominance.py against direct enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from configurator.engine import dominance
from configurator.engine.dominance import (
    PreparedPoints,
    TooManyColumns,
    dominance_total,
    plan_columns,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def dominance_cases(draw: st.DrawFn):
    """Points with weights, queries with signed weights, 0 to 4 columns of small ranges (many ties)."""
    columns = draw(st.integers(0, 4))
    spans = draw(st.lists(st.integers(1, 12), min_size=columns, max_size=columns))
    point_rows = draw(st.lists(st.tuples(*[st.integers(0, span) for span in spans]), max_size=50))
    query_rows = draw(st.lists(st.tuples(*[st.integers(-2, span + 1) for span in spans]), min_size=1,
                               max_size=30))
    points = np.array(point_rows, dtype=np.int64).reshape(len(point_rows), columns)
    queries = np.array(query_rows, dtype=np.int64).reshape(len(query_rows), columns)
    point_weights = np.array(draw(st.lists(st.integers(1, 5), min_size=len(points), max_size=len(points))),
                             dtype=np.int64)
    query_weights = np.array(draw(st.lists(st.integers(-4, 4), min_size=len(queries), max_size=len(queries))),
                             dtype=np.int64)
    return points, point_weights, queries, query_weights


def _enumerated(points, point_weights, queries, query_weights) -> int:
    return sum(int(weight) * int(point_weights[(points <= query).all(axis=1)].sum())
               for query, weight in zip(queries, query_weights))


@given(case=dominance_cases(), cells=st.sampled_from([1 << 25, 6, 1]))
@SETTINGS
def test_dominance_sums_equal_enumeration(case, cells: int) -> None:
    """Sweep and table (the default), and with a table so small that a column is cut into blocks."""
    note(str(case))
    points, point_weights, queries, query_weights = case
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(dominance, "FENWICK_CELLS", cells)
        try:
            found = dominance_total(points, point_weights, queries, query_weights)
        except TooManyColumns:  # no table fits: with 4 columns, or 3 past a 1-cell table
            assert cells < 1 << 25 and points.shape[1] >= 3
            return
    assert found == _enumerated(points, point_weights, queries, query_weights)


@given(case=dominance_cases(), batch=st.integers(1, 7))
@SETTINGS
def test_queries_in_batches_and_in_several_calls_add_up(case, batch: int) -> None:
    points, point_weights, queries, query_weights = case
    if not len(points) or not points.shape[1]:
        return
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(dominance, "BATCH_ROWS", batch)
        prepared = PreparedPoints(points, point_weights, queries.min(axis=0), queries.max(axis=0))
        half = len(queries) // 2
        found = (prepared.total(queries[:half], query_weights[:half])
                 + prepared.total(queries[half:], query_weights[half:]))
    assert found == _enumerated(points, point_weights, queries, query_weights)


def test_the_widest_column_is_swept_and_the_narrow_ones_share_the_table() -> None:
    assert plan_columns([100_000, 50, 9]) == (0, [2, 1], None)
    # numeric-heavy's small-box join: 67 x 688 x 27,893 cells would not fit; the volume blocked (7 levels)
    # over a table of power and weight beats the weight blocked (15 levels)
    assert plan_columns([129_921, 27_893, 67, 688]) == (0, [3, 1], 2)
    assert plan_columns([1_000_000, 40_000, 50, 1_000]) == (0, [2, 1], 3)  # 50 x 1,000 x 40,000: too many
    assert plan_columns([5] * 5) is None  # more than one sweep, a table of two and a blocked column
