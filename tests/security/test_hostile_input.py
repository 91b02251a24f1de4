"""Hostile text in every kind of input (issue 13, findings 3, 4, 7, 8, 9, 13):
control characters, crafted cursors, deep JSON, LIKE wildcards, and the 500
page after a database error. Run on SQLite and PostgreSQL: NUL is a database
error only on PostgreSQL."""

from __future__ import annotations

import base64
import json
from io import BytesIO

import pytest
from flask.testing import FlaskClient

from configurator.services import api_tokens, catalogs, quotes
from configurator.web.database import db
from tests.conftest import DATA
from tests.helpers import gen_order, gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_staff

NUL_PATHS = ["/shop/a%00b", "/shop/test-bike%1b", "/account/orders/A%00-1", "/staff/quotes/1%00"]


@pytest.fixture
def people(app):
    """Anna (customer with an order and a token), a seller, an admin and ACME's buyer."""
    with app.app_context():
        anna = gen_user(db.session, "anna@example.com", name="Anna")
        gen_order(db.session, anna)
        token = api_tokens.create(db.session, anna, "t", list(api_tokens.allowed_scopes(anna)))[1]
        seller = gen_staff(db.session, "staff", "staff@shop.example")
        gen_staff(db.session, "admin", "admin@shop.example")
        acme, _ = gen_account(db.session, "ACME 100% GmbH", contact_email="buyer@acme.example")
        gen_account(db.session, "Other GmbH", contact_email="buyer@other.example")
        sent = quotes.drafts.create(db.session, seller, acme.id)
        quotes.lines.add_line(db.session, seller, sent.id, "test-bike", BIKE, 1)
        quotes.sending.send(db.session, seller, sent.id)
        return {"token": token, "sent": sent.id}


def sign_in(client, email):
    client.post("/auth/signout")
    assert client.post("/auth/signin", data={"email": email, "password": "password123"}
                       ).status_code == 302


def api_client(app):
    return FlaskClient(app, app.response_class, use_cookies=False)


def crafted(parts) -> str:
    """A cursor as ours are made (base64 of a JSON list), with chosen parts."""
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


# ------------------------------------------------------------ control characters


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_control_character_in_the_path_is_a_404(client, people, path):
    sign_in(client, "staff@shop.example")
    assert client.get(path).status_code == 404


def test_a_nul_in_the_sign_in_email_is_a_400_naming_the_field(client, people):
    response = client.post("/auth/signin", data={"email": "anna@exa\x00mple.com", "password": "x"})
    assert response.status_code == 400
    assert "“email” contains a control character" in response.get_data(as_text=True)


def test_a_nul_in_the_sign_up_name_is_refused_and_makes_no_account(client, app):
    response = client.post("/auth/signup", data={
        "email": "new@example.com", "password": "password123", "confirm": "password123",
        "name": "New\x00", "segment": "consumer", "country": "de"})
    assert response.status_code == 400
    assert client.post("/auth/signin", data={"email": "new@example.com",
                                             "password": "password123"}).status_code == 400


def test_control_characters_in_staff_search_and_a_decline_reason_are_400(client, people):
    sign_in(client, "staff@shop.example")
    assert client.get("/staff/quotes?q=a%00b").status_code == 400
    assert client.get("/staff/quotes?q=%1b%5b31m").status_code == 400
    sign_in(client, "buyer@acme.example")
    response = client.post(f"/account/quotes/{people['sent']}/decline",
                           data={"reason": "too\x00expensive"})
    assert response.status_code == 400


def test_tabs_and_line_breaks_stay_allowed_in_text(client, people):
    sign_in(client, "staff@shop.example")
    assert client.get("/staff/quotes?q=a%09b%0D%0A").status_code == 200


def test_a_nul_anywhere_in_an_api_body_is_a_422_naming_where_and_in_a_query_a_400(app, people):
    api = api_client(app)
    headers = {"Authorization": f"Bearer {people['token']}"}
    body = {"catalog_id": "test-bike", "name": "x", "selection": dict(BIKE, frame="alu\x00")}
    response = api.post("/api/configurations", json=body, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "selection.frame" in response.get_json()["errors"]
    body = {"catalog_id": "test-bike", "name": "x", "selection": {"frame\x00": "alu"}}
    assert api.post("/api/configurations", json=body, headers=headers).status_code == 422
    body = {"catalog_id": "test-bike", "name": "x", "selection": {"frame": ["alu\x00"]}}
    assert api.post("/api/configurations", json=body, headers=headers).status_code == 422
    assert api.get("/api/orders?cursor=a%00", headers=headers).status_code == 400


# ------------------------------------------------------------ catalog upload


def test_a_catalog_with_an_escaped_nul_is_refused_with_the_location(client, people, app):
    sign_in(client, "admin@shop.example")
    text = (DATA / "bike.yaml").read_text().replace("version: 1", "version: 2")
    text = text.replace("name: Rim brakes", 'name: "Rim\\x00\\x1bbrakes"')
    response = client.post("/staff/catalogs", data={"catalog_file": (BytesIO(text.encode()),
                                                                     "bike.yaml")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "features[1].options[0].name" in page and "U+0000" in page
    with app.app_context():
        assert catalogs.current(db.session, "test-bike").number == 1


def test_the_loader_refuses_control_characters_in_keys_and_json_escapes():
    import yaml

    from configurator.engine.loader import CatalogError, parse_model

    document = yaml.safe_load((DATA / "bike.yaml").read_text())
    document["description"] = "A small\u0007 bike"
    document["features"][0]["options"][0]["attributes"] = {"wei\x01ght": 3}
    with pytest.raises(CatalogError) as refused:
        parse_model(json.dumps(document), "bike.json")
    problems = str(refused.value)
    assert "bike.json: description: " in problems and "U+0007 at position 8" in problems
    assert "U+0001" in problems and "features[0].options[0].attributes key" in problems


# ------------------------------------------------------------ crafted cursors


CRAFTED_CURSORS = [
    crafted(["o", "9999-12-31T23:59:59-14:00", 1]),  # overflows when made UTC
    crafted(["o", "0001-01-01T00:00:00+14:00", 1]),
    crafted(["o", "2024-01-01T00:00:00+00:00", 2**31]),  # past PostgreSQL's integer
    crafted(["o", "2024-01-01T00:00:00+00:00", -(2**63)]),
    crafted(["o", 2**40]),
    crafted(["n", "2024-01-01T00:00:00+00:00", 10**30]),
]


@pytest.mark.parametrize("cursor", CRAFTED_CURSORS)
def test_crafted_cursors_are_a_400_on_pages_and_a_422_in_the_api(client, app, people, cursor):
    sign_in(client, "anna@example.com")
    for page in ("/account/orders", "/account/configurations", "/account/timeline"):
        assert client.get(f"{page}?cursor={cursor}").status_code == 400, page
    api = api_client(app)
    headers = {"Authorization": f"Bearer {people['token']}"}
    for path in ("/api/orders", "/api/configurations", "/api/catalogs"):
        response = api.get(f"{path}?cursor={cursor}", headers=headers)
        assert response.status_code == 422, path
        assert "cursor" in response.get_json()["errors"]


# ------------------------------------------------------------ deep JSON


def test_json_nested_a_thousand_levels_is_a_400(app, people):
    api = api_client(app)
    deep = "[" * 1000 + "]" * 1000
    response = api.post("/api/configurations", data=deep, content_type="application/json",
                        headers={"Authorization": f"Bearer {people['token']}"})
    assert response.status_code == 400
    assert "deeper" in response.get_json()["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(app, people):
    api = api_client(app)
    body = {"catalog_id": "test-bike", "name": "[" * 100, "selection": dict(BIKE)}
    response = api.post("/api/configurations", json=body,
                        headers={"Authorization": f"Bearer {people['token']}"})
    assert response.status_code == 201


# ------------------------------------------------------------ LIKE wildcards


def test_staff_search_takes_percent_and_underscore_literally(client, people):
    sign_in(client, "staff@shop.example")
    with_percent = client.get("/staff/quotes?q=100%25").get_data(as_text=True)
    assert "ACME 100% GmbH" in with_percent
    anything = client.get("/staff/quotes?q=%25").get_data(as_text=True)
    assert "ACME 100% GmbH" in anything
    one_character = client.get("/staff/quotes?q=_").get_data(as_text=True)
    assert "ACME 100% GmbH" not in one_character


# ------------------------------------------------------------ the 500 page


def test_the_error_page_after_a_database_error_is_our_page(app, people):
    """A failed flush leaves the session refusing every statement; the error page
    (which loads the signed-in user for its menu) must still be ours."""
    from configurator.config import TestConfig
    from configurator.store import User
    from configurator.web import create_app

    live = create_app(TestConfig, {"TESTING": False, "DATABASE_URL": app.config["DATABASE_URL"],
                                   "DATABASE_ENGINE": app.config["DATABASE_ENGINE"]})
    live.test_client_class = type(app.test_client())

    def fail_a_flush():
        db.session.add(User(email="anna@example.com", name="Copy", password_hash="x"))
        db.session.flush()  # a unique violation: the session now needs a rollback

    live.before_request_funcs.setdefault(None, []).insert(0, fail_a_flush)
    client = live.test_client()
    with client.session_transaction() as cookie:
        with live.app_context():
            import sqlalchemy as sa
            cookie["_user_id"] = str(db.session.scalar(
                sa.select(User.id).where(User.email == "anna@example.com")))
        cookie["_fresh"] = True
    response = client.get("/shop/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page and "Anna" in page


# ------------------------------------------------------------ the OpenAPI document


def test_the_openapi_document_states_the_limits_it_enforces(app):
    document = api_client(app).get("/api/openapi.json").get_json()
    assert "control character" in document["info"]["description"]
    assert "32 arrays or objects deep" in document["info"]["description"]
    cursor = next(p for p in document["paths"]["/orders"]["get"]["parameters"]
                  if p["name"] == "cursor")
    assert cursor["schema"]["pattern"] == "^[A-Za-z0-9_-]+$"
    selection = document["components"]["schemas"]["ConfigurationCreate"]["properties"]["selection"]
    assert "1-64 characters" in selection["description"]
    assert selection["additionalProperties"]["oneOf"][0]["maxLength"] == 64
