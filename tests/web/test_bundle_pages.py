"""Service bundles on the pages: the configurator says what is included for the
customer and why; staff see each customer's bundle and consents."""

from __future__ import annotations

from configurator.web.database import db
from tests.helpers import gen_user
from tests.services.quote_factories import gen_staff


def test_a_business_customer_sees_what_is_included_for_them(client, auth, app):
    with app.app_context():
        gen_user(db.session, "firm@example.com", segment="business", name="Firm")
        gen_user(db.session, "private@example.com", name="Private")
    auth.signin("firm@example.com")
    page = client.get("/shop/test-bike").get_data(as_text=True)
    assert "Included for you: 60-day invoices are for business accounts." in page
    auth.signout()
    auth.signin("private@example.com")
    assert "Included for you" not in client.get("/shop/test-bike").get_data(as_text=True)


def test_staff_see_the_bundle_and_the_consents_of_an_account(client, auth, app):
    with app.app_context():
        firm = gen_user(db.session, "firm@example.com", segment="business", name="Firm")
        gen_staff(db.session, "staff", "sales@shop.example")
        firm_id = firm.id
    auth.signin("sales@shop.example")
    page = client.get(f"/staff/insights/customers/{firm_id}").get_data(as_text=True)
    assert 'id="benefits"' in page and "Billing: 60-day invoice" in page
    assert "60-day invoices are for business accounts." in page
    assert "Offers and news by e-mail:\n      <strong>refused</strong>" in page
