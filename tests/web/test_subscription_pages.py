"""Subscriptions in the pages: the configurator, the checkout's review, the order and
its confirmation e-mail show what is paid today apart from what is paid per delivery;
the order lists its deliveries and every order its expected delivery date."""

import re

import pytest
import sqlalchemy as sa

from configurator.services import catalogs
from configurator.store.messages import Message
from configurator.web.database import db
from tests.helpers import gen_configuration
from tests.services.test_read_back_deliveries import COFFEE
from tests.services.test_read_back_deliveries import REPO as REPO_ROOT

NEW_ADDRESS = {"address": "new", "name": "Anna", "street": "Hauptstr. 1", "postcode": "10115",
               "city": "Berlin", "country": "de"}


@pytest.fixture
def coffee(app, anna):
    """Anna's weekly coffee with a dripper, saved."""
    with app.app_context():
        catalogs.load_file(db.session, REPO_ROOT / "catalog" / "coffee-subscription.yaml")
        from configurator.store.models import User

        user = db.session.get(User, anna["id"])
        return gen_configuration(db.session, user, COFFEE, name="Weekly coffee",
                                 catalog_id="coffee-subscription").id


def text(page):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_configurator_shows_today_and_per_delivery(client, auth, coffee):
    auth.signin()
    page = client.get(f"/account/configurations/{coffee}").get_data(as_text=True)
    words = text(page)
    assert re.search(r"Today 32\.90 EUR", words)
    assert re.search(r"Then per delivery \(Every week\) 8\.90 EUR", words)
    assert "8.90 per delivery" in words and "then 8.90 per delivery" in words
    assert "24.00 per delivery" not in words  # the dripper is paid once
    assert "0.00 per delivery" not in words  # nothing to pay again


def test_the_shop_page_of_a_single_coffee_order_has_one_total(client):
    with client.application.app_context():
        catalogs.load_file(db.session, REPO_ROOT / "catalog" / "coffee-subscription.yaml")
    picks = {f"f.{key}": value for key, value in COFFEE.items()}
    weekly = client.post("/shop/coffee-subscription", data=picks).get_data(as_text=True)
    assert "Then per delivery" in weekly
    single = client.post("/shop/coffee-subscription", data=dict(picks, **{"f.frequency": "one_off"}))
    page = single.get_data(as_text=True)
    assert "Then per delivery" not in page and "per delivery</span>" not in page
    assert "Total" in text(page)


def test_checkout_order_and_e_mail_of_a_subscription(client, auth, coffee, app):
    auth.signin()
    review = text(client.get(f"/account/configurations/{coffee}/checkout").get_data(as_text=True))
    assert "Today 32.90 EUR" in review and "Then per delivery (Every week) 8.90 EUR" in review
    assert "Expected delivery:" in review
    placed = client.post(f"/account/configurations/{coffee}/checkout",
                         data=dict(NEW_ADDRESS, revision="1", terms="y"))
    assert placed.status_code == 303
    order = text(client.get(placed.headers["Location"]).get_data(as_text=True))
    assert "Today 32.90 EUR" in order and "Then per delivery (Every week) 8.90 EUR" in order
    assert "Expected delivery:" in order
    deliveries = re.search(r"Deliveries (.*?)</table>|Deliveries Delivery Due Price Status (.*)", order)
    assert deliveries and " 2 " in order and "Planned" in order
    with app.app_context():
        body = db.session.scalar(sa.select(Message.body).where(Message.kind == "order_confirmation"))
    assert "Today 32.90 EUR" in body and "Then 8.90 EUR per delivery (Every week)." in body
    assert "Ceramic pour-over dripper (24.00)" in body and "250 g (8.90 per delivery)" in body
    assert "Expected delivery: " in body


def test_a_bike_order_has_a_total_a_delivery_date_and_no_delivery_list(client, auth, anna):
    auth.signin()
    page = client.get(f"/account/orders/{anna['order']}").get_data(as_text=True)
    assert 'id="estimated-delivery"' in page and 'id="deliveries"' not in page
    assert "Today" not in text(page).split("Exactly as ordered")[1].split("Delivery address")[0]


def test_the_order_page_and_e_mail_say_how_to_pay(client, auth, anna, app):
    auth.signin()
    placed = client.post(f"/account/configurations/{anna['configuration']}/checkout",
                         data=dict(NEW_ADDRESS, revision="1", terms="y"))
    page = text(client.get(placed.headers["Location"]).get_data(as_text=True))
    assert "Payment Prepayment : Please transfer the amount with the order number as reference" in page
    with app.app_context():
        body = db.session.scalar(sa.select(Message.body).where(Message.kind == "order_confirmation"))
    assert "Payment: Prepayment. Please transfer the amount" in body


def test_the_invoice_page_and_its_pdf(client, auth, coffee, app):
    from io import BytesIO

    from pypdf import PdfReader

    auth.signin()
    placed = client.post(f"/account/configurations/{coffee}/checkout",
                         data=dict(NEW_ADDRESS, revision="1", terms="y"))
    number = placed.headers["Location"].rsplit("/", 1)[1]
    invoice_number = "INV-" + number.removeprefix("ORD-")
    order_page = client.get(f"/account/orders/{number}").get_data(as_text=True)
    assert f"/account/orders/{number}/invoice.pdf" in order_page
    page = text(client.get(f"/account/orders/{number}/invoice").get_data(as_text=True))
    assert f"Invoice {invoice_number}" in page and "Anna Hauptstr. 1 10115 Berlin DE" in page
    assert "Net 27.65 EUR" in page and "VAT 19% 5.25 EUR" in page and "Today 32.90 EUR" in page
    assert "Then per delivery (Every week) 8.90 EUR" in page and "Credit or debit card" in page
    pdf = client.get(f"/account/orders/{number}/invoice.pdf")
    assert pdf.mimetype == "application/pdf"
    assert f'filename="{invoice_number}.pdf"' in pdf.headers["Content-Disposition"]
    words = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert invoice_number in words and "32.90" in words and "8.90" in words
    assert "Download as PDF" not in words  # the print stylesheet leaves the button out


def test_an_order_without_checkout_has_no_invoice(client, auth, anna):
    auth.signin()
    response = client.get(f"/account/orders/{anna['order']}/invoice")
    assert response.status_code == 404 and "has no invoice here" in response.get_data(as_text=True)


def test_ordering_two_at_the_checkout(client, auth, anna, app):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/checkout"
    assert 'name="quantity"' in client.get(url).get_data(as_text=True)
    for bad in ("0", "100", "abc", "99999999999999999999"):
        refused = client.post(url, data=dict(NEW_ADDRESS, revision="1", terms="y", quantity=bad))
        assert refused.status_code == 400 and "between 1 and 99" in refused.get_data(as_text=True)
    placed = client.post(url, data=dict(NEW_ADDRESS, revision="1", terms="y", quantity="2"))
    assert placed.status_code == 303
    page = text(client.get(placed.headers["Location"]).get_data(as_text=True))
    assert "Quantity × 2" in page and "each" in page
    with app.app_context():
        body = db.session.scalar(sa.select(Message.body).where(Message.kind == "order_confirmation"))
    assert "Quantity: 2 x " in body
