"""Two app processes, one database: the app keeps no state of its own.

Two real gunicorn servers (the production entry point) on loopback ports
share one database (a fresh PostgreSQL schema when TEST_DATABASE_URL is set,
else a SQLite file). A customer signs in on A; the same session cookie works on
B (sessions are signed cookies, data is in the database). Saves of the same
configuration from both interleave: a save based on a stale revision gets 409
and changes nothing; no accepted save is lost.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from configurator.config import REPO_ROOT, normalize_database_url
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, STEEL_BIKE

pytestmark = pytest.mark.slow

GUNICORN = Path(sys.executable).with_name("gunicorn")
PG_URL = os.environ.get("TEST_DATABASE_URL")
SECRET_KEY = "two-processes-share-this-secret-key"
CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def shared_database(tmp_path):
    """A migrated database with the test bike, Anna and her configuration."""
    if PG_URL:
        base = normalize_database_url(PG_URL)
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(base)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    from configurator.services import catalogs
    from configurator.store import make_engine, session_factory
    from configurator.store.migrate import upgrade
    from tests.conftest import DATA
    from tests.helpers import gen_configuration, gen_user

    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        catalogs.load_file(session, DATA / "bike.yaml")
        anna = gen_user(session, "anna@example.com", name="Anna")
        configuration = gen_configuration(session, anna, COMPLETE_BIKE, name="Anna's bike")
    yield {"url": url, "engine": engine, "configuration": configuration.id}
    engine.dispose()
    if PG_URL:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, log: Path):
    """`gunicorn configurator.web.wsgi:app` on a free loopback port; yields its base URL."""
    port = free_port()
    environment = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        SESSION_COOKIE_SECURE="0",  # plain HTTP on loopback
    )
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(GUNICORN), "--workers", "1", "--threads", "2", "--bind", f"127.0.0.1:{port}"]
            + ["configurator.web.wsgi:app"],
            cwd=REPO_ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def wait_until_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if requests.get(f"{base}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or the worker still booting
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy:\n{log.read_text()}")


def form(selection: dict[str, str], base_revision: int, token: str) -> dict[str, str]:
    fields = {f"f.{feature}": option for feature, option in selection.items()}
    return dict(fields, base_revision=str(base_revision), csrf_token=token)


def page_token(response: requests.Response) -> str:
    return CSRF_FIELD.search(response.text).group(1)


def revisions(engine: sa.Engine, configuration_id: int) -> list[tuple[int, dict]]:
    from configurator.store import session_factory
    from configurator.store.models import Revision

    with session_factory(engine)() as session:
        rows = session.scalars(
            sa.select(Revision)
            .where(Revision.configuration_id == configuration_id)
            .order_by(Revision.number)
        )
        return [(row.number, dict(row.selection)) for row in rows]


def test_two_processes_share_sessions_and_detect_stale_saves(shared_database, tmp_path):
    configuration = shared_database["configuration"]
    page = f"/account/configurations/{configuration}"
    with (
        gunicorn(shared_database["url"], tmp_path / "a.log") as a,
        gunicorn(shared_database["url"], tmp_path / "b.log") as b,
    ):
        browser = requests.Session()
        token = page_token(browser.get(f"{a}/auth/signin"))
        signed_in = browser.post(
            f"{a}/auth/signin",
            data={"email": "anna@example.com", "password": "password123", "csrf_token": token},
            allow_redirects=False,
        )
        assert signed_in.status_code in (302, 303), signed_in.text[:500]

        # The same cookie on the other process: signed in there too.
        on_b = browser.get(f"{b}{page}")
        assert on_b.status_code == 200 and "Anna&#39;s bike" in on_b.text
        on_a = browser.get(f"{a}{page}")
        assert on_a.status_code == 200

        # Both tabs opened revision 1. A saves first; B's save from revision 1 is stale.
        saved = browser.post(
            f"{a}{page}/save", data=form(STEEL_BIKE, 1, page_token(on_a)), allow_redirects=False
        )
        assert saved.status_code == 303
        stale = browser.post(f"{b}{page}/save", data=form(CARBON_BIKE, 1, page_token(on_b)))
        assert stale.status_code == 409
        assert revisions(shared_database["engine"], configuration) == [
            (1, COMPLETE_BIKE),
            (2, STEEL_BIKE),
        ]

        # Interleaved saves, each from the revision its process just showed: none lost.
        expected = [(1, COMPLETE_BIKE), (2, STEEL_BIKE)]
        selections = [CARBON_BIKE, COMPLETE_BIKE, STEEL_BIKE]
        for step in range(6):
            server = (a, b)[step % 2]
            shown = browser.get(f"{server}{page}")
            base = int(re.search(r'name="base_revision" value="(\d+)"', shown.text).group(1))
            assert base == len(expected)
            selection = selections[step % 3]
            response = browser.post(
                f"{server}{page}/save",
                data=form(selection, base, page_token(shown)),
                allow_redirects=False,
            )
            assert response.status_code == 303, response.text[:500]
            expected.append((base + 1, selection))
        assert revisions(shared_database["engine"], configuration) == expected

        # Both processes show the same newest revision.
        for server in (a, b):
            shown = browser.get(f"{server}{page}").text
            assert f'name="base_revision" value="{len(expected)}"' in shown
