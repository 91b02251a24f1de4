"""Sign-up through the pages with the address confirmed by an e-mailed link
(real SMTP: the local aiosmtpd server), and no answer that tells whether an
address has an account (issue 13, item 12)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store import User
from configurator.store.messages import Message
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, gen_user

LINKS = TrackingLinks("http://shop.test", "test-secret")


@pytest.fixture
def anna(app):
    with app.app_context():
        gen_user(db.session, "anna@example.com", name="Anna")


def sign_up(client, email="nora@example.com", **headers):
    return client.post("/auth/signup", headers=headers, data={
        "email": email, "password": "password123", "confirm": "password123", "name": "Nora",
        "country": "de"})


def deliver_newest(app, smtp_server, kind: str):
    """Send the newest message of `kind` over SMTP, as the worker does; the mail received."""
    with app.app_context():
        message_id = db.session.scalar(
            sa.select(Message.id).where(Message.kind == kind).order_by(Message.id.desc()))
        assert message_id is not None, kind
        transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="shop@shop.test")
        assert delivery.deliver(db.session, message_id, transport, LINKS) == "sent"
    return smtp_server.mailbox.wait_for(len(smtp_server.mailbox.received) or 1)[-1]


def link_in(mail) -> str:
    text = mail.get_body(("plain",)).get_content()
    found = re.search(r"http://shop\.test(/auth/verify/[A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def verified(app, email="nora@example.com") -> bool:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return user.email_verified_at is not None


def test_the_mailed_link_confirms_the_address_and_signs_in(app, client, smtp_server):
    assert sign_up(client).headers["Location"] == "/auth/signup/sent"
    mail = deliver_newest(app, smtp_server, "email_verification")
    assert mail["To"] == "nora@example.com" and mail["Subject"] == "Confirm your e-mail address"
    path = link_in(mail)

    # Opening the link (as a mail scanner might) only asks; it uses nothing up.
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my address" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert not verified(app)
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert verified(app)
    assert "Sign out" in client.get("/shop/").get_data(as_text=True)
    privacy = client.get("/account/privacy").get_data(as_text=True)
    assert "nora@example.com, confirmed." in privacy

    again = app.test_client()
    assert again.get(path).status_code == 410
    assert again.post(path).status_code == 410


def test_a_known_address_answers_the_same_and_its_owner_is_told(app, client, anna, smtp_server):
    known = sign_up(client, "anna@example.com")
    new = sign_up(app.test_client(), "nora@example.com")
    assert (known.status_code, known.headers["Location"]) == (new.status_code, new.headers["Location"])
    assert client.get(known.headers["Location"]).get_data(as_text=True).count("Check your e-mail") == 2

    mail = deliver_newest(app, smtp_server, "signup_attempt")
    assert mail["To"] == "anna@example.com"
    text = mail.get_body(("plain",)).get_content()
    assert "You already have an account" in text and "http://shop.test/" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.email == "anna@example.com")) == 1
        anna = db.session.scalar(sa.select(User).where(User.email == "anna@example.com"))
        assert anna.check_password("password123")


def test_the_e_mail_is_in_the_sign_up_pages_language(app, client, smtp_server):
    sign_up(client, **{"Accept-Language": "fa"})
    mail = deliver_newest(app, smtp_server, "email_verification")
    assert mail["Subject"] == "نشانی ایمیل خود را تأیید کنید"
    assert "گرامی" in mail.get_body(("plain",)).get_content()


def test_a_guests_save_is_finished_when_the_address_is_confirmed(app, client, smtp_server):
    form = {f"f.{k}": v for k, v in COMPLETE_BIKE.items()}
    client.post("/shop/test-bike/save", data=dict(form, name="Guest bike"))
    sign_up(client)
    path = link_in(deliver_newest(app, smtp_server, "email_verification"))
    response = client.post(path)
    assert "/account/configurations/" in response.headers["Location"]


def test_a_signed_in_customer_asks_for_the_link_again(app, client, smtp_server):
    sign_up(client)
    client.post("/auth/signin", data={"email": "nora@example.com", "password": "password123"})
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "is not confirmed yet" in page and "Send the confirmation link again" in page
    response = client.post("/auth/verify/again")
    assert response.status_code == 303
    assert "We sent a new confirmation link" in client.get("/account/privacy").get_data(as_text=True)
    path = link_in(deliver_newest(app, smtp_server, "email_verification"))
    assert client.post(path).status_code == 302 and verified(app)
    client.post("/auth/verify/again")
    assert "already confirmed" in client.get("/account/privacy").get_data(as_text=True)


def test_asking_again_needs_a_signed_in_user(client):
    response = client.post("/auth/verify/again")
    assert response.status_code == 302 and "/auth/signin" in response.headers["Location"]


def test_a_made_up_link_is_gone(client):
    assert client.get("/auth/verify/not-a-real-token").status_code == 410
    assert client.post("/auth/verify/not-a-real-token").status_code == 410
