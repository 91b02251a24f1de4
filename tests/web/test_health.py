"""GET /health, and the production entry point's refusal to start unsafely."""

from __future__ import annotations

import os
import subprocess
import sys

from configurator.config import REPO_ROOT, TestConfig
from configurator.web import create_app


def test_health_says_ok_when_the_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_says_unavailable_when_the_database_does_not_answer(tmp_path):
    # A SQLite file in a folder that does not exist cannot be opened.
    url = f"sqlite:///{tmp_path / 'missing' / 'app.db'}"
    app = create_app(TestConfig, {"DATABASE_URL": url})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def run_wsgi(script: str = "import configurator.web.wsgi", **env) -> subprocess.CompletedProcess:
    """Import the production module in a fresh interpreter, as gunicorn would."""
    hidden = ("SECRET_KEY", "SESSION_COOKIE_SECURE")
    environment = {k: v for k, v in os.environ.items() if k not in hidden}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_wsgi(DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")
    assert result.returncode == 4  # gunicorn: "App failed to load", no restart loop
    assert result.stderr.strip().splitlines() == [
        (
            "configurator: set SECRET_KEY (at least 16 characters, the same on every worker "
            "and host) to run in production"
        )
    ]


def test_production_starts_with_secure_cookies_when_configured(tmp_path):
    script = (
        "import configurator.web.wsgi as w; c = w.app.config;"
        "print(c['SESSION_COOKIE_SECURE'], c['DATABASE_URL'], c['SECRET_KEY'] == 'k' * 32)"
    )
    result = run_wsgi(script, SECRET_KEY="k" * 32, DATABASE_URL="postgres://db.example/shop")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "postgresql+psycopg://db.example/shop", "True"]


def test_health_says_unavailable_on_a_read_only_database(app, tmp_path):
    path = tmp_path / "app.db"
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    app = create_app(TestConfig, {"DATABASE_URL": read_only})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "database does not take writes"


def test_health_says_unavailable_before_the_last_migration(tmp_path):
    from configurator.store import make_engine
    from configurator.store.migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine)
    downgrade(engine, "-1")
    app = create_app(TestConfig, {"DATABASE_URL": url, "DATABASE_ENGINE": engine})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "database schema not at the expected migration"
    upgrade(engine)
    assert app.test_client().get("/health").status_code == 200
    engine.dispose()


def test_the_write_check_changes_nothing(client, app):
    import sqlalchemy as sa

    from configurator.web.database import db

    assert client.get("/health").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM alembic_version")) == 1
