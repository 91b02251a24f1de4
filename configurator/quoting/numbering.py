"""Quote numbers: `Q-2026-00042`, and `Q-2026-00042-R2` for its second revision.

This module formats and parses numbers; it does not hand them out. The
sequence lives in the database layer and must satisfy `NumberSequence`:

    next_number(year) -> int

* returns 1 for the first quote of a year, then 2, 3, ... (one counter per year);
* never returns the same number twice for a year, also with many staff creating
  quotes at the same moment from several processes;
* gap-free: call it inside the transaction that inserts the quote, so a rolled
  back quote gives its number back. On PostgreSQL one row per year with
  ``INSERT ... ON CONFLICT (year) DO UPDATE SET last = quote_sequence.last + 1
  RETURNING last`` does all three (the row lock serialises creators until commit).
  A database SEQUENCE is *not* enough: it is not per year and leaves gaps.

Revisions keep the number of the quote and only raise the suffix, so they need
no call to the sequence; orders are numbered by their own sequence and link
back to the quote, so the two never disturb each other.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from .errors import InvalidQuoteNumber

_PATTERN = re.compile(r"Q-(?P<year>\d{4})-(?P<sequence>\d{5,})(?:-R(?P<revision>[1-9]\d*))?")


class NumberSequence(Protocol):
    """What the database layer provides: the next number of a year (see module docstring)."""

    def next_number(self, year: int) -> int:
        """The next unused number of `year`, starting at 1, unique under concurrency."""
        ...


@dataclass(frozen=True, order=True)
class QuoteNumber:
    """A quote's number and revision; `str()` gives `Q-2026-00042` or `Q-2026-00042-R2`."""

    year: int
    sequence: int
    revision: int = 1

    def __post_init__(self) -> None:
        if not 1000 <= self.year <= 9999:
            raise InvalidQuoteNumber(f"A quote year has four digits, not {self.year}")
        if self.sequence < 1:
            raise InvalidQuoteNumber(f"Quote sequence numbers start at 1, not {self.sequence}")
        if self.revision < 1:
            raise InvalidQuoteNumber(f"Revisions start at 1, not {self.revision}")

    def __str__(self) -> str:
        # Five digits sort well up to 99 999 quotes a year; beyond, the number simply grows.
        base = f"Q-{self.year:04d}-{self.sequence:05d}"
        return base if self.revision == 1 else f"{base}-R{self.revision}"

    @property
    def base(self) -> str:
        """The number without the revision suffix: what every revision shares."""
        return str(replace(self, revision=1))

    def next_revision(self) -> QuoteNumber:
        """The same number, one revision up."""
        return replace(self, revision=self.revision + 1)


def parse_quote_number(text: str) -> QuoteNumber:
    """`Q-2026-00042-R2` -> QuoteNumber(2026, 42, 2); surrounding blanks and case are forgiven.

    Raises InvalidQuoteNumber for anything else, including `-R1` (the first
    revision has no suffix, so each quote has one spelling).
    """
    match = _PATTERN.fullmatch(text.strip().upper())
    if match is None:
        raise InvalidQuoteNumber(f"{text!r} is not a quote number like Q-2026-00042 or Q-2026-00042-R2")
    revision = int(match["revision"] or 1)
    if match["revision"] == "1":
        raise InvalidQuoteNumber(f"{text!r}: the first revision is written without -R1")
    return QuoteNumber(int(match["year"]), int(match["sequence"]), revision)


def allocate_number(sequence: NumberSequence, now: datetime) -> QuoteNumber:
    """A new quote number for a quote created at `now` (UTC year), from `sequence`."""
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware (UTC)")
    year = now.astimezone(UTC).year
    return QuoteNumber(year, sequence.next_number(year))


class InMemorySequence:
    """A `NumberSequence` for tests and fakes: per-year counters behind a lock."""

    def __init__(self) -> None:
        self._last: dict[int, int] = {}
        self._lock = threading.Lock()

    def next_number(self, year: int) -> int:
        """The next number of `year`, starting at 1."""
        with self._lock:
            self._last[year] = self._last.get(year, 0) + 1
            return self._last[year]

