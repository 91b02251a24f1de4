"""The offer's reward on the cart and its checkout pages (issue 17): shown with the
item it comes from, taken off the total, kept on the order's page."""

from __future__ import annotations

import re

from configurator.services import cart
from configurator.store.models import User
from configurator.web.database import db
from tests.helpers import gen_configuration
from tests.web.test_line_offers import campaigns_showing


def test_the_cart_shows_the_reward_and_the_order_keeps_it(client, auth, anna, app):
    campaigns_showing(app, anna, "Spring offer")
    with app.app_context():
        customer = db.session.get(User, anna["id"])
        cart.add(db.session, customer, gen_configuration(db.session, customer, name="Town bike").id)
    auth.signin()
    client.get("/shop/")  # the front page makes the offer
    page = client.get("/account/cart").get_data(as_text=True)
    line = re.search(r'<tr id="offer-line">(.*?)</tr>', page, re.S).group(1)
    assert "Spring offer: 10 % off" in line and "Town bike" in line and "-18.50" in line
    assert "166.50" in page  # 185.00 less 18.50
    checkout_page = client.get("/account/cart/checkout").get_data(as_text=True)
    assert 'id="offer-line"' in checkout_page and "166.50" in checkout_page
