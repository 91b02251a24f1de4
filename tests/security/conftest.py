"""Security fixtures: the shop on every configured database (SQLite and, with
TEST_DATABASE_URL, PostgreSQL), since hostile input fails differently on each."""

from __future__ import annotations

import pytest

from tests.conftest import DATA, CSRFClient


@pytest.fixture
def app(db_engine, database_url):
    """The shop on a migrated database of `backend` with the test bike loaded."""
    from configurator.config import TestConfig
    from configurator.services import catalogs
    from configurator.web import create_app
    from configurator.web.database import db

    app = create_app(TestConfig, {"DATABASE_URL": database_url, "DATABASE_ENGINE": db_engine})
    app.test_client_class = CSRFClient
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike.yaml")
    return app
