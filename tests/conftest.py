"""Fixtures for the whole suite: a fresh database per test (SQLite; also
PostgreSQL for the store and service tests when TEST_DATABASE_URL is set),
the app, a client that sends the CSRF token like a browser, and sign-in."""

from __future__ import annotations

import functools
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

DATA = Path(__file__).parent / "data"
PG_URL = os.environ.get("TEST_DATABASE_URL")
# Store and service tests run on every configured database; the rest on SQLite.
MULTI_BACKEND_DIRS = ("store", "services", "security")

# Property tests judge answers, not speed: on a busy 2-core CI machine example
# generation can take over a second, which must not fail the suite.
settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


def _reuse_url_builders() -> None:
    """Each test app compiles its 183 URL rules again, and werkzeug compiles two
    Python functions per rule to build URLs: about 2 s of every test that makes
    an app (most of the suite's time). The functions depend only on the rule's
    text and parts, so apps of one test process share them. A rule whose
    default fills one of its own parts is compiled as usual (its function holds
    the converted value)."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict = {}

    def shared_builder(rule: Rule, append_unknown: bool = True):
        defaults = rule.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in rule._trace):
            return compile_builder(rule, append_unknown)
        key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    Rule._compile_builder = shared_builder


_reuse_url_builders()


def _share_compiled_templates() -> None:
    """Each test app has its own Jinja environment, which compiles every template
    it renders again: a fifth of a web test's time (cProfile over test_staff_desk
    and test_quotes). Test apps are all made by create_app with the same
    extensions and settings, so they share one in-memory bytecode cache; Jinja
    checks each template's source checksum before it reuses its code."""
    from flask import Flask
    from jinja2 import BytecodeCache

    class MemoryBytecodeCache(BytecodeCache):
        def __init__(self):
            self.codes: dict[str, bytes] = {}

        def load_bytecode(self, bucket) -> None:
            code = self.codes.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket) -> None:
            self.codes[bucket.key] = bucket.bytecode_to_string()

    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": MemoryBytecodeCache()}


_share_compiled_templates()


def pytest_generate_tests(metafunc):
    """Parametrize `backend` over SQLite and, when configured, PostgreSQL."""
    if "backend" not in metafunc.fixturenames:
        return
    parts = Path(str(metafunc.definition.path)).parts
    backends = ["sqlite"]
    if PG_URL and any(part in MULTI_BACKEND_DIRS for part in parts):
        backends.append("postgresql")
    if metafunc.definition.get_closest_marker("postgresql_only"):
        # Without a server such a test is reported once as skipped, with the reason.
        backends = ["postgresql"] if PG_URL else [
            pytest.param("postgresql", marks=pytest.mark.skip(reason="needs TEST_DATABASE_URL"))
        ]
    metafunc.parametrize("backend", backends)


@pytest.fixture
def database_url(backend, tmp_path):
    """A migrated database nobody else uses: a copy of this process's migrated
    SQLite file, or a PostgreSQL database cloned from its migrated template."""
    with migrated_database_url(backend, tmp_path) as url:
        yield url


@contextmanager
def migrated_database_url(backend: str, directory: Path):
    """The URL of a database at the newest migration, made by copying one migrated
    once per test process: running the 26 migrations took 0.25 s on SQLite and
    0.6 s on PostgreSQL per test, a copy takes milliseconds (SQLite) or 0.1 s."""
    if backend == "sqlite":
        target = directory / "test.db"
        shutil.copyfile(_TEMPLATES.sqlite(), target)
        yield f"sqlite:///{target}"
        return
    import sqlalchemy as sa

    name = f"cfgtest_{os.getpid()}_{uuid.uuid4().hex[:12]}"
    admin = _TEMPLATES.postgresql_admin()
    with admin.connect() as connection:
        # WAL_LOG (PostgreSQL 15's default) copies a small database in ~0.1 s; FILE_COPY forces checkpoints.
        connection.execute(sa.text(
            f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATES.postgresql()}" STRATEGY WAL_LOG'))
    try:
        yield _TEMPLATES.url_of(name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class _MigratedTemplates:
    """One migrated database per test process and backend, made at first use, dropped at exit."""

    def __init__(self):
        self._sqlite: Path | None = None
        self._postgresql: str | None = None
        self._admin = None

    def sqlite(self) -> Path:
        if self._sqlite is None:
            import tempfile

            from configurator.store import make_engine
            from configurator.store.migrate import upgrade

            _remove_orphans(Path(tempfile.gettempdir()).glob("cfgtest-template-*"), _drop_folder)
            folder = Path(tempfile.mkdtemp(prefix=f"cfgtest-template-{os.getpid()}-"))
            engine = make_engine(f"sqlite:///{folder / 'template.db'}")
            upgrade(engine)
            engine.dispose()
            self._sqlite = folder / "template.db"
        return self._sqlite

    def postgresql_admin(self):
        if self._admin is None:
            import sqlalchemy as sa

            from configurator.config import normalize_database_url

            self._admin = sa.create_engine(normalize_database_url(PG_URL), isolation_level="AUTOCOMMIT")
        return self._admin

    def url_of(self, database: str) -> str:
        import sqlalchemy as sa

        from configurator.config import normalize_database_url

        url = sa.make_url(normalize_database_url(PG_URL)).set(database=database)
        return url.render_as_string(hide_password=False)

    def postgresql(self) -> str:
        if self._postgresql is None:
            import sqlalchemy as sa

            from configurator.store import make_engine
            from configurator.store.migrate import upgrade

            name = f"cfgtest_template_{os.getpid()}_{uuid.uuid4().hex[:12]}"
            with self.postgresql_admin().connect() as connection:
                databases = connection.execute(sa.text(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'cfgtest%'")).scalars().all()
                _remove_orphans(databases, functools.partial(_drop_database, connection))
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
            engine = make_engine(self.url_of(name))
            upgrade(engine)
            engine.dispose()  # a template may have no open connection while it is copied
            self._postgresql = name
        return self._postgresql

    def drop(self) -> None:
        if self._sqlite is not None:
            shutil.rmtree(self._sqlite.parent, ignore_errors=True)
        if self._postgresql is not None:
            import sqlalchemy as sa

            with self.postgresql_admin().connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._postgresql}" WITH (FORCE)'))
        if self._admin is not None:
            self._admin.dispose()


_TEMPLATES = _MigratedTemplates()


def _remove_orphans(names, remove) -> None:
    """Removes the test databases of test processes that no longer run (killed
    before their session ended): their names carry the process id."""
    for name in names:
        parts = re.split(r"[-_]", Path(str(name)).name)
        pid = next((int(part) for part in parts if part.isdigit()), None)
        if pid is not None and pid != os.getpid() and not _running(pid):
            remove(name)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _drop_database(connection, name: str) -> None:
    import sqlalchemy as sa

    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pytest_sessionfinish(session, exitstatus):
    _TEMPLATES.drop()


@contextmanager
def fresh_database_url(backend: str, directory: Path):
    """The URL of an empty database: a SQLite file in `directory`, or a new
    PostgreSQL schema dropped afterwards (for fixtures of any scope)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'test.db'}"
        return
    import sqlalchemy as sa

    from configurator.config import normalize_database_url

    base = normalize_database_url(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_engine(database_url):
    """An engine on a migrated, empty database."""
    from configurator.store import make_engine

    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(db_engine):
    """A plain SQLAlchemy session, as services and the CLI use it."""
    from configurator.store import session_factory

    with session_factory(db_engine)() as session:
        yield session


@pytest.fixture
def second_session(db_engine):
    """Opens another session on the test database (`with second_session() as other:`),
    as the next request would: it sees only what a use case committed."""
    from configurator.store import session_factory

    return session_factory(db_engine)


@pytest.fixture
def bike(session):
    """The test bike catalog, loaded as version 1."""
    from configurator.services import catalogs

    return catalogs.load_file(session, DATA / "bike.yaml").version


@pytest.fixture(autouse=True)
def _untrained_recommenders():
    """Each test's database starts without history, so no recommender trained on
    an earlier test's orders (the process keeps them per catalog fingerprint) may
    suggest options in it."""
    from configurator.services.customer_value.personalize import forget_trained

    forget_trained()
    yield
    forget_trained()


@pytest.fixture(autouse=True)
def _draft_check_folder(monkeypatch, tmp_path_factory):
    """Each test's apps keep their draft checks' answers in a folder of the test's own, removed after it.

    Without it every test app made a `draft-checks-<uuid>` folder in the system's
    temporary directory and left it there. Two apps of one test share the folder,
    as two web processes of one server do.
    """
    from configurator.config import TestConfig

    folder = tmp_path_factory.getbasetemp() / f"draft-checks-{uuid.uuid4().hex}"
    monkeypatch.setattr(TestConfig, "DRAFT_CHECK_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def app(tmp_path):
    """The shop on its own SQLite database with the test bike loaded."""
    from configurator.config import TestConfig
    from configurator.services import catalogs
    from configurator.store import make_engine
    from configurator.web import create_app
    from configurator.web.database import db

    target = tmp_path / "app.db"
    shutil.copyfile(_TEMPLATES.sqlite(), target)
    url = f"sqlite:///{target}"
    engine = make_engine(url)
    app = create_app(TestConfig, {"DATABASE_URL": url, "DATABASE_ENGINE": engine})
    app.test_client_class = CSRFClient
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike.yaml")
    yield app
    engine.dispose()


@pytest.fixture
def client(app):
    """A test client that sends the CSRF token with every POST, as the pages do."""
    return app.test_client()


@pytest.fixture
def raw_client(app):
    """A client that sends no CSRF token (for the CSRF tests)."""
    app.test_client_class = FlaskClient
    return app.test_client()


@pytest.fixture
def runner(app):
    """Flask's CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def in_app(app):
    """An application context, with `db.session` usable inside the test."""
    with app.app_context():
        yield


@pytest.fixture
def auth(client, app):
    """Sign up / sign in / sign out through the real pages."""
    return AuthActions(client, app)


class CSRFClient(FlaskClient):
    """Adds the session's CSRF token as the X-CSRFToken header, like htmx does."""

    def open(self, *args, **kwargs):
        method = kwargs.get("method") or (
            args[0].method if args and hasattr(args[0], "method") else "GET"
        )
        if method.upper() == "POST":
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """The signed token Flask-WTF expects for this session, made as generate_csrf does."""
        import hashlib

        from itsdangerous import URLSafeTimedSerializer

        with self.session_transaction() as session:
            if "csrf_token" not in session:
                session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
            raw = session["csrf_token"]
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)


class AuthActions:
    """flaskr's helper: sign in and out as a given customer."""

    def __init__(self, client, app):
        self.client = client
        self.app = app

    def signup(self, email="new@example.com", password="password123", name="New Customer", **extra):
        """Sign up through the page, then sign in (an account is usable before its
        address is confirmed); returns the sign-up's answer."""
        data = {
            "email": email,
            "password": password,
            "confirm": password,
            "name": name,
            "segment": "consumer",
            "country": "de",
        }
        data.update(extra)
        response = self.client.post("/auth/signup", data=data)
        if response.status_code == 302:
            self.signin(email, password)
        return response

    def signin(self, email="anna@example.com", password="password123"):
        return self.client.post("/auth/signin", data={"email": email, "password": password})

    def signout(self):
        return self.client.post("/auth/signout")


@pytest.fixture(scope="session")
def redis_server():
    """A Redis server for the test session (the machine's, or one started here)."""
    from tests.mail_server import RedisServer

    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def job_queue(redis_server):
    """A job queue of its own on that Redis, set as the app's queue; emptied afterwards."""
    from configurator.services import jobs

    queue = jobs.configure(redis_server.url(), name=f"test-{uuid.uuid4().hex[:10]}")
    yield queue
    queue.queue.delete(delete_jobs=True)
    jobs.configure(None)


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free port; `.mailbox.received` holds what it accepted."""
    from tests.mail_server import SmtpServer

    with SmtpServer() as server:
        yield server

