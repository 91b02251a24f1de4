"""Drafts larger than the app's general body limits: a catalog manager may send
one (Renault big is 6.9 MB), anyone else still meets the general limit (4 MiB a
body, 500 kB a multipart form's text field), and so does the catalog manager on other pages."""

from __future__ import annotations

from io import BytesIO

import pytest

from configurator.services.workbench import drafts
from configurator.web.database import db
from tests.services.quote_factories import gen_staff
from tests.services.workbench_factories import gen_large_draft

DRAFT_URL = "/staff/catalogs/test-bike/draft"
LARGE = gen_large_draft(5 * 1024 * 1024)  # over the general 4 MiB before it is even encoded


@pytest.fixture
def people(app):
    with app.app_context():
        gen_staff(db.session, "staff", "staff@shop.example")
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")
        gen_staff(db.session, "admin", "admin@shop.example")


def stored(app) -> str | None:
    with app.app_context():
        draft = drafts.find(db.session, "test-bike")
        return draft.source_text if draft else None


@pytest.mark.parametrize("email", ["catalogs@shop.example", "admin@shop.example"])
def test_a_catalog_editor_saves_a_draft_over_the_general_limit(app, client, auth, people, email):
    auth.signin(email)
    assert len(LARGE.encode()) > app.config["MAX_CONTENT_LENGTH"]
    assert client.post(DRAFT_URL, data={"text": LARGE}).status_code == 303
    assert stored(app) == LARGE


def test_a_large_draft_is_checked_live(app, client, auth, people):
    auth.signin("catalogs@shop.example")
    fragment = client.post(DRAFT_URL + "/check", data={"text": LARGE}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="draft-usable"' in fragment.get_data(as_text=True)


def test_a_large_draft_is_uploaded(app, client, auth, people):
    auth.signin("catalogs@shop.example")
    response = client.post(DRAFT_URL, data={"catalog_file": (BytesIO(LARGE.encode()), "bike.yaml")},
                           content_type="multipart/form-data")
    assert response.status_code == 303 and stored(app) == LARGE


def test_a_catalog_manager_meets_the_general_limit_on_other_routes(app, client, auth, people):
    auth.signin("catalogs@shop.example")
    edit = {"target": "feature", "field": "name", "feature": "frame", "value": LARGE}
    assert client.post(DRAFT_URL + "/form", data=edit).status_code == 413
    assert client.post("/staff/catalogs/test-bike/draft/form/rule", data={"value": LARGE}).status_code == 413
    assert stored(app) is None


def test_others_meet_the_general_limit_and_nothing_changes(app, client, auth, people):
    auth.signin("staff@shop.example")
    assert client.post(DRAFT_URL, data={"text": LARGE}).status_code == 413  # before the 403 of a reader
    assert client.post(DRAFT_URL + "/check", data={"text": LARGE}).status_code == 413
    assert stored(app) is None


def test_a_signed_out_visitor_meets_the_general_limit(app, client, people):
    assert client.post(DRAFT_URL, data={"text": LARGE}).status_code == 413
