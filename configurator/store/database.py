"""Engines and sessions, for anyone: services, the command line, tests.

`session_factory(url)` gives plain SQLAlchemy sessions. The store knows
nothing of Flask: the web app binds one session per request itself
(`configurator/web/database.py`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for `url`; SQLite gets foreign keys on and a shared in-memory pool."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {})["check_same_thread"] = False
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        engine = sa.create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def session_factory(url_or_engine: str | sa.Engine) -> sessionmaker[Session]:
    """A session factory; objects stay readable after commit (views render them)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    return sessionmaker(bind=engine, expire_on_commit=False)
