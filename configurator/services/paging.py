"""Keyset pagination for the history lists (configurations, orders, revisions,
timeline).

Offsets get slower the deeper one pages (the database reads and throws away
every skipped row) and shift when a row is added meanwhile; a keyset page
starts right after the last row seen, so every page costs one short index
range scan and no row is shown twice or skipped. A cursor is the sort key of a
boundary row, encoded as an opaque URL-safe string.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.errors import ServiceError
from configurator.store.types import UTCDateTime

T = TypeVar("T")
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
OLDER, NEWER = "older", "newer"
# The range of a 4-byte integer column (PostgreSQL `integer`), ids included.
DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1


class InvalidCursor(ServiceError, ValueError):
    """A page link that was not made by us (edited, truncated, from another list)."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, newest first.

    `next_cursor` opens the following (older) page, `previous_cursor` the
    preceding (newer) one; each is None at that end of the list.
    """

    items: list[T]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_more(self) -> bool:
        """True when there are older items after this page."""
        return self.next_cursor is not None


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (`older`) or before (`newer`) a sort key."""

    direction: str
    key: tuple[Any, ...]


def encode(direction: str, key: Sequence[Any]) -> str:
    """An opaque cursor for a sort key (datetimes and ints)."""
    parts = [v.isoformat() if isinstance(v, date) else v for v in key]
    raw = json.dumps([direction[0], *parts], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, kinds: Sequence[type]) -> Cursor:
    """The direction and sort key in `cursor`; InvalidCursor when it is not ours.

    `kinds` gives the type of each part of the key (datetime or int).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        direction = {"o": OLDER, "n": NEWER}[raw[0]]
        values = raw[1:]
        if len(values) != len(kinds):
            raise ValueError("wrong length")
        return Cursor(direction, tuple(_parse(v, kind) for v, kind in zip(values, kinds)))
    except (
        ValueError, KeyError, IndexError, TypeError, OverflowError, binascii.Error, UnicodeError
    ):
        raise InvalidCursor(
            "This page link is not valid any more; start from the first page."
        ) from None


def _parse(value: Any, kind: type) -> Any:
    # Every part is checked against what a column can hold: an edited cursor
    # must be refused here, not become a database error (an integer past
    # PostgreSQL's `integer`, a time that overflows when made UTC).
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive time in cursor")
        return parsed.astimezone(UTC)  # OverflowError at the ends of the calendar
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        if not DB_INT_MIN <= value <= DB_INT_MAX:
            raise ValueError("cursor integer out of range")
        return value
    raise ValueError(f"bad cursor part {value!r}")


def page_size(size: int | None, most: int = MAX_PAGE_SIZE) -> int:
    """A page size within 1..`most` (a bad value gets the default)."""
    if not size or size < 1:
        return PAGE_SIZE
    return min(size, most)


def keyset_page(
    session: Session,
    query: sa.Select,
    columns: Sequence[sa.ColumnElement],
    key_of: Callable[[Any], tuple[Any, ...]],
    cursor: str | None,
    size: int | None,
    *,
    rows: Callable[[Session, sa.Select], list[Any]] | None = None,
    ascending: bool = False,
    max_size: int = MAX_PAGE_SIZE,
) -> Page[Any]:
    """One page of `query`, newest first by `columns` (the last one unique); with
    `ascending`, smallest first (the deliveries desk: soonest due first), and then
    `next_cursor` leads to larger keys.

    `key_of(item)` gives an item's values of `columns`; `rows` runs the query
    (default: `session.scalars`). One row more than the page is fetched to know
    whether another page follows, so no count query is needed.
    """
    size = page_size(size, max_size)
    kinds = [_kind(c) for c in columns]
    position = decode(cursor, kinds) if cursor else None
    run = rows or _scalars
    if position is not None and position.direction == NEWER:
        newer = _newer_page(session, query, columns, key_of, position.key, size, run, ascending)
        if newer is not None:
            return newer
        position = None  # back at the top: a full first page rather than a short one
    return _older_page(session, query, columns, key_of, position, size, run, ascending)


def _kind(column: sa.ColumnElement) -> type:
    """The Python type of a key column's values in a cursor."""
    if isinstance(column.type, UTCDateTime):
        return datetime
    if isinstance(column.type, sa.Date):
        return date
    return int


def _older_page(session, query, columns, key_of, position, size, run, ascending=False) -> Page[Any]:
    # The first page, or the rows right after the cursor's, newest first (or smallest
    # first when `ascending`: then "older" simply means further down the list).
    query = query.order_by(*(c.asc() if ascending else c.desc() for c in columns))
    if position is not None:
        after = _row_values(columns, position.key)
        query = query.where(_row(columns) > after if ascending else _row(columns) < after)
    fetched = run(session, query.limit(size + 1))
    items = fetched[:size]
    return Page(
        items=items,
        next_cursor=encode(OLDER, key_of(items[-1])) if len(fetched) > size else None,
        previous_cursor=encode(NEWER, key_of(items[0])) if position and items else None,
    )


def _newer_page(session, query, columns, key_of, key, size, run,
                ascending=False) -> Page[Any] | None:
    # The rows right before the cursor's: read upwards, shown newest first.
    # None when fewer than a page's worth are left (that is the first page).
    query = query.order_by(*(c.desc() if ascending else c.asc() for c in columns))
    before = _row_values(columns, key)
    query = query.where(_row(columns) < before if ascending else _row(columns) > before)
    fetched = run(session, query.limit(size + 1))
    if len(fetched) <= size:
        return None
    items = list(reversed(fetched[:size]))
    return Page(
        items=items,
        next_cursor=encode(OLDER, key_of(items[-1])),
        previous_cursor=encode(NEWER, key_of(items[0])),
    )


def _scalars(session: Session, query: sa.Select) -> list[Any]:
    return list(session.scalars(query))


def _row(columns: Sequence[sa.ColumnElement]) -> sa.Tuple:
    # A row comparison, (a, b) < (x, y): PostgreSQL uses it as one index range.
    return sa.tuple_(*columns)


def _row_values(columns: Sequence[sa.ColumnElement], key: tuple[Any, ...]) -> sa.Tuple:
    # Typed literals, so UTCDateTime stores the cursor's time as it stores the column.
    return sa.tuple_(*(sa.literal(value, column.type) for column, value in zip(columns, key)))
