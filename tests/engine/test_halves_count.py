"""Counting by joining the states after the comparisons with two enumerated halves (linear_count._halves,
meet_count.joined_in_three): against brute force, against the layers, and past the layers' budget."""

from __future__ import annotations

import pytest
from agreement import reduced_numeric_heavy
from bruteforce import Enumeration, model_from_text
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from strategies import customers, fine_unit_catalogs, mixed_catalogs

from configurator.engine.compile import compile_model
from configurator.engine.linear_count import CountTooLarge, LinearCounter

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _halves_count(text: str, customer: dict | None = None, max_states: int | None = None,
                  halves: bool = True) -> int:
    problem = compile_model(model_from_text(text), linear=True)
    counter = LinearCounter(problem, max_states, halves=halves)
    return counter.count(problem.customer_evidence(customer))


@given(data=st.data())
@SETTINGS
def test_counts_from_two_halves_equal_brute_force(data) -> None:
    """Several sums, price() both ways, gated comparisons, customer facts, rules within and across halves."""
    case = data.draw(mixed_catalogs())
    customer = data.draw(customers())
    note(f"catalog:\n{case.text}\ncustomer: {customer}")
    assert _halves_count(case.text, customer) == Enumeration(model_from_text(case.text), customer).count


@given(text=fine_unit_catalogs())
@SETTINGS
def test_fine_unit_totals_from_two_halves_equal_brute_force(text: str) -> None:
    note(text)
    assert _halves_count(text) == Enumeration(model_from_text(text), {}).count


def test_layers_past_their_budget_before_the_cut_count_from_two_halves(monkeypatch) -> None:
    """Numeric-heavy cut down to 11 parts, with 2,000 states allowed and no cut within reach (the rest
    after the cut limited to 10 assignments): the layers pass the budget at part2 (4,214 states), where
    the count used to be refused; the halves count what the layers count within their budget."""
    text = reduced_numeric_heavy(11)
    expected = _halves_count(text, halves=False)
    assert expected == 261_733_430
    monkeypatch.setattr("configurator.engine.linear_count.MAX_SUFFIX_ROWS", 10)
    assert _halves_count(text, max_states=2_000, halves=False) == expected


def test_a_join_past_its_swept_rows_is_refused_with_the_reason(monkeypatch) -> None:
    monkeypatch.setattr("configurator.engine.linear_count.MAX_SWEPT_ROWS", 10)
    with pytest.raises(CountTooLarge, match="swept rows"):
        _halves_count(reduced_numeric_heavy(9))


@given(data=st.data(), most_rows=st.integers(1, 12))
@SETTINGS
def test_the_second_half_in_chunks_counts_like_brute_force(data, most_rows: int) -> None:
    """The second half enumerated and joined a chunk at a time (chunks of a few rows: split at several
    variables), the chunks' counts added."""
    case = data.draw(mixed_catalogs())
    customer = data.draw(customers())
    note(f"catalog:\n{case.text}\ncustomer: {customer}\nchunk rows: {most_rows}")
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr("configurator.engine.linear_count.MAX_CHUNK_ROWS", most_rows)
        found = _halves_count(case.text, customer)
    assert found == Enumeration(model_from_text(case.text), customer).count


def test_numeric_heavy_cut_down_counts_the_same_from_chunks_of_its_second_half(monkeypatch) -> None:
    """Numeric-heavy cut down to 11 parts: its second half joined in several chunks (each join seen) gives
    the count the layers give."""
    from configurator.engine import linear_count

    joins = []
    joined = linear_count.joined_in_three

    def counted_join(groups, frontier, middle, suffix, across, variables):
        joins.append(len(suffix[3]))
        return joined(groups, frontier, middle, suffix, across, variables)

    text = reduced_numeric_heavy(11)
    monkeypatch.setattr(linear_count, "joined_in_three", counted_join)
    whole = _halves_count(text)
    rows = sum(joins)
    assert len(joins) == 1
    monkeypatch.setattr(linear_count, "MAX_CHUNK_ROWS", rows // 3)
    joins.clear()
    assert _halves_count(text) == whole == 261_733_430
    assert len(joins) >= 3 and max(joins) <= rows // 3 and sum(joins) >= rows
