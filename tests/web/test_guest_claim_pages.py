"""The link in a guest order's confirmation that adds the order to the confirmed
account of its address (issue 17): signed out it asks to sign in, another account
is refused, its page only asks, its button adds the order once."""

from __future__ import annotations

import sqlalchemy as sa

from configurator.services import guest_claims, verification
from configurator.store.messages import Message
from configurator.store.models import Order
from configurator.web.database import db
from tests.web.test_guest_order_pages import GUEST, ORDER, start


def confirmed_account(client, auth, app, email="gina@example.com"):
    auth.signup(email, name="Gina")
    with app.app_context():
        link = db.session.scalar(sa.select(Message.action_url).where(
            Message.kind == "email_verification").order_by(Message.id.desc()))
        verification.confirm(db.session, link.removeprefix(verification.VERIFY_PATH))
    auth.signout()


def test_the_account_of_the_address_adds_the_guest_order_once(client, auth, app, anna):
    confirmed_account(client, auth, app)
    start(client)
    assert client.post(ORDER, data=GUEST).status_code == 303
    with app.app_context():
        link = db.session.scalar(sa.select(Message.action_url).where(
            Message.kind == "order_confirmation", Message.to_address == "gina@example.com"))
        number = link.removeprefix(guest_claims.CLAIM_PATH).partition(".")[0]
        order = db.session.scalar(sa.select(Order).where(Order.number == number))
    assert link.startswith(guest_claims.CLAIM_PATH)

    signed_out = client.get(link)
    assert signed_out.status_code == 302 and "/auth/signin" in signed_out.headers["Location"]
    auth.signin("anna@example.com")
    other = client.get(link)
    assert other.status_code == 403 and "This link is for another account" in other.get_data(
        as_text=True)
    assert order.number not in client.get("/account/orders").get_data(as_text=True)
    auth.signout()

    auth.signin("gina@example.com")
    asked = client.get(link)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and order.number in page and 'id="add-guest-order"' in page
    assert order.number not in client.get("/account/orders").get_data(as_text=True)  # GET moves nothing
    added = client.post(link)
    assert (added.status_code, added.headers["Location"]) == (303, f"/account/orders/{order.number}")
    assert order.number in client.get("/account/orders").get_data(as_text=True)
    timeline = client.get("/account/timeline").get_data(as_text=True)
    assert f"Your guest order {order.number} is now in your account" in timeline
    again = client.post(link)
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)


def test_a_made_up_link_is_refused_in_the_page(client, auth, anna):
    auth.signin("anna@example.com")
    for token in ("ORD-2026-000001.nothing", "no-dot", "x" * 300):
        answer = client.get(guest_claims.CLAIM_PATH + token)
        assert answer.status_code == 410
        assert "not one of ours" in answer.get_data(as_text=True)
