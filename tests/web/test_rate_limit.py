"""Sign-in attempts are limited per client address and per email address,
with a clear 429; counters live in memory, or in Redis when configured."""

from __future__ import annotations

import socket

import pytest

from configurator.config import TestConfig
from configurator.web import create_app
from configurator.web.extensions import limiter
from configurator.web.security import SIGN_IN_LIMIT
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


def test_too_many_attempts_on_one_email_from_many_addresses_are_refused(app, anna):
    client = limited_app(app).test_client()
    for n in range(ALLOWED):
        assert sign_in(client, "Anna@Example.com ", address=f"10.0.1.{n}").status_code == 400
    assert sign_in(client, "anna@example.com", address="10.0.2.1").status_code == 429
    assert sign_in(client, "mallory@example.com", address="10.0.2.1").status_code == 400


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
