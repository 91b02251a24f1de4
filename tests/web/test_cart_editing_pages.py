"""A cart item reopened in the configurator (web/cart_editing.py), for a guest (/shop/cart)
and a signed-in customer (/account/cart): the banner "Editing item 2 of your cart: …" for
as long as it is edited, in en/fa/vi; "Save changes to this item" (same place, quantity
kept), "Add as a new item" and "Stop editing" (the item untouched). On SQLite and, with
TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from configurator.store.cart import CartLine
from configurator.store.guest_carts import GuestCartItem
from configurator.store.models import Configuration, Revision
from configurator.web.database import db
from tests.conftest import PG_URL, migrated_database_url
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, STEEL_BIKE
from tests.security import conftest as security

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_URL, reason="needs TEST_DATABASE_URL"))]
BANNER = re.compile(r'<section class="panel cart-editing".*?</section>', re.S)
CART = "/shop/cart"
CONFIGURATOR = "/shop/test-bike"
app = security.app  # the shop on `database_url` (pytest finds the fixture by this name)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """Each database in turn (the web suite's own `app` is on SQLite only); `app` is
    tests/security/conftest.py's, built on it."""
    with migrated_database_url(request.param, tmp_path) as url:
        yield url


def picks(selection, name=""):
    return {f"f.{key}": value for key, value in selection.items()} | {"name": name}


def banner(page: str) -> str:
    found = BANNER.search(page)
    return found.group(0) if found else ""


def guest_items(app) -> list[tuple]:
    with app.app_context():
        return [(item.id, item.name, item.quantity, item.selection["frame"])
                for item in db.session.scalars(sa.select(GuestCartItem).order_by(
                    GuestCartItem.added_at, GuestCartItem.id))]


def guest_cart_of_two(client, app) -> tuple[int, int]:
    """Carbon racer (1) and Alu commuter (3 of it) in this browser's cart."""
    for selection, name in ((CARBON_BIKE, "Carbon racer"), (COMPLETE_BIKE, "Alu commuter")):
        client.post(f"{CONFIGURATOR}/cart", data=picks(selection, name))
    carbon, alu = (row[0] for row in guest_items(app))
    client.post(f"{CART}/{alu}/quantity", data={"quantity": "3"})
    return carbon, alu


def test_a_guest_saves_changes_to_the_reopened_item(client, app):
    carbon, alu = guest_cart_of_two(client, app)
    assert banner(client.get(CONFIGURATOR).get_data(as_text=True)) == ""
    client.post(f"{CART}/{alu}/edit")
    page = client.get(CONFIGURATOR).get_data(as_text=True)
    shown = banner(page)
    assert "Editing item 2 of your cart: <bdi>Alu commuter</bdi>" in shown
    for action, label in (("save", "Save changes to this item"), ("new", "Add as a new item"),
                          ("stop", "Stop editing")):
        assert re.search(rf'formaction="{CART}/{alu}/{action}"[^>]*>{label}<', shown)
    assert 'id="summary-cart"' not in page  # the banner says where the picks go
    # A pick keeps the banner: it is in the form, which an htmx pick leaves in place.
    picked = client.post(CONFIGURATOR, data=picks(STEEL_BIKE, "Alu commuter"))
    assert "Editing item 2 of your cart" in banner(picked.get_data(as_text=True))
    saved = client.post(f"{CART}/{alu}/save", data=picks(STEEL_BIKE, "Steel commuter"))
    assert (saved.status_code, saved.headers["Location"]) == (303, CART)
    assert guest_items(app) == [(carbon, "Carbon racer", 1, "carbon"),
                                (alu, "Steel commuter", 3, "steel")]
    assert "“Steel commuter” is changed in your cart." in client.get(CART).get_data(as_text=True)
    assert banner(client.get(CONFIGURATOR).get_data(as_text=True)) == ""


def test_a_guest_adds_the_picks_as_a_new_item_or_stops(client, app):
    carbon, alu = guest_cart_of_two(client, app)
    before = guest_items(app)
    client.post(f"{CART}/{alu}/edit")
    stopped = client.post(f"{CART}/{alu}/stop", data=picks(STEEL_BIKE, "Changed my mind"))
    assert stopped.headers["Location"] == CART
    assert guest_items(app) == before
    assert "“Alu commuter” in your cart is unchanged." in client.get(CART).get_data(as_text=True)
    page = client.get(CONFIGURATOR).get_data(as_text=True)
    assert banner(page) == "" and 'value="Changed my mind"' not in page
    client.post(f"{CART}/{carbon}/edit")
    assert "Editing item 1 of your cart: <bdi>Carbon racer</bdi>" in banner(
        client.get(CONFIGURATOR).get_data(as_text=True))
    client.post(f"{CART}/{carbon}/new", data=picks(STEEL_BIKE, "Steel too"))
    assert guest_items(app)[:2] == before
    assert guest_items(app)[2][1:] == ("Steel too", 1, "steel")
    assert banner(client.get(CONFIGURATOR).get_data(as_text=True)) == ""


def test_a_refused_save_keeps_the_item_and_the_banner(client, app):
    _, alu = guest_cart_of_two(client, app)
    before = guest_items(app)
    client.post(f"{CART}/{alu}/edit")
    refused = client.post(f"{CART}/{alu}/save", data=picks(dict(COMPLETE_BIKE, frame="gold")))
    assert refused.headers["Location"] == CONFIGURATOR
    assert guest_items(app) == before
    assert "Editing item 2 of your cart" in banner(client.get(CONFIGURATOR).get_data(as_text=True))


def test_another_browser_cannot_save_into_the_item(client, app):
    _, alu = guest_cart_of_two(client, app)
    before = guest_items(app)
    stranger = app.test_client()
    for action in ("save", "new", "stop"):
        assert stranger.post(f"{CART}/{alu}/{action}", data=picks(STEEL_BIKE)).status_code == 404
    assert guest_items(app) == before


@pytest.mark.parametrize(("language", "heading", "save"), [
    ("fa", "در حال ویرایش مورد ۲ سبد خریدتان: <bdi>Alu commuter</bdi>", "ذخیرهٔ تغییرات در همین مورد"),
    ("vi", "Đang sửa món thứ 2 trong giỏ hàng của bạn: <bdi>Alu commuter</bdi>", "Lưu thay đổi vào món này"),
])
def test_the_banner_in_persian_and_vietnamese(client, app, language, heading, save):
    _, alu = guest_cart_of_two(client, app)
    client.post(f"{CART}/{alu}/edit")
    shown = banner(client.get(CONFIGURATOR, headers={"Accept-Language": language})
                   .get_data(as_text=True))
    assert heading in shown and save in shown


# ---------------------------------------------------------------- signed in


def account_lines(app) -> list[tuple]:
    """(line id, configuration name, quantity, newest revision's frame), in cart order."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(CartLine.id, Configuration.name, CartLine.quantity, Revision.selection)
            .join(Configuration, Configuration.id == CartLine.configuration_id)
            .join(Revision, sa.and_(Revision.configuration_id == Configuration.id,
                                    Revision.number == Configuration.revision_count))
            .order_by(CartLine.added_at, CartLine.id))
        return [(line, name, quantity, selection["frame"]) for line, name, quantity, selection in rows]


def account_cart_of_two(client, auth, anna) -> tuple[int, int]:
    """A new "Racer" (1), then Anna's bike (2 of it) in Anna's cart."""
    auth.signin()
    client.post(f"{CONFIGURATOR}/cart", data=picks(CARBON_BIKE, "Racer"))
    client.post(f"/account/configurations/{anna['configuration']}/cart",
                data=dict(picks(COMPLETE_BIKE), base_revision="1"))
    client.post(f"/account/configurations/{anna['configuration']}/cart",
                data=dict(picks(COMPLETE_BIKE), base_revision="1"))
    page = client.get("/account/cart").get_data(as_text=True)
    racer, annas = (int(n) for n in re.findall(r'action="/account/cart/(\d+)/edit"', page))
    return racer, annas


def test_a_customer_saves_changes_to_the_reopened_line(client, auth, anna, app):
    racer, annas = account_cart_of_two(client, auth, anna)
    page_url = f"/account/configurations/{anna['configuration']}"
    assert banner(client.get(page_url).get_data(as_text=True)) == ""
    reopened = client.post(f"/account/cart/{annas}/edit")
    assert reopened.headers["Location"] == page_url
    page = client.get(page_url).get_data(as_text=True)
    shown = banner(page)
    assert "Editing item 2 of your cart: <bdi>Anna&#39;s bike</bdi>" in shown
    assert f'formaction="/account/cart/{annas}/save"' in shown and 'id="summary-cart"' not in page
    stale = client.post(f"/account/cart/{annas}/save", data=dict(picks(STEEL_BIKE), base_revision="0"))
    assert stale.status_code == 409 and "Editing item 2" in banner(stale.get_data(as_text=True))
    saved = client.post(f"/account/cart/{annas}/save", data=dict(picks(STEEL_BIKE), base_revision="1"))
    assert saved.headers["Location"] == "/account/cart"
    assert account_lines(app) == [(racer, "Racer", 1, "carbon"), (annas, "Anna's bike", 2, "steel")]
    assert "is changed in your cart." in client.get("/account/cart").get_data(as_text=True)
    assert banner(client.get(page_url).get_data(as_text=True)) == ""


def test_a_customer_adds_the_picks_as_a_new_line_or_stops(client, auth, anna, app):
    racer, annas = account_cart_of_two(client, auth, anna)
    before = account_lines(app)
    client.post(f"/account/cart/{racer}/edit")
    with app.app_context():
        racer_page = f"/account/configurations/{db.session.get(CartLine, racer).configuration_id}"
    assert "Editing item 1 of your cart: <bdi>Racer</bdi>" in banner(client.get(racer_page).get_data(as_text=True))
    client.post(f"/account/cart/{racer}/stop", data=dict(picks(STEEL_BIKE), base_revision="1"))
    assert account_lines(app) == before
    assert banner(client.get(racer_page).get_data(as_text=True)) == ""
    client.post(f"/account/cart/{racer}/edit")
    client.post(f"/account/cart/{racer}/new", data=dict(picks(STEEL_BIKE), base_revision="1"))
    assert account_lines(app)[:2] == before
    assert account_lines(app)[2][1:] == ("Racer", 1, "steel")
    assert banner(client.get(racer_page).get_data(as_text=True)) == ""


def test_someone_elses_line_is_not_found(client, auth, anna, mallory, app):
    _, annas = account_cart_of_two(client, auth, anna)
    before = account_lines(app)
    auth.signout()
    auth.signin("mallory@example.com")
    for action in ("edit", "save", "new", "stop"):
        assert client.post(f"/account/cart/{annas}/{action}",
                           data=dict(picks(STEEL_BIKE), base_revision="1")).status_code == 404
    assert account_lines(app) == before
