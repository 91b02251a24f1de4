"""A guest's cart in the shop (issue 17): "Add to cart" without an account, the cart
page (quantity, remove, reopen to change), one guest checkout of every item, CSRF,
the rate limit shared with guest orders, another browser reaching nothing, and the
items moving into the account's cart at sign-in."""

from __future__ import annotations

import re

import sqlalchemy as sa

from configurator.store.cart import CartLine
from configurator.store.guest_carts import GuestCartItem
from configurator.store.messages import Message
from configurator.store.models import Order
from configurator.web.database import db
from configurator.web.security import GUEST_CART_LIMIT, GUEST_ORDER_LIMIT
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE
from tests.web.test_guest_order_pages import GUEST, ORDER, START, submission_of
from tests.web.test_rate_limit import limited_app

ADD = "/shop/test-bike/cart"
CART = "/shop/cart"
CHECKOUT = "/shop/cart/checkout"


def picks(selection, name=""):
    return {f"f.{key}": value for key, value in selection.items()} | {"name": name}


def fill(client):
    """Two configured bikes in this browser's guest cart."""
    for selection, name in ((CARBON_BIKE, "Carbon racer"), (COMPLETE_BIKE, "Alu commuter")):
        response = client.post(ADD, data=picks(selection, name))
        assert (response.status_code, response.headers["Location"]) == (303, CART)


def item_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(GuestCartItem.id).order_by(GuestCartItem.id)))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def review_token(page: str) -> str:
    found = re.search(r'name="token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="token" name="token" type="hidden" value="([^"]+)"', page)
    assert found, "the review carries what it shows"
    return found.group(1)


def test_a_guest_adds_to_the_cart_without_an_account(client, app):
    page = client.post("/shop/test-bike", data=picks(CARBON_BIKE)).get_data(as_text=True)
    assert 'id="summary-cart"' in page and "Add to cart" in page and "Save and add" not in page
    fill(client)
    page = client.get(CART).get_data(as_text=True)
    assert "Carbon racer" in page and "Alu commuter" in page and 'id="cart-checkout"' in page
    assert 'id="nav-cart"' in page and 'name="csrf_token"' in page
    assert client.get(CART).headers["Cache-Control"] == "no-store"
    assert count(app, GuestCartItem) == 2 and count(app, CartLine) == 0


def test_quantity_remove_and_reopen(client, app):
    fill(client)
    carbon, alu = item_ids(app)
    client.post(f"{CART}/{alu}/quantity", data={"quantity": "3"})
    refused = client.post(f"{CART}/{alu}/quantity", data={"quantity": "0"}, follow_redirects=True)
    assert "between 1 and 99" in refused.get_data(as_text=True)
    client.post(f"{CART}/{carbon}/remove")
    reopened = client.post(f"{CART}/{alu}/edit")
    assert (reopened.status_code, reopened.headers["Location"]) == (303, "/shop/test-bike")
    assert 'value="Alu commuter"' in client.get("/shop/test-bike").get_data(as_text=True)
    client.post(f"{CART}/{alu}/save", data=picks(dict(COMPLETE_BIKE, frame="steel"), "Steel now"))
    with app.app_context():
        (item,) = db.session.scalars(sa.select(GuestCartItem))
        assert (item.id, item.name, item.quantity, item.selection["frame"]) == (
            alu, "Steel now", 3, "steel")


def test_another_browser_reaches_no_item(client, app):
    fill(client)
    stranger = app.test_client()
    for item in item_ids(app):
        for action in ("quantity", "remove", "edit", "save", "new", "stop"):
            assert stranger.post(f"{CART}/{item}/{action}", data={"quantity": "5"},
                                 headers={"X-CSRFToken": "x"}).status_code in (400, 404)
    other = type(client)(app, client.response_wrapper, use_cookies=True)
    for item in item_ids(app):
        assert other.post(f"{CART}/{item}/remove").status_code == 404
    assert "Your cart is empty." in other.get(CART).get_data(as_text=True)
    assert count(app, GuestCartItem) == 2


def test_without_the_csrf_token_nothing_changes(client, raw_client, app):
    fill(client)
    item = item_ids(app)[0]
    assert raw_client.post(ADD, data=picks(CARBON_BIKE)).status_code == 400
    assert raw_client.post(CHECKOUT, data=GUEST).status_code == 400
    assert raw_client.post(f"{CART}/{item}/remove").status_code == 400
    assert count(app, GuestCartItem) == 2 and count(app, Order) == 0


def test_one_guest_checkout_orders_every_item(client, app):
    fill(client)
    page = client.get(CHECKOUT).get_data(as_text=True)
    assert 'name="email"' in page and 'name="street"' in page and 'id="review-item-2"' in page
    form = dict(GUEST, submission=submission_of(page), token=review_token(page))
    refused = client.post(CHECKOUT, data=dict(form, terms=""))
    assert refused.status_code == 400 and "Please accept the terms" in refused.get_data(as_text=True)
    assert count(app, GuestCartItem) == 2  # a refusal keeps the cart
    first = client.post(CHECKOUT, data=form)
    second = client.post(CHECKOUT, data=form)  # a double click: the same order
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == "/shop/guest-order/thanks"
    with app.app_context():
        order = db.session.scalars(sa.select(Order)).one()
        assert [item["configuration"]["name"] for item in order.snapshot["items"]] == [
            "Carbon racer", "Alu commuter"]
        mail = db.session.scalars(sa.select(Message)).one()
        assert (mail.kind, mail.to_address) == ("order_confirmation", "gina@example.com")
    assert order.number in client.get("/shop/guest-order/thanks").get_data(as_text=True)
    assert count(app, GuestCartItem) == 0
    assert "Your cart is empty." in client.get(CART).get_data(as_text=True)


def test_a_cart_changed_after_the_review_is_not_ordered_unseen(client, app):
    fill(client)
    page = client.get(CHECKOUT).get_data(as_text=True)
    form = dict(GUEST, submission=submission_of(page), token=review_token(page))
    client.post(f"{CART}/{item_ids(app)[0]}/quantity", data={"quantity": "4"})
    refused = client.post(CHECKOUT, data=form)
    assert refused.status_code == 400 and "changed since you reviewed" in refused.get_data(
        as_text=True)
    assert count(app, Order) == 0
    again = client.post(CHECKOUT, data=dict(form, token=review_token(refused.get_data(
        as_text=True))))
    assert again.status_code == 303 and count(app, Order) == 1


def test_an_empty_cart_has_no_checkout(client):
    response = client.get(CHECKOUT)
    assert (response.status_code, response.headers["Location"]) == (303, CART)


def test_guest_cart_orders_share_the_guest_order_limit(app):
    client = limited_app(app).test_client()
    allowed = int(GUEST_ORDER_LIMIT.split()[0])
    fill(client)
    client.post(START, data=picks(COMPLETE_BIKE))
    address = {"REMOTE_ADDR": "10.0.9.2"}
    tries = [client.post(ORDER, environ_base=address, data=dict(GUEST, terms="")).status_code
             for _ in range(allowed - 1)]
    tries += [client.post(CHECKOUT, environ_base=address, data=dict(GUEST, terms="")).status_code
              for _ in range(2)]
    assert tries == [400] * allowed + [429]


def test_guest_cart_adds_are_limited_per_client_address(app, anna):
    client = limited_app(app).test_client()
    allowed = int(GUEST_CART_LIMIT.split()[0])
    address = {"REMOTE_ADDR": "10.0.9.3"}
    tries = [client.post(ADD, environ_base=address, data=picks(COMPLETE_BIKE)).status_code
             for _ in range(allowed + 1)]
    assert tries == [303] * allowed + [429]
    client.post("/auth/signin", environ_base=address,
                data={"email": "anna@example.com", "password": "password123"})
    assert client.post(ADD, environ_base=address, data=picks(COMPLETE_BIKE)).status_code == 303


def test_at_sign_in_the_items_move_into_the_accounts_cart(client, auth, anna, app):
    fill(client)
    signed_in = auth.signin()
    assert signed_in.status_code in (302, 303)
    page = client.get("/account/cart").get_data(as_text=True)
    assert "2 items from your visit were added to your cart." in page
    assert "Carbon racer" in page and "Alu commuter" in page
    assert count(app, GuestCartItem) == 0 and count(app, CartLine) == 2
    assert client.get(CART).headers["Location"] == "/account/cart"


def test_hostile_input_gets_an_answer_never_a_5xx(client, app):
    from tests.security.test_form_fuzz import HOSTILE_VALUES, post

    fill(client)
    item = item_ids(app)[0]
    failures = []
    for kind, value in HOSTILE_VALUES.items():
        for url, data in ((CHECKOUT, {name: value for name in (*GUEST, "token", "submission")}),
                          (f"{CART}/{item}/quantity", {"quantity": value}),
                          (ADD, {name: value for name in picks(COMPLETE_BIKE)})):
            if failure := post(client, url, data):
                failures.append((kind, url, failure))
    assert failures == []


def test_the_move_is_told_in_the_readers_language_and_digits(client, auth, anna):
    fill(client)
    client.get("/language/fa?next=/shop/")
    auth.signin()
    page = client.get("/account/cart").get_data(as_text=True)
    assert "۲ مورد از بازدید شما به سبد خریدتان افزوده شد." in page


def test_the_error_page_of_a_guest_with_a_cart_survives_a_database_outage(app, monkeypatch):
    """When the database does not answer, the error page's cart badge must not fail it."""
    from flask import request
    from sqlalchemy.exc import OperationalError

    from configurator.config import TestConfig
    from configurator.services import guest_carts
    from configurator.web import create_app

    live = create_app(TestConfig, {"TESTING": False, "DATABASE_URL": app.config["DATABASE_URL"],
                                   "DATABASE_ENGINE": app.config["DATABASE_ENGINE"]})
    live.test_client_class = type(app.test_client())
    client = live.test_client()
    fill(client)

    def database_gone(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("the server closed the connection"))

    def fail_on_the_shop():
        if request.path == "/shop/":
            database_gone()

    live.before_request_funcs.setdefault(None, []).insert(0, fail_on_the_shop)
    monkeypatch.setattr(guest_carts, "count", database_gone)
    response = client.get("/shop/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_a_rule_of_the_delivery_country_is_named_at_the_carts_checkout(client, app):
    """As for a guest order: the cart's items were complete for a visitor of no country,
    and Germany's rule refused the order with "Finish the open choices first"."""
    from configurator.services import catalogs
    from tests.web.test_guest_order_pages import LIGHTS_IN_GERMANY

    with app.app_context():
        catalogs.load_text(db.session, LIGHTS_IN_GERMANY, "bike-de.yaml")
        db.session.commit()
    fill(client)
    needs = "For delivery to this country, also choose: Extras."
    page = client.get(CHECKOUT).get_data(as_text=True)  # Germany, the form's first country
    assert f"Carbon racer: {needs}" in page and f"Alu commuter: {needs}" in page
    form = dict(GUEST, submission=submission_of(page), token=review_token(page))
    refused = client.post(CHECKOUT, data=form)
    assert refused.status_code == 400 and needs in refused.get_data(as_text=True)
    assert count(app, Order) == 0
    reviewed = review_token(refused.get_data(as_text=True))
    placed = client.post(CHECKOUT, data=dict(form, country="at", token=reviewed))
    assert placed.status_code == 303 and count(app, Order) == 1
