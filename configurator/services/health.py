"""Is this app process able to serve? Used by GET /health."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session


def database_reachable(session: Session) -> bool:
    """True when the database answers a trivial query; never raises."""
    try:
        session.execute(sa.text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        session.rollback()
        return False
    return True
