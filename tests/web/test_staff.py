"""The staff pages: roles, the quote editor's build-up, approval, locking (409),
print and PDF; and the client's quote pages, for its own account only."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from configurator.services import quotes
from configurator.store import User
from configurator.web.database import db
from tests.services.quote_factories import CARBON


def sign_in(auth, email):
    auth.signout()
    response = auth.signin(email, "password123")
    assert response.status_code in (302, 303)


STAFF_PAGES = ["/staff/quotes", "/staff/accounts", "/staff/quotes/{draft}",
               "/staff/accounts/{acme}", "/staff/quotes/{draft}/print",
               "/staff/quotes/{draft}/configure/test-bike"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_need_sign_in_and_a_seller_role(client, auth, world, path):
    url = path.format(**world)
    assert client.get(url).status_code == 302  # to sign in
    sign_in(auth, "plain@example.com")
    assert client.get(url).status_code == 404
    sign_in(auth, "buyer@acme.example")
    assert client.get(url).status_code == 404
    for email in ("staff@shop.example", "manager@shop.example", "admin@shop.example"):
        sign_in(auth, email)
        assert client.get(url).status_code == 200, email


def test_quote_page_shows_the_build_up_taxes_and_totals(client, auth, world):
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/quotes/{world['draft']}").get_data(as_text=True)
    # 12 x 185.00 = 2,220.00; -10 % price list -222.00; -5 % from 10 units -99.90; net 1,898.10.
    for text in ("2,220.00", "−222.00", "−99.90", "1,898.10", "VAT DE 19%", "360.64",
                 "2,258.74", "Quantity break 10+: -5%"):
        assert text in page, text


def test_over_threshold_discount_needs_a_manager_who_approves(client, auth, world):
    url = f"/staff/quotes/{world['draft']}"
    sign_in(auth, "staff@shop.example")
    client.post(f"{url}/lines/L1", data={"quantity": "12", "discount_percent": "15"})
    response = client.post(f"{url}/send")
    assert response.status_code == 400
    assert "submit it for approval" in response.get_data(as_text=True)
    assert client.post(f"{url}/submit").status_code == 303
    assert client.post(f"{url}/approve").status_code == 403  # staff cannot approve
    assert client.get("/staff/approvals").status_code == 403
    sign_in(auth, "manager@shop.example")
    assert "Approve discounts" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/approve").status_code == 303
    sign_in(auth, "staff@shop.example")
    assert client.post(f"{url}/send").status_code == 303
    assert "sent" in client.get(url).get_data(as_text=True)


def test_second_save_of_a_draft_is_refused_with_409_and_the_input_kept(client, auth, world, app):
    with app.app_context():
        seen = quotes.records.load(db.session, db.session.get(User, 1), world["draft"]).record.version_id
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}/lines/L1"
    first = client.post(url, data={"quantity": "20", "version": str(seen)})
    assert first.status_code == 303
    second = client.post(url, data={"quantity": "30", "version": str(seen)})
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "changed by someone else" in body and "“30”" in body
    with app.app_context():
        stored = quotes.records.load(db.session, db.session.get(User, 1), world["draft"]).record
        assert stored.lines[0].quantity == 20


@pytest.mark.parametrize("data, message", [
    ({"quantity": "zero"}, "whole number"),
    ({"quantity": "2", "discount_percent": "150"}, "not between 0% and 100%"),
    ({"quantity": "2", "discount_percent": "abc"}, "not a number"),
])
def test_bad_input_gets_a_clear_message(client, auth, world, data, message):
    sign_in(auth, "staff@shop.example")
    response = client.post(f"/staff/quotes/{world['draft']}/lines/L1", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_add_a_line_with_the_live_configurator(client, auth, world):
    sign_in(auth, "staff@shop.example")
    base = f"/staff/quotes/{world['draft']}/configure/test-bike"
    fragment = client.post(base, data={"f.frame": "carbon"}, headers={"HX-Request": "true"})
    assert 'id="configurator"' in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    picks = {f"f.{k}": v for k, v in CARBON.items()}
    incomplete = client.post(f"{base}/add", data={"f.frame": "carbon", "quantity": "2"})
    assert incomplete.status_code == 400
    assert "complete configuration" in incomplete.get_data(as_text=True)
    added = client.post(f"{base}/add", data=dict(picks, quantity="2"))
    assert added.status_code == 303
    assert "L2 · Test bike" in client.get(f"/staff/quotes/{world['draft']}").get_data(as_text=True)


def test_search_and_expiring_this_week(client, auth, world, app):
    sign_in(auth, "staff@shop.example")

    def results(query):
        page = client.get(f"/staff/quotes?{query}").get_data(as_text=True)
        return page.split('id="results-title"')[1].count('href="/staff/quotes/')

    assert results("q=nobody") == 0
    assert results("q=acme") == 2
    assert results("q=00002") == 1
    assert results("status=sent&product=test-bike") == 1
    page = client.get("/staff/quotes").get_data(as_text=True)
    assert "No sent quote expires in the next seven days." in page
    with app.app_context():  # the sent quote's validity now ends in three days
        staff = db.session.get(User, 1)
        soon = quotes.search.today() + timedelta(days=3)
        record = quotes.records.load(db.session, staff, world["sent"]).record
        record.valid_until = soon
        db.session.commit()
    page = client.get("/staff/quotes").get_data(as_text=True)
    expiring = page.split('id="expiring-title"')[1].split('id="results-title"')[0]
    assert expiring.count('href="/staff/quotes/') == 1


def test_pdf_and_printable_page(client, auth, world):
    sign_in(auth, "staff@shop.example")
    response = client.get(f"/staff/quotes/{world['sent']}/pdf")
    assert response.mimetype == "application/pdf"
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    assert "Terms and conditions" in text and "Payment in 30 days." in text
    page = client.get(f"/staff/quotes/{world['sent']}/print").get_data(as_text=True)
    assert "Terms and conditions" in page


# ------------------------------------------------------------------ the client's side


def test_contact_sees_only_sent_quotes_of_their_account(client, auth, world):
    sign_in(auth, "buyer@acme.example")
    listing = client.get("/account/quotes/").get_data(as_text=True)
    assert f"/account/quotes/{world['sent']}" in listing
    assert f"/account/quotes/{world['draft']}" not in listing
    assert client.get(f"/account/quotes/{world['draft']}").status_code == 404
    assert client.get(f"/account/quotes/{world['sent']}").status_code == 200
    assert "Our quotes" in listing
    sign_in(auth, "buyer@other.example")
    assert client.get(f"/account/quotes/{world['sent']}").status_code == 404
    assert client.get(f"/account/quotes/{world['sent']}/pdf").status_code == 404
    assert client.post(f"/account/quotes/{world['sent']}/accept").status_code == 404


def test_contact_accepts_and_staff_converts_to_order(client, auth, world):
    sign_in(auth, "buyer@acme.example")
    response = client.post(f"/account/quotes/{world['sent']}/accept",
                           data={"signature": "Eva Fischer"})
    assert response.status_code == 303
    sign_in(auth, "staff@shop.example")
    assert client.post(f"/staff/quotes/{world['sent']}/order").status_code == 303
    page = client.get(f"/staff/quotes/{world['sent']}").get_data(as_text=True)
    assert "Ordered as" in page
    sign_in(auth, "buyer@acme.example")
    orders = client.get("/account/orders").get_data(as_text=True)
    assert "Quote Q-2026-00002" in orders
    number = orders.split('/account/orders/')[1].split('"')[0]
    detail = client.get(f"/account/orders/{number}").get_data(as_text=True)
    # 742.50 net (825.00 - 10 %) + 141.08 VAT (19 %, half up) = 883.58
    assert "VAT DE 19%" in detail and "141.08" in detail and "883.58 EUR" in detail


def test_an_expired_quote_cannot_be_accepted_online(client, auth, world, app):
    with app.app_context():
        staff = db.session.get(User, 1)
        record = quotes.records.load(db.session, staff, world["sent"]).record
        late = record.valid_until + timedelta(hours=1)
        quotes.sending.expire_due(db.session, now=late)
    sign_in(auth, "buyer@acme.example")
    response = client.post(f"/account/quotes/{world['sent']}/accept")
    assert response.status_code == 400
    assert "cannot be accepted" in response.get_data(as_text=True)


def test_decline_needs_a_reason(client, auth, world):
    sign_in(auth, "buyer@acme.example")
    response = client.post(f"/account/quotes/{world['sent']}/decline", data={"reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.get_data(as_text=True)


def test_forms_without_csrf_token_are_refused(raw_client, world, app):
    response = raw_client.post(f"/account/quotes/{world['sent']}/accept")
    assert response.status_code == 400


def test_only_admins_manage_roles(client, auth, world, app):
    for email in ("staff@shop.example", "manager@shop.example"):
        sign_in(auth, email)
        assert client.get("/staff/users").status_code == 403
    sign_in(auth, "plain@example.com")
    assert client.get("/staff/users").status_code == 404
    sign_in(auth, "admin@shop.example")
    assert "plain@example.com" in client.get("/staff/users").get_data(as_text=True)
    with app.app_context():
        ids = dict(db.session.execute(sa.select(User.email, User.id)).all())
    plain, admin, contact = (ids[e] for e in (
        "plain@example.com", "admin@shop.example", "buyer@acme.example"))
    assert client.post(f"/staff/users/{plain}/role", data={"role": "manager"}).status_code == 303
    own = client.post(f"/staff/users/{admin}/role", data={"role": "customer"})
    assert own.status_code == 400 and "your own role" in own.get_data(as_text=True)
    assert client.post(f"/staff/users/{contact}/role", data={"role": "staff"}).status_code == 400
    assert client.post(f"/staff/users/{plain}/role", data={"role": "boss"}).status_code == 400
    sign_in(auth, "plain@example.com")
    assert client.get("/staff/approvals").status_code == 200  # a manager now


def test_the_shop_does_not_start_from_an_order_made_from_a_quote(client, auth, app, world):
    """Its lines are quote lines at negotiated prices: the contact is told so, no error page."""
    with app.app_context():
        sales = db.session.scalar(sa.select(User).where(User.email == "staff@shop.example"))
        contact = db.session.scalar(sa.select(User).where(User.email == "buyer@acme.example"))
        quotes.answers.accept(db.session, contact, world["sent"])
        number = quotes.answers.convert_to_order(db.session, sales, world["sent"]).number
    sign_in(auth, "buyer@acme.example")
    response = client.get(f"/shop/test-bike?order={number}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ask your sales contact for a new quote" in page
