"""The cart pages: add from the configurator and from a saved configuration, change the
quantity, remove, a line that blocks the checkout with a link to fix it, one checkout
for every line, the order page and the invoice listing every item."""

import re

import sqlalchemy as sa

from configurator.store.cart import CartLine
from configurator.store.models import Order
from configurator.web.database import db
from tests.helpers import CARBON_BIKE, gen_configuration

NEW_ADDRESS = {"address": "new", "name": "Anna", "street": "Hauptstr. 1", "postcode": "10115",
               "city": "Berlin", "country": "de"}


def picks(selection):
    return {f"f.{feature}": option for feature, option in selection.items()}


def test_the_cart_needs_a_sign_in(client):
    assert client.get("/account/cart").status_code == 302


def test_two_configurations_to_one_order(client, auth, anna, app):
    auth.signin()
    added = client.post("/shop/test-bike/cart", data=dict(picks(CARBON_BIKE), name="Racer"))
    assert added.status_code == 303 and added.headers["Location"].endswith("/account/cart")
    saved = client.post(f"/account/configurations/{anna['configuration']}/cart",
                        data=dict(picks(CARBON_BIKE), base_revision="1"))
    assert saved.status_code == 303
    page = client.get("/account/cart").get_data(as_text=True)
    assert "Racer" in page and "Anna&#39;s bike" in page and 'id="cart-checkout"' in page
    assert re.search(r'id="nav-cart"[^>]*>Cart <span class="badge"[^>]*>2<', page)
    with app.app_context():
        line_id = db.session.scalar(sa.select(CartLine.id).where(
            CartLine.configuration_id == anna["configuration"]))
    assert client.post(f"/account/cart/{line_id}/quantity", data={"quantity": "3"}).status_code == 303
    refused = client.post(f"/account/cart/{line_id}/quantity", data={"quantity": "x"})
    assert "between 1 and 99" in client.get(refused.headers["Location"]).get_data(as_text=True)
    review = client.get("/account/cart/checkout").get_data(as_text=True)
    assert 'id="review-item-2"' in review and "× 3" in review
    token = re.search(r'name="token" type="hidden" value="(\w+)"', review).group(1)
    placed = client.post("/account/cart/checkout", data=dict(NEW_ADDRESS, token=token, terms="y"))
    assert placed.status_code == 303
    number = placed.headers["Location"].rsplit("/", 1)[1]
    twice = client.post("/account/cart/checkout", data=dict(NEW_ADDRESS, token=token, terms="y"))
    assert twice.headers["Location"] == placed.headers["Location"]  # a double click: the same order
    order_page = client.get(f"/account/orders/{number}").get_data(as_text=True)
    assert 'id="order-item-1"' in order_page and 'id="order-item-2"' in order_page
    assert "Racer, Anna&#39;s bike" in order_page
    invoice = client.get(f"/account/orders/{number}/invoice").get_data(as_text=True)
    assert invoice.count('class="item-head"') == 2 and 'class="item-quantity"' in invoice
    assert client.get(f"/account/orders/{number}/invoice.pdf").status_code == 200
    assert "Your cart is empty" in client.get("/account/cart").get_data(as_text=True)
    assert "Racer" in client.get("/account/orders").get_data(as_text=True)
    again = client.post(f"/account/orders/{number}/cart")
    assert again.status_code == 303
    assert "Racer" in client.get("/account/cart").get_data(as_text=True)


def test_an_incomplete_line_blocks_the_checkout_with_a_link_to_fix_it(client, auth, anna, app):
    with app.app_context():
        from configurator.store.models import User

        user = db.session.get(User, anna["id"])
        unfinished = gen_configuration(db.session, user, {"frame": "alu"}, name="Unfinished")
        unfinished_id = unfinished.id
    auth.signin()
    client.post(f"/account/configurations/{unfinished_id}/cart", data=dict(picks({"frame": "alu"}), base_revision="1"))
    page = client.get("/account/cart").get_data(as_text=True)
    with app.app_context():
        line_id = db.session.scalar(sa.select(CartLine.id).where(
            CartLine.configuration_id == unfinished_id))
    fix = re.search(rf'action="/account/cart/{line_id}/edit".*?</form>', page, re.S).group(0)
    assert "Fix “Unfinished”" in fix and 'name="csrf_token"' in fix
    reopened = client.post(f"/account/cart/{line_id}/edit")
    assert reopened.headers["Location"] == f"/account/configurations/{unfinished_id}"
    assert 'id="cart-checkout"' not in page and 'id="cart-blocked"' in page
    assert client.get("/account/cart/checkout").status_code == 303
    refused = client.post("/account/cart/checkout", data=dict(NEW_ADDRESS, token="x", terms="y"))
    assert refused.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1  # anna's first


def test_someone_elses_line_is_not_found(client, auth, anna, mallory, app):
    auth.signin()
    client.post(f"/account/configurations/{anna['configuration']}/cart", data=dict(picks(CARBON_BIKE), base_revision="1"))
    with app.app_context():
        line_id = db.session.scalar(sa.select(CartLine.id))
    auth.signout()
    auth.signin("mallory@example.com")
    assert client.post(f"/account/cart/{line_id}/remove").status_code == 404
    assert client.post(f"/account/configurations/{anna['configuration']}/cart",
                       data=dict(picks(CARBON_BIKE), base_revision="1")).status_code == 404


def test_the_api_shows_each_item_of_a_cart_order(app, anna):
    from configurator.services import cart, cart_checkout, checkout
    from configurator.store.models import User
    from configurator.web.api.orders import order_view
    from configurator.web.api.schemas import OrderSchema

    with app.test_request_context():
        user = db.session.get(User, anna["id"])
        cart.add(db.session, user, anna["configuration"], 2)
        cart.add(db.session, user, gen_configuration(db.session, user, CARBON_BIKE, name="Racer").id)
        home = checkout.AddressInput("Anna", "Hauptstr. 1", "10115", "Berlin", "de")
        order = cart_checkout.place_order(
            db.session, user, cart.contents(db.session, user).token, terms_accepted=True, new_address=home)
        shown = OrderSchema().dump(order_view(order))
    assert [(item["name"], item["quantity"]) for item in shown["items"]] == [("Anna's bike", 2), ("Racer", 1)]
    assert shown["selection"] == {} and len(shown["lines"]) == sum(len(i["lines"]) for i in shown["items"])


def test_the_cart_badge_counts_in_persian_digits(client, auth, anna):
    auth.signin()
    for name in ("Racer", "Tourer"):
        client.post("/shop/test-bike/cart", data=dict(picks(CARBON_BIKE), name=name))
    page = client.get("/account/cart", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    badge = re.search(r'id="nav-cart"[^>]*>[^<]* <span class="badge" aria-label="([^"]*)">([^<]*)<',
                      page)
    assert badge and badge.group(2) == "۲" and "۲" in badge.group(1) and "2" not in badge.group(1)
