"""The checkout pages: review, refusals in the page, order status and cancellation."""

import re

import sqlalchemy as sa

from configurator.store.messages import Message
from configurator.web.database import db
from tests.services.quote_factories import gen_staff

NEW_ADDRESS = {"address": "new", "name": "Anna", "street": "Hauptstr. 1", "postcode": "10115",
               "city": "Berlin", "country": "de"}


def checkout_url(anna):
    return f"/account/configurations/{anna['configuration']}/checkout"


def test_the_review_shows_choices_vat_address_form_and_terms(client, auth, anna):
    auth.signin()
    page = client.get(checkout_url(anna)).get_data(as_text=True)
    assert re.search(r'id="checkout-choices".*Delivery: <strong>.*Billing: <strong>', page, re.S)
    assert "VAT 19% (Germany)" in page and 'name="terms"' in page
    assert 'name="street"' in page and 'name="csrf_token"' in page


def test_without_the_terms_the_page_says_so_and_nothing_is_ordered(client, auth, anna, app):
    auth.signin()
    response = client.post(checkout_url(anna), data=dict(NEW_ADDRESS, revision="1"))
    assert response.status_code == 400
    assert "Please accept the terms of sale" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_a_bad_revision_or_address_is_an_error_in_the_page(client, auth, anna):
    auth.signin()
    response = client.post(checkout_url(anna), data={"revision": "x", "address": "zz", "terms": "y"})
    assert response.status_code == 400
    assert "Please choose a delivery address" in response.get_data(as_text=True)


def test_order_then_address_book_then_cancel(client, auth, anna, app):
    auth.signin()
    placed = client.post(checkout_url(anna), data=dict(NEW_ADDRESS, revision="1", terms="y"))
    order_page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "We sent you a confirmation" in order_page and "Status: <strong" in order_page
    number = placed.headers["Location"].rsplit("/", 1)[1]
    # The address is in the book now, chosen by default.
    again = client.get(checkout_url(anna)).get_data(as_text=True)
    assert re.search(r'value="\d+" checked>\s*<label[^>]*>Anna, Hauptstr. 1, 10115 Berlin, DE', again)
    cancelled = client.post(f"/account/orders/{number}/cancel")
    assert cancelled.status_code == 303
    page = client.get(f"/account/orders/{number}").get_data(as_text=True)
    assert "is cancelled" in page and ">Cancelled<" in page and "Cancel this order" not in page


def test_staff_move_the_status_and_the_customer_sees_it(client, auth, anna, app):
    with app.app_context():
        gen_staff(db.session, "staff", "sales@shop.example")
    auth.signin("sales@shop.example")
    url = f"/account/orders/{anna['order']}"
    assert "Change status" in client.get(url).get_data(as_text=True)
    response = client.post(f"/staff/orders/{anna['order']}/status", data={"status": "shipped"})
    assert "cannot become shipped" in client.get(response.headers["Location"]).get_data(as_text=True)
    client.post(f"/staff/orders/{anna['order']}/status", data={"status": "confirmed"})
    auth.signout()
    auth.signin()
    page = client.get(url).get_data(as_text=True)
    assert ">Confirmed<" in page and "Change status" not in page and "Cancel this order" in page


def test_the_country_list_is_every_country_in_the_readers_language(client, auth, anna):
    """Issue 14: all countries (Babel's names in the page's language), EU VAT rates in a table."""
    auth.signin()
    page = client.get(checkout_url(anna)).get_data(as_text=True)
    assert 'value="jp">Japan<' in page and 'value="br">Brazil<' in page
    assert re.search(r"Hungary: net [\d.]+, VAT 27% [\d.]+", page) and "Japan:" not in page
    assert 'id="no-vat-note"' not in page  # Germany: EU VAT
    persian = client.get(checkout_url(anna), headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert 'value="de">آلمان<' in persian and 'value="jp">ژاپن<' in persian


def test_an_order_outside_the_eu_says_no_vat_is_charged(client, auth, anna):
    auth.signin()
    tokyo = dict(NEW_ADDRESS, city="Tokyo", postcode="100-0001", country="jp")
    placed = client.post(checkout_url(anna), data=dict(tokyo, revision="1", terms="y"))
    assert placed.status_code == 303
    again = client.get(checkout_url(anna)).get_data(as_text=True)  # the book's address: Japan
    assert 'id="no-vat-note"' in again and "VAT 0% (Japan)" in again
