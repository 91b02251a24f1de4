"""The web app's database binding: one engine per app, one session per
application context (a request), closed, and so rolled back if a use case
left anything open, when the context ends.

Views use `db.session` and pass it to the services; the services own the
transactions (`services/unit_of_work.py`), views never commit or roll back.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from configurator.store import make_engine, session_factory


class Database:
    """The Flask binding: one engine per app, one session per app context."""

    extension_key = "configurator.db"

    def init_app(self, app: Flask) -> None:
        """Create the app's engine from DATABASE_URL and close sessions on teardown."""
        engine = app.config.get("DATABASE_ENGINE") or make_engine(app.config["DATABASE_URL"])
        app.extensions[self.extension_key] = session_factory(engine)
        app.teardown_appcontext(self._close)

    @property
    def session(self) -> Session:
        """The session of the current application context."""
        if "db_session" not in g:
            g.db_session = current_app.extensions[self.extension_key]()
        return g.db_session

    def engine_for(self, app: Flask) -> sa.Engine:
        """The engine bound to `app`."""
        return app.extensions[self.extension_key].kw["bind"]

    def discard(self) -> None:
        """Close this context's session after a failure, so the next use gets a fresh one.

        A session whose flush failed refuses every statement until it is reset;
        the error page still needs the database (who is signed in).
        """
        self._close(None)

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()  # rolls back anything a failed request left open


db = Database()
