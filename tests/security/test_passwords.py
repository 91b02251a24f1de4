"""Passwords (issue 13, finding 5): change one knowing the current one, reset a
forgotten one by a one-time link e-mailed over real SMTP, new business contacts
choose theirs from an invitation (the manager never knows it), and no page
that may show a secret is kept by a cache. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store import User
from configurator.store.messages import Message
from configurator.store.security import OneTimeLink
from configurator.store.types import utcnow
from configurator.web.database import db
from tests.helpers import gen_user
from tests.services.quote_factories import gen_account, gen_staff

LINKS = TrackingLinks("http://shop.test", "test-secret")
NEW = "a-new-passphrase"


@pytest.fixture
def anna(app):
    with app.app_context():
        gen_user(db.session, "anna@example.com", name="Anna")


def sign_in(client, email="anna@example.com", password="password123"):
    return client.post("/auth/signin", data={"email": email, "password": password})


def signs_in(app, email="anna@example.com", password="password123") -> bool:
    return sign_in(app.test_client(), email, password).status_code == 302


def mailed_link(app, smtp_server, kind: str) -> str:
    """Deliver the newest message of `kind` over SMTP; the link path in the e-mail received."""
    with app.app_context():
        message_id = db.session.scalar(
            sa.select(Message.id).where(Message.kind == kind).order_by(Message.id.desc()))
        assert message_id is not None
        transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="shop@shop.test")
        assert delivery.deliver(db.session, message_id, transport, LINKS) == "sent"
    received = smtp_server.mailbox.wait_for(len(smtp_server.mailbox.received) or 1)[-1]
    text = received.get_body(("plain",)).get_content()
    found = re.search(r"http://shop\.test(/auth/(?:reset|invite)/[A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def without_csrf_token(response) -> str:
    """The page, its per-browser CSRF token blanked."""
    token = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    return response.get_data(as_text=True).replace(token.group(1), "TOKEN")


def messages_of(app, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Message.id)).where(Message.kind == kind))


# ------------------------------------------------------------------ change


def test_changing_the_password_needs_the_current_one(app, client, anna):
    sign_in(client)
    response = client.post("/auth/password", data={
        "current": "wrong-one", "password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert "not your current password" in response.get_data(as_text=True)
    assert signs_in(app) and not signs_in(app, password=NEW)


def test_a_new_password_signs_out_the_other_browsers_but_not_this_one(app, client, anna):
    other = app.test_client()
    sign_in(other)
    sign_in(client)
    response = client.post("/auth/password", data={
        "current": "password123", "password": NEW, "confirm": NEW})
    assert response.status_code == 303
    assert client.get("/account/orders").status_code == 200
    assert other.get("/account/orders").status_code == 302  # to sign in
    assert signs_in(app, password=NEW) and not signs_in(app)


@pytest.mark.parametrize(("password", "confirm"), [("short", "short"), (NEW, NEW + "x")])
def test_an_unfit_new_password_is_refused_with_the_reason(app, client, anna, password, confirm):
    sign_in(client)
    response = client.post("/auth/password", data={
        "current": "password123", "password": password, "confirm": confirm})
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)
    assert signs_in(app)


def test_changing_the_password_needs_a_signed_in_user_and_the_csrf_token(app, client, anna):
    assert client.get("/auth/password").status_code == 302
    sign_in(client)
    forged = client.post("/auth/password", headers={"X-CSRFToken": "forged"}, data={
        "current": "password123", "password": NEW, "confirm": NEW})
    assert forged.status_code == 400
    assert signs_in(app)


# ------------------------------------------------------------------ reset by link


def test_asking_for_a_reset_answers_the_same_for_a_known_and_an_unknown_address(app, anna):
    known = app.test_client().post("/auth/forgot", data={"email": "anna@example.com"})
    unknown = app.test_client().post("/auth/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf_token(known) == without_csrf_token(unknown)
    assert messages_of(app, "password_reset") == 1


def test_a_reset_link_mailed_over_smtp_sets_a_new_password_once(app, client, anna, smtp_server):
    other = app.test_client()
    sign_in(other)
    assert client.post("/auth/forgot", data={"email": " Anna@Example.com "}).status_code == 200
    path = mailed_link(app, smtp_server, "password_reset")

    page = client.get(path)
    assert page.status_code == 200 and "anna@example.com" in page.get_data(as_text=True)
    done = client.post(path, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 303
    assert client.get("/account/orders").status_code == 200  # signed in by the link
    assert other.get("/account/orders").status_code == 302  # every older session ended
    assert signs_in(app, password=NEW) and not signs_in(app)

    again = app.test_client().post(path, data={"password": "third-password", "confirm": "third-password"})
    assert again.status_code == 410
    assert app.test_client().get(path).status_code == 410
    assert signs_in(app, password=NEW)


def test_only_the_hash_of_a_link_is_kept_and_the_mail_leaves_no_copy(app, anna, smtp_server):
    app.test_client().post("/auth/forgot", data={"email": "anna@example.com"})
    path = mailed_link(app, smtp_server, "password_reset")
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        link = db.session.scalars(sa.select(OneTimeLink)).one()
        assert link.token_hash != token and len(link.token_hash) == 64
        assert link.purpose == "reset"
        assert timedelta(minutes=59) < link.expires_at - link.created_at <= timedelta(hours=1)
        message = db.session.scalars(sa.select(Message)).one()
        assert token not in message.body and message.action_url is None


def test_an_expired_or_unknown_link_is_refused(app, client, anna, smtp_server):
    client.post("/auth/forgot", data={"email": "anna@example.com"})
    path = mailed_link(app, smtp_server, "password_reset")
    with app.app_context():
        db.session.execute(sa.update(OneTimeLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.post(path, data={"password": NEW, "confirm": NEW}).status_code == 410
    assert client.get("/auth/reset/not-a-token").status_code == 410
    assert client.get("/auth/invite/" + path.rsplit("/", 1)[1]).status_code == 410  # wrong kind
    assert signs_in(app)


def test_a_new_password_voids_older_links(app, client, anna, smtp_server):
    client.post("/auth/forgot", data={"email": "anna@example.com"})
    first = mailed_link(app, smtp_server, "password_reset")
    client.post("/auth/forgot", data={"email": "anna@example.com"})
    second = mailed_link(app, smtp_server, "password_reset")
    assert first != second
    assert client.post(second, data={"password": NEW, "confirm": NEW}).status_code == 303
    assert app.test_client().get(first).status_code == 410


def test_one_account_gets_at_most_three_links_an_hour(app, anna):
    for _ in range(5):
        assert app.test_client().post("/auth/forgot", data={"email": "anna@example.com"}).status_code == 200
    assert messages_of(app, "password_reset") == 3


def test_reset_requests_are_limited_per_address(app, anna):
    from tests.web.test_rate_limit import limited_app

    client = limited_app(app).test_client()

    def ask():
        return client.post("/auth/forgot", data={"email": "nobody@example.com"},
                           environ_base={"REMOTE_ADDR": "10.0.9.1"}).status_code

    assert [ask() for _ in range(5)] == [200] * 5
    assert ask() == 429


def test_an_erased_account_gets_no_link(app, anna):
    with app.app_context():
        db.session.execute(sa.update(User).values(erased_at=utcnow()))
        db.session.commit()
    assert app.test_client().post("/auth/forgot", data={"email": "anna@example.com"}).status_code == 200
    assert messages_of(app, "password_reset") == 0


# ------------------------------------------------------------------ invitations


@pytest.fixture
def acme(app):
    with app.app_context():
        gen_staff(db.session, "manager", "manager@shop.example")
        account, _ = gen_account(db.session, contact_email="buyer@acme.example")
        return account.id


def test_a_new_contact_chooses_their_password_from_the_invitation(app, client, acme, smtp_server):
    sign_in(client, "manager@shop.example")
    form = client.get(f"/staff/accounts/{acme}/edit").get_data(as_text=True)
    assert 'type="password"' not in form
    created = client.post(f"/staff/accounts/{acme}/contacts/new", data={
        "email": "tom@acme.example", "name": "Tom Tech", "contact_role": "technical"})
    assert created.status_code == 201
    body = created.get_data(as_text=True)
    assert "We e-mailed tom@acme.example" in body and "password " not in body.lower().replace(
        "choose a password", "")
    path = mailed_link(app, smtp_server, "invitation")
    assert path.startswith("/auth/invite/")

    tom = app.test_client()
    assert tom.get(path).status_code == 200
    assert tom.post(path, data={"password": NEW, "confirm": NEW}).status_code == 303
    assert tom.get("/account/quotes/").status_code == 200  # a contact of ACME, signed in
    assert signs_in(app, "tom@acme.example", NEW)
    assert app.test_client().get(path).status_code == 410


def test_an_invitation_is_not_a_reset_link(app, client, acme, smtp_server):
    sign_in(client, "manager@shop.example")
    client.post(f"/staff/accounts/{acme}/contacts/new", data={
        "email": "tom@acme.example", "name": "Tom Tech", "contact_role": "technical"})
    path = mailed_link(app, smtp_server, "invitation")
    assert client.get(path.replace("/invite/", "/reset/")).status_code == 410


# ------------------------------------------------------------------ no-store


def test_no_page_that_may_show_a_secret_is_cached(app, client, anna, smtp_server):
    guest = app.test_client()
    guest.post("/auth/forgot", data={"email": "anna@example.com"})
    path = mailed_link(app, smtp_server, "password_reset")
    for url in ("/auth/signin", "/auth/forgot", path, "/auth/reset/unknown", "/api/openapi.json"):
        assert guest.get(url).headers.get("Cache-Control") == "no-store", url
    sign_in(client)
    for url in ("/account/privacy", "/account/tokens/", "/account/orders", "/auth/password",
                "/shop/", "/inbox"):
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)
    export = client.post("/account/privacy/export")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"


def test_a_guests_shop_page_and_static_files_may_be_cached(app):
    guest = app.test_client()
    assert "no-store" not in guest.get("/shop/").headers.get("Cache-Control", "")
    assert "no-store" not in guest.get("/static/shop.css").headers.get("Cache-Control", "")
