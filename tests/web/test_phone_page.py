"""The phone number on the privacy page: saved as E.164, a bad one refused in
the page, and shown to staff on the customer's insights page."""

from __future__ import annotations

from configurator.web.database import db
from tests.services.quote_factories import gen_staff


def test_a_customer_saves_a_phone_number_and_staff_see_it(client, auth, anna, app):
    auth.signin()
    refused = client.post("/account/privacy/phone", data={"phone": "call me"})
    assert refused.status_code == 400
    assert "does not look like a phone number" in refused.get_data(as_text=True)
    saved = client.post("/account/privacy/phone", data={"phone": "0170 1234567"})
    assert saved.status_code == 303
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "Your phone number is saved." in page and 'value="+491701234567"' in page
    auth.signout()
    with app.app_context():
        gen_staff(db.session, "staff", "sales@shop.example")
    auth.signin("sales@shop.example")
    insight = client.get(f"/staff/insights/customers/{anna['id']}").get_data(as_text=True)
    assert "+491701234567" in insight
