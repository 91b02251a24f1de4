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


def test_staff_see_the_bundle_on_the_business_accounts_page(client, auth, app):
    """The account's page (its contacts share its tier) had no service bundle, and its
    contacts did not link to their insights page, where one was."""
    from tests.services.quote_factories import gen_account

    with app.app_context():
        account, contact = gen_account(db.session)
        gen_staff(db.session, "staff", "sales@shop.example")
        account_id, contact_id = account.id, contact.id
    auth.signin("sales@shop.example")
    page = client.get(f"/staff/accounts/{account_id}").get_data(as_text=True)
    bundle = page[page.index('id="bundle-head"'):].split("</section>")[0]
    assert "Billing: 60-day invoice" in bundle and "60-day invoices are for business accounts." in bundle
    assert f'href="/staff/insights/customers/{contact_id}"' in page


def test_the_customers_bundle_is_in_the_staff_page_language(client, auth, app):
    """The staff customer page named the options in the catalog's own language."""
    from configurator.services import catalogs
    from tests.conftest import DATA

    with app.app_context():
        catalogs.load_text(db.session, (DATA / "bike.yaml").read_text() + (
            "translations:\n  vi:\n    features:\n      billing: {name: Thanh toán, options: "
            "{invoice_60: Hóa đơn 60 ngày}}\n"), "bike-vi.yaml")
        firm = gen_user(db.session, "firm@example.com", segment="business", name="Firm")
        gen_staff(db.session, "staff", "sales@shop.example")
        db.session.commit()
        firm_id = firm.id
    auth.signin("sales@shop.example")
    page = client.get(f"/staff/insights/customers/{firm_id}", headers={"Accept-Language": "vi"})
    assert "Thanh toán: Hóa đơn 60 ngày" in page.get_data(as_text=True)
