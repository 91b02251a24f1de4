"""Sessions the server can end (issue 13, finding 2): a copied cookie is
worthless after sign-out, after "sign out everywhere" and after a role change;
the cookie (and its CSRF token) is new at sign-in; the guest's picks survive."""

from __future__ import annotations

import pytest

from configurator.services.business import admin
from configurator.web.database import db
from tests.helpers import gen_user


@pytest.fixture
def anna(app):
    with app.app_context():
        gen_user(db.session, "anna@example.com", name="Anna")
        gen_user(db.session, "admin@shop.example", role="admin")


def sign_in(client, email="anna@example.com"):
    response = client.post("/auth/signin", data={"email": email, "password": "password123"})
    assert response.status_code == 302
    return response


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def signed_in(app, cookie: str) -> bool:
    """Whether a browser holding only this cookie is signed in."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/account/orders").status_code == 200


def test_a_copied_cookie_stops_working_at_sign_out(app, client, anna):
    sign_in(client)
    copied = cookie_of(client)
    assert signed_in(app, copied)
    client.post("/auth/signout")
    assert not signed_in(app, copied)


def test_sign_out_ends_only_this_browsers_session(app, client, anna):
    other = app.test_client()
    sign_in(other)
    sign_in(client)
    client.post("/auth/signout")
    assert other.get("/account/orders").status_code == 200


def test_sign_out_everywhere_ends_every_session(app, client, anna):
    other = app.test_client()
    sign_in(other)
    sign_in(client)
    response = client.post("/auth/signout-everywhere")
    assert response.status_code == 302
    assert other.get("/account/orders").status_code == 302  # to sign in
    assert client.get("/account/orders").status_code == 302
    assert client.post("/auth/signout-everywhere").status_code == 302  # guests: sign in first


def test_sign_out_everywhere_needs_the_csrf_token(app, client, anna):
    sign_in(client)
    forged = client.post("/auth/signout-everywhere", headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400
    assert client.get("/account/orders").status_code == 200


def test_the_cookie_and_its_csrf_token_are_new_at_sign_in(app, client, anna):
    client.get("/auth/signin")
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = "planted-before-sign-in"
    before = cookie_of(client)
    sign_in(client)
    with client.session_transaction() as cookie:
        assert cookie.get("csrf_token") != "planted-before-sign-in"
    assert cookie_of(client) != before
    assert not signed_in(app, before)


def test_a_role_change_ends_the_users_sessions(app, client, anna):
    sign_in(client)
    copied = cookie_of(client)
    with app.app_context():
        import sqlalchemy as sa

        from configurator.store import User
        admin_user = db.session.scalar(sa.select(User).where(User.role == "admin"))
        anna_id = db.session.scalar(sa.select(User.id).where(User.email == "anna@example.com"))
        admin.set_user_role(db.session, admin_user, anna_id, "staff")
    assert not signed_in(app, copied)


def test_a_cookie_with_a_user_id_but_no_session_signs_nobody_in(app, client, anna):
    with client.session_transaction() as cookie:
        cookie["_user_id"] = "1"
        cookie["_fresh"] = True
    assert client.get("/account/orders").status_code == 302


def test_the_guests_picks_survive_sign_in(app, client, anna):
    client.post("/shop/test-bike", data={"frame": "carbon"})
    with client.session_transaction() as cookie:
        draft = cookie.get("draft")
    assert draft
    sign_in(client)
    with client.session_transaction() as cookie:
        assert cookie.get("draft") == draft


def test_sign_up_cannot_declare_a_business(app, client):
    """Finding 6: "business" (invoice payment) comes only from staff, never the form."""
    import sqlalchemy as sa

    from configurator.store import User

    response = client.post("/auth/signup", data={
        "email": "boss@example.com", "password": "password123", "confirm": "password123",
        "name": "Boss", "segment": "business", "country": "de"})
    assert response.status_code == 302
    assert "You buy as" not in client.get("/auth/signup").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "boss@example.com"))
        assert user.segment == "consumer" and user.facts()["business"] == "no"
