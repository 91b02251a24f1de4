"""Is this app process able to serve? Used by GET /health."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from configurator.services.unit_of_work import unit_of_work


def database_reachable(session: Session) -> bool:
    """True when the database answers a trivial query; never raises."""
    try:
        with unit_of_work(session):  # a failed query is rolled back, leaving the session usable
            session.execute(sa.text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True
