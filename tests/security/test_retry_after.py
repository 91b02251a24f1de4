"""Retry-After says the wait that really applies (issue 13, brief item 4): the
per-account back-off's own seconds on its 429 (Flask-Limiter's per-address
window used to overwrite it with 60), and no Retry-After on answers that are
not refusals."""

from __future__ import annotations

import re

import pytest

from configurator.web import security
from configurator.web.database import db
from tests.helpers import gen_user
from tests.web.test_rate_limit import ALLOWED, limited_app, sign_in


@pytest.fixture
def anna(app):
    with app.app_context():
        gen_user(db.session, "anna@example.com", name="Anna")


def told_to_wait(response) -> int:
    return int(re.search(r"Please wait (\d+) second", response.get_data(as_text=True)).group(1))


def test_the_back_off_429_says_its_own_wait(app, anna):
    limited = limited_app(app)
    client = limited.test_client()
    for _ in range(security.FREE_FAILURES):
        assert sign_in(client, "anna@example.com", address="10.0.4.1").status_code == 400
    first = sign_in(client, "anna@example.com", address="10.0.4.1")
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "1" == str(told_to_wait(first))

    # Three failures more: the wait doubled three times, to 8 seconds.
    with limited.test_request_context(environ_base={"REMOTE_ADDR": "10.0.4.1"}):
        for _ in range(3):
            security.record_failed_sign_in("anna@example.com")
    later = sign_in(client, "anna@example.com", address="10.0.4.1", password="password123")
    assert later.status_code == 429
    seconds = int(later.headers["Retry-After"])
    assert 4 < seconds <= 8 and seconds == told_to_wait(later)


def test_only_refusals_carry_retry_after(app, anna):
    client = limited_app(app).test_client()
    wrong = sign_in(client, "anna@example.com", address="10.0.4.2")
    assert wrong.status_code == 400 and "Retry-After" not in wrong.headers
    for n in range(ALLOWED):
        sign_in(client, f"someone{n}@example.com", address="10.0.4.3")
    refused = sign_in(client, "anna@example.com", address="10.0.4.3")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
