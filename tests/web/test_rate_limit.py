"""Sign-in attempts are limited per client address and per email address,
with a clear 429; counters live in memory, or in Redis when configured."""

from __future__ import annotations

import socket

import pytest

from configurator.config import TestConfig
from configurator.web import create_app
from configurator.web.extensions import limiter
from configurator.web.security import FREE_FAILURES, SIGN_IN_LIMIT, SIGN_UP_LIMIT
from tests.conftest import CSRFClient

ALLOWED = int(SIGN_IN_LIMIT.split()[0])
REDIS_URL = "redis://127.0.0.1:6379/15"


def limited_app(app_fixture, storage_uri: str = "memory://", reset: bool = True, **extra):
    """The test app's database with the limiter switched on."""
    app = create_app(
        TestConfig,
        {
            "DATABASE_URL": app_fixture.config["DATABASE_URL"],
            "DATABASE_ENGINE": app_fixture.config["DATABASE_ENGINE"],
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage_uri,
            **extra,
        },
    )
    app.test_client_class = CSRFClient
    if reset:
        limiter.reset()  # counters of earlier tests (or runs) must not count here
    return app


def sign_in(client, email: str, address: str = "10.0.0.1", password: str = "wrong-password"):
    return client.post(
        "/auth/signin",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_limit_is_off_in_ordinary_tests(client, anna):
    for _ in range(ALLOWED + 2):
        assert sign_in(client, "anna@example.com").status_code == 400


def test_too_many_attempts_from_one_address_get_a_429_page(app, anna):
    client = limited_app(app).test_client()
    statuses = [sign_in(client, f"guess{n}@example.com").status_code for n in range(ALLOWED)]
    assert statuses == [400] * ALLOWED  # wrong password, shown normally
    refused = sign_in(client, "anna@example.com", password="password123")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many attempts" in page and "wait a minute" in page
    assert "Retry-After" in refused.headers
    assert refused.headers["Content-Security-Policy"]
    # Another address is not affected.
    assert sign_in(client, "other@example.com", address="10.0.0.2").status_code == 400


def test_wrong_passwords_back_off_per_address_and_account_not_for_the_owner(app, anna):
    """Guesses at Anna's account from one address make that address wait, doubling
    each time; Anna, from her own address, is not locked out."""
    client = limited_app(app).test_client()
    for _ in range(FREE_FAILURES):
        assert sign_in(client, "Anna@Example.com ", address="10.0.1.1").status_code == 400
    waiting = sign_in(client, "anna@example.com", address="10.0.1.1", password="password123")
    assert waiting.status_code == 429
    assert "Retry-After" in waiting.headers
    assert "wrong passwords for this account from here. Please wait 1 second " in (
        waiting.get_data(as_text=True))
    owner = sign_in(client, "anna@example.com", address="10.0.9.9", password="password123")
    assert owner.status_code == 302


def test_the_wait_doubles_with_each_failure(app, anna):
    from configurator.web import security

    waits = []
    client = limited_app(app).test_client()
    for _ in range(FREE_FAILURES + 3):
        sign_in(client, "anna@example.com", address="10.0.1.2")
        with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.1.2"}):
            waits.append(security.sign_in_wait("anna@example.com"))
        limiter.storage.clear("signin-wait:10.0.1.2/anna@example.com")  # skip the wait
    assert waits == [0] * (FREE_FAILURES - 1) + [1, 2, 4, 8]


def test_a_right_password_clears_the_count(app, anna):
    client = limited_app(app).test_client()
    for _ in range(FREE_FAILURES - 1):
        sign_in(client, "anna@example.com", address="10.0.1.3")
    assert sign_in(client, "anna@example.com", address="10.0.1.3",
                   password="password123").status_code == 302
    client.post("/auth/signout", environ_base={"REMOTE_ADDR": "10.0.1.3"})
    for _ in range(FREE_FAILURES - 1):
        assert sign_in(client, "anna@example.com", address="10.0.1.3").status_code == 400


def test_sign_ups_are_limited_per_address(app):
    client = limited_app(app).test_client()
    allowed = int(SIGN_UP_LIMIT.split()[0])

    def sign_up(n):
        return client.post("/auth/signup", environ_base={"REMOTE_ADDR": "10.0.8.1"}, data={
            "email": f"new{n}@example.com", "password": "password123",
            "confirm": "password123", "name": "New", "country": "de"})

    assert [sign_up(n).status_code for n in range(allowed)] == [302] * allowed
    assert sign_up(allowed).status_code == 429


def test_an_unknown_email_costs_a_password_check_too(app, monkeypatch):
    from configurator.services import users
    from configurator.web.database import db

    checked = []
    monkeypatch.setattr(users, "check_no_password",
                        lambda password, method: checked.append((password, method)))
    with app.app_context():
        assert users.authenticate(db.session, "nobody@example.com", "guess",
                                  password_method="pbkdf2:sha256:1000") is None
    assert checked == [("guess", "pbkdf2:sha256:1000")]


def test_viewing_the_sign_in_page_is_not_limited(app):
    client = limited_app(app).test_client()
    for _ in range(ALLOWED + 5):
        assert (
            client.get("/auth/signin", environ_base={"REMOTE_ADDR": "10.0.3.1"}).status_code == 200
        )


def test_an_htmx_request_gets_the_message_in_the_message_area(app, anna):
    client = limited_app(app).test_client()
    for n in range(ALLOWED):
        sign_in(client, f"guess{n}@example.com", address="10.0.4.1")
    refused = client.post(
        "/auth/signin",
        data={"email": "x@example.com", "password": "x"},
        headers={"HX-Request": "true"},
        environ_base={"REMOTE_ADDR": "10.0.4.1"},
    )
    assert refused.status_code == 429
    assert refused.headers["HX-Retarget"] == "#messages"
    assert "<html" not in refused.get_data(as_text=True)


def test_a_json_client_gets_json(app, anna):
    client = limited_app(app).test_client()
    for n in range(ALLOWED):
        sign_in(client, f"guess{n}@example.com", address="10.0.5.1")
    refused = client.post(
        "/auth/signin",
        data={"email": "x@example.com", "password": "x"},
        headers={"Accept": "application/json"},
        environ_base={"REMOTE_ADDR": "10.0.5.1"},
    )
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too_many_requests"


def redis_answers() -> bool:
    try:
        import redis  # noqa: F401  (limits needs it for redis:// storage)
    except ImportError:
        return False
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379 or no redis client")
def test_counters_in_redis_outlive_the_process_that_counted(app, anna):
    """A new process (here: the limiter bound afresh) sees the counts kept in Redis."""
    first = limited_app(app, REDIS_URL).test_client()
    for n in range(ALLOWED):
        assert sign_in(first, f"guess{n}@example.com", address="10.0.6.1").status_code == 400
    import redis

    assert redis.Redis.from_url(REDIS_URL).keys("*10.0.6.1/auth.signin*")
    second = limited_app(app, REDIS_URL, reset=False).test_client()
    assert sign_in(second, "anna@example.com", address="10.0.6.1").status_code == 429
    limiter.reset()


def test_counters_in_memory_belong_to_one_process(app, anna):
    """Why several processes need Redis: memory counters start again in each."""
    first = limited_app(app).test_client()
    for n in range(ALLOWED):
        sign_in(first, f"guess{n}@example.com", address="10.0.7.1")
    assert sign_in(first, "anna@example.com", address="10.0.7.1").status_code == 429
    second = limited_app(app, reset=False).test_client()
    assert sign_in(second, "anna@example.com", address="10.0.7.1").status_code == 400
