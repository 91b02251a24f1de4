"""Per-year counters for readable, gap-free numbers (quotes, orders).

One row per year holds the last number handed out; `next_number` bumps it with
``INSERT ... ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last``
inside the caller's transaction. On PostgreSQL the row lock serialises
concurrent creators until they commit; SQLite serialises every writer. A
rolled-back caller gives its number back, so the numbers of a year have no
gaps (`quoting.numbering` explains why a database SEQUENCE is not enough).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def next_number(session: Session, table: Any, year: int) -> int:
    """The next number of `year` in `table` (a model with `year` and `last`), from 1."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = (
        insert.values(year=year, last=1)
        .on_conflict_do_update(index_elements=[table.year], set_={"last": table.last + 1})
        .returning(table.last)
    )
    return int(session.execute(statement).scalar_one())
