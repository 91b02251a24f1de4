"""Quote numbers: formatting, parsing, revisions and the sequence interface."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from configurator.quoting import InMemorySequence, InvalidQuoteNumber, QuoteNumber, allocate_number
from configurator.quoting import parse_quote_number as parse


@pytest.mark.parametrize(("number", "text"), [
    (QuoteNumber(2026, 42), "Q-2026-00042"),
    (QuoteNumber(2026, 42, 2), "Q-2026-00042-R2"),
    (QuoteNumber(2027, 1, 11), "Q-2027-00001-R11"),
    (QuoteNumber(2026, 123456), "Q-2026-123456"),  # past 99 999 the number grows
])
def test_format_and_parse_round_trip(number, text):
    assert str(number) == text
    assert parse(text) == number


def test_parse_forgives_case_and_blanks():
    assert parse("  q-2026-00042-r3 ") == QuoteNumber(2026, 42, 3)


@pytest.mark.parametrize("text", ["", "Q-2026-42", "Q-26-00042", "X-2026-00042", "Q-2026-00042-R",
                                  "Q-2026-00042-R0", "Q-2026-00042-R1", "Q-2026-00000",
                                  "Q-2026-00042-R2x"])
def test_invalid_numbers_are_refused(text):
    with pytest.raises(InvalidQuoteNumber):
        parse(text)


def test_revisions_share_the_base_number():
    number = QuoteNumber(2026, 42)
    second = number.next_revision()
    assert str(second) == "Q-2026-00042-R2"
    assert second.base == number.base == "Q-2026-00042"
    assert str(second.next_revision()) == "Q-2026-00042-R3"


def test_allocate_counts_per_utc_year():
    sequence = InMemorySequence()
    new_year_eve = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert str(allocate_number(sequence, new_year_eve)) == "Q-2026-00001"
    assert str(allocate_number(sequence, new_year_eve)) == "Q-2026-00002"
    # 00:30 in Berlin on Jan 1st is still 2026 in UTC
    berlin = timezone(timedelta(hours=1))
    assert str(allocate_number(sequence, datetime(2027, 1, 1, 0, 30, tzinfo=berlin))) == "Q-2026-00003"
    assert str(allocate_number(sequence, datetime(2027, 1, 1, 1, 0, tzinfo=UTC))) == "Q-2027-00001"


def test_allocate_refuses_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        allocate_number(InMemorySequence(), datetime(2026, 1, 1))


def test_in_memory_sequence_is_unique_and_gap_free_under_threads():
    sequence = InMemorySequence()
    numbers: list[int] = []

    def create() -> None:
        for _ in range(50):
            numbers.append(sequence.next_number(2026))

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(1, 201))
