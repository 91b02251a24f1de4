"""Engines and sessions: bound to a Flask app with `init_app`, usable without it.

Services and the command line get a plain `Session` from `session_factory(url)`;
views use `db.session`, one session per application context, closed on teardown.
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


class Database:
    """The Flask binding: one engine per app, one session per app context."""

    extension_key = "configurator.db"

    def init_app(self, app: Any) -> None:
        """Create the app's engine from DATABASE_URL and close sessions on teardown."""
        engine = app.config.get("DATABASE_ENGINE") or make_engine(app.config["DATABASE_URL"])
        app.extensions[self.extension_key] = session_factory(engine)
        app.teardown_appcontext(self._close)

    @property
    def session(self) -> Session:
        """The session of the current application context."""
        from flask import current_app, g

        if "db_session" not in g:
            g.db_session = current_app.extensions[self.extension_key]()
        return g.db_session

    def engine_for(self, app: Any) -> sa.Engine:
        """The engine bound to `app`."""
        return app.extensions[self.extension_key].kw["bind"]

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        from flask import g

        session = g.pop("db_session", None)
        if session is not None:
            session.close()  # rolls back anything a failed request left open


db = Database()
