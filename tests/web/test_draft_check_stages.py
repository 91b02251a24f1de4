"""The editor's live check in stages, across web processes: two apps on one database
share the folder of answers (as gunicorn's processes do), so a poll that reaches the
app that did not run the check still gets its answer, the findings while it counts,
then the count."""

from __future__ import annotations

import dataclasses

import pytest

from configurator.config import TestConfig
from configurator.services.workbench import background_check, drafts
from configurator.web import create_app
from tests.conftest import CSRFClient
from tests.services.workbench_factories import BIKE_TEXT

DRAFT_URL = "/staff/catalogs/test-bike/draft"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def other_app(app, people):
    """A second web app on the same database and the same folder of answers: another gunicorn process."""
    shared = app.extensions["draft_checks"].answers.directory
    other = create_app(TestConfig, {"DATABASE_URL": app.config["DATABASE_URL"], "DRAFT_CHECK_DIR": str(shared)})
    other.test_client_class = CSRFClient
    return other


@pytest.fixture
def other_client(other_app):
    client = other_app.test_client()
    assert client.post("/auth/signin", data={"email": "catalogs@shop.example",
                                              "password": "password123"}).status_code in (302, 303)
    return client


@pytest.fixture
def people(app):
    from configurator.web.database import db
    from tests.services.quote_factories import gen_staff

    with app.app_context():
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")


@pytest.fixture
def manager_client(client, auth, people):
    assert auth.signin("catalogs@shop.example").status_code in (302, 303)
    return client


def test_a_poll_served_by_another_process_finds_the_answer(app, manager_client, other_client):
    text = BIKE_TEXT.replace("price: 640.00", "price: 651.00")
    answer = manager_client.post(DRAFT_URL + "/check", data={"text": text}, headers=HTMX).get_data(as_text=True)
    assert 'id="draft-count"' in answer
    key = background_check.digest(text, "test-bike")
    elsewhere = other_client.get(f"{DRAFT_URL}/check/{key}", headers=HTMX).get_data(as_text=True)
    assert 'id="draft-count"' in elsewhere and "hx-post" not in elsewhere  # not "send the text again"
    assert elsewhere.count("valid configurations") == answer.count("valid configurations")


def test_while_another_process_counts_the_page_shows_the_findings_and_asks_for_the_count(app, other_client):
    """The first stage of a check is on disk and its process still counts: the findings now, "counting…"."""
    text = BIKE_TEXT.replace("  - id: courier-no-pallet", "  - id: no-steel\n    forbid: frame == steel\n"
                             "  - id: courier-no-pallet")
    key = background_check.digest(text, "test-bike")
    first, last = drafts.check_in_stages(text, "test-bike")
    answers = app.extensions["draft_checks"].answers
    answers.mark_running(key)
    answers.put(key, dataclasses.replace(first, catalog=None, key=key))
    fragment = other_client.get(f"{DRAFT_URL}/check/{key}", headers=HTMX).get_data(as_text=True)
    assert 'id="draft-counting"' in fragment and "steel" in fragment and 'id="draft-count"' not in fragment
    assert f'hx-get="/staff/catalogs/test-bike/draft/check/{key}?counting=1"' in fragment
    # Asked for the count, the other process waits for it; the count arrives.
    answers.put(key, dataclasses.replace(last, catalog=None, key=key))
    answers.unmark(key)
    counted = other_client.get(f"{DRAFT_URL}/check/{key}?counting=1", headers=HTMX).get_data(as_text=True)
    assert 'id="draft-count"' in counted and "Counting" not in counted and "steel" in counted
    assert "hx-get" not in counted


def test_a_check_nobody_runs_any_more_makes_the_editor_send_its_text(app, other_client):
    """Its process stopped it (a newer text) or died: no "running" mark, only the findings on disk."""
    text = BIKE_TEXT.replace("price: 640.00", "price: 652.00")
    key = background_check.digest(text, "test-bike")
    first = next(drafts.check_in_stages(text, "test-bike"))
    app.extensions["draft_checks"].answers.put(key, dataclasses.replace(first, catalog=None))
    fragment = other_client.get(f"{DRAFT_URL}/check/{key}?counting=1", headers=HTMX).get_data(as_text=True)
    assert 'hx-post="/staff/catalogs/test-bike/draft/check"' in fragment
