"""Is this app process able to serve? Used by GET /health."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from configurator.services.unit_of_work import unit_of_work
from configurator.store.migrate import expected_head


class _UndoProbe(Exception):
    """Raised inside the probe's unit of work so that it rolls back its write."""


def database_problem(session: Session) -> str | None:
    """Why this process cannot serve (None when it can); never raises.

    The database must answer, take a write (made in a transaction that is
    rolled back, so nothing changes) and be at the migration this code expects:
    a read-only or half-migrated database would otherwise fail only on the
    first order.
    """
    try:
        with unit_of_work(session):  # a failed query is rolled back, leaving the session usable
            version = session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except (SQLAlchemyError, OSError):
        return "database unreachable"
    if version != expected_head():
        return "database schema not at the expected migration"
    try:
        with unit_of_work(session):
            session.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
            raise _UndoProbe
    except _UndoProbe:
        return None
    except (SQLAlchemyError, OSError):
        return "database does not take writes"

