"""The editor's live check in stages, across web processes: two apps on one database
share the folder of answers (as gunicorn's processes do), so a poll that reaches the
app that did not run the check still gets its answer, the findings while it counts,
then the count."""

from __future__ import annotations

import dataclasses
import time

import pytest

from configurator.config import TestConfig
from configurator.services.workbench import background_check, drafts
from configurator.web import create_app
from tests.conftest import CSRFClient
from tests.services.held_checks import alive, slow_check
from tests.services.workbench_factories import BIKE_TEXT

DRAFT_URL = "/staff/catalogs/test-bike/draft"
HTMX = {"HX-Request": "true"}
WAIT = 60  # the first check starts the worker processes: seconds on a loaded machine


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


def test_a_test_apps_answers_stay_in_a_folder_of_the_test(app, other_app, tmp_path_factory):
    """Not a `draft-checks-<uuid>` folder left in the system's temporary directory by each test app."""
    directory = app.extensions["draft_checks"].answers.directory
    assert directory.is_relative_to(tmp_path_factory.getbasetemp())
    assert other_app.extensions["draft_checks"].answers.directory == directory


def test_a_newer_text_posted_to_another_process_stops_the_older_texts_check_there(
        app, other_app, manager_client, other_client, tmp_path):
    """Two web processes: the older text's check runs in the first (held in its worker); the newer text,
    posted to the second, stops it there: that worker process ends and nobody checks the older text."""
    go = tmp_path / "go"
    for each in (app, other_app):
        each.extensions["draft_checks"] = background_check.DraftChecks(
            each.extensions["draft_checks"].answers, background_check.pool, slow_check, str(go), WAIT)
        each.config["DRAFT_CHECK_WAIT"] = 0.2
    background_check.pool().run(int).result(timeout=WAIT)  # the workers are up
    older, newer = (BIKE_TEXT.replace("price: 640.00", f"price: {price}") for price in ("653.00", "654.00"))
    older_key, newer_key = (background_check.digest(text, "test-bike") for text in (older, newer))
    try:
        assert "Checking" in manager_client.post(DRAFT_URL + "/check", data={"text": older},
                                                 headers=HTMX).get_data(as_text=True)
        answers = app.extensions["draft_checks"].answers
        assert answers.running(older_key)
        workers = set(background_check.pool().pids())
        other_client.post(DRAFT_URL + "/check", data={"text": newer}, headers=HTMX)
        deadline = time.monotonic() + WAIT
        while all(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum(not alive(pid) for pid in workers) == 1  # the older text's worker, in the first process
        # The first process's pool learns of its worker's end on its own thread: give it the time a
        # loaded machine takes, then nobody may be checking the older text.
        checks = app.extensions["draft_checks"]
        deadline = time.monotonic() + WAIT
        while checks.ready(older_key) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not answers.running(older_key) and checks.ready(older_key) is None
    finally:
        go.touch()
    assert other_app.extensions["draft_checks"].ready(newer_key, WAIT, shown_counting=True).releasable
