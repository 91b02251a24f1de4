""""Same as last time" of a product line a cart order held as its second item, and the
order's page: the link names the item, and following it fills in that item's picks
(issue 17)."""

from __future__ import annotations

import re

from configurator.services import catalogs
from configurator.web.database import db
from tests.helpers import PASSWORD, gen_user
from tests.services.test_read_back_cart import REPO
from tests.services.test_read_back_cart_lines import cart_order


def test_same_as_last_time_starts_from_the_cart_orders_item_of_the_line(client, auth, app):
    with app.app_context():
        catalogs.load_file(db.session, REPO / "catalog" / "coffee-subscription.yaml")
        customer = gen_user(db.session, "mia@example.com", name="Mia")
        number = cart_order(db.session, customer, None).number  # a bike, then a coffee
    auth.signin("mia@example.com", PASSWORD)
    html = client.get("/shop/coffee-subscription").get_data(as_text=True)
    link = f"/shop/coffee-subscription?order={number}&amp;item=1"
    assert f'href="{link}"' in html and "Same as last time" in html
    assert f'href="/shop/test-bike?order={number}&amp;item=0"' in client.get(
        "/shop/test-bike").get_data(as_text=True)
    again = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f"Started from order {number}; everything still fits." in again
    assert re.search(r'<input[^>]*id="opt-frequency-weekly"[^>]*checked', again)
    assert re.search(r'<input[^>]*id="opt-extras-pour_over_dripper"[^>]*checked', again)
    missing = client.get(f"/shop/coffee-subscription?order={number}&item=7")
    assert "There is no such configuration or order to start from." in missing.get_data(as_text=True)


def test_a_cart_orders_page_starts_a_configuration_from_each_item(client, auth, app):
    with app.app_context():
        catalogs.load_file(db.session, REPO / "catalog" / "coffee-subscription.yaml")
        customer = gen_user(db.session, "mia@example.com", name="Mia")
        number = cart_order(db.session, customer, None).number  # a bike, then a coffee
    auth.signin("mia@example.com", PASSWORD)
    page = client.get(f"/account/orders/{number}").get_data(as_text=True)
    coffee = page[page.index('id="order-item-2"'):].split("</div>")[0]
    link = f"/shop/coffee-subscription?order={number}&amp;item=1"
    assert f'href="{link}"' in coffee and "Start a new configuration from this one" in coffee
    started = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="opt-frequency-weekly"[^>]*checked', started)
