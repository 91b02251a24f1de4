"""The privacy page: consent per purpose, the one-click export and erasure;
only for the signed-in customer, and never without the CSRF token."""

from __future__ import annotations

import json

import sqlalchemy as sa

from configurator.services.privacy import consent
from configurator.store.models import Interaction, Order, User
from configurator.web.database import db


def choices_of(app, email: str) -> dict[str, bool]:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        return consent.choices(db.session, user)


def test_the_page_shows_the_current_choices(client, auth, anna):
    auth.signin()
    page = client.get("/account/privacy").get_data(as_text=True)
    assert '<input checked id="personalization" name="personalization"' in page
    assert '<input id="marketing" name="marketing" type="checkbox"' in page  # opt-in: unticked
    assert "Download my data" in page and "Erase my data" in page


def test_saving_the_form_changes_the_consent(client, auth, app, anna):
    auth.signin()
    answer = client.post("/account/privacy", data={"personalization": "y", "marketing": "y"})
    assert answer.status_code == 303
    assert choices_of(app, "anna@example.com") == {
        "personalization": True, "service": False, "marketing": True,
    }
    assert "Your choices are saved." in client.get("/account/privacy").get_data(as_text=True)
    timeline = client.get("/account/timeline").get_data(as_text=True)
    assert "Allowed: Offers and news by e-mail" in timeline


def test_a_forged_post_changes_nothing(raw_client, app, anna):
    raw_client.post("/auth/signin", data={"email": "anna@example.com", "password": "password123"})
    answer = raw_client.post("/account/privacy", data={"marketing": "y"})
    assert answer.status_code == 400
    assert choices_of(app, "anna@example.com")["marketing"] is False
    assert raw_client.post("/account/privacy/erase", data={"confirm": "y"}).status_code == 400
    assert choices_of(app, "anna@example.com")["service"] is True


def test_guests_are_sent_to_sign_in(client, anna):
    for path in ("/account/privacy", "/account/privacy/export", "/account/privacy/erase"):
        answer = client.post(path, data={"confirm": "y"})
        assert answer.status_code == 302 and "/auth/signin" in answer.headers["Location"], path


def test_export_downloads_my_data_and_only_mine(client, auth, anna, mallory):
    auth.signin()
    answer = client.post("/account/privacy/export")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert "attachment" in answer.headers["Content-Disposition"]
    document = json.loads(answer.get_data(as_text=True))
    assert document["profile"]["email"] == "anna@example.com"
    assert [order["number"] for order in document["orders"]] == [anna["order"]]
    assert "mallory" not in answer.get_data(as_text=True)
    assert "Downloaded all my data" in client.get("/account/timeline").get_data(as_text=True)


def test_erasure_needs_the_confirmation(client, auth, app, anna):
    auth.signin()
    answer = client.post("/account/privacy/erase", data={})
    assert answer.status_code == 400
    assert "Tick the box to confirm" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, anna["id"]).erased_at is None


def test_erasure_signs_out_and_keeps_the_order_anonymised(client, auth, app, anna):
    auth.signin()
    answer = client.post("/account/privacy/erase", data={"confirm": "y"})
    assert answer.status_code == 303
    assert "Your personal data is erased" in client.get("/shop/").get_data(as_text=True)
    assert client.get("/account/orders").status_code == 302  # signed out
    assert auth.signin().status_code == 400  # the old e-mail and password no longer work
    with app.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.number == anna["order"]))
        assert order.owner.name == "Erased customer"
        kinds = db.session.scalars(
            sa.select(Interaction.kind).where(Interaction.customer_id == anna["id"])
        ).all()
        assert kinds == ["erased"]
