"""Offers inside the configurator of the product line they concern, and
several running campaigns on the shop's front page (issue 17)."""

from __future__ import annotations

from decimal import Decimal

from configurator.services.offers import campaigns, holdout
from configurator.store.models import User
from configurator.web.database import db
from tests.helpers import gen_order
from tests.services.quote_factories import gen_staff


def campaigns_showing(app, anna, *names) -> list[int]:
    """Discount campaigns (10 %, 15 %, ...) whose hashes put Anna (two orders) in the offer group."""
    ids = []
    with app.app_context():
        session = db.session
        gen_order(session, session.get(User, anna["id"]))
        staff = gen_staff(session, "staff", "sales@shop.example")
        codes = (f"c-{n}" for n in range(1000)
                 if holdout.group(f"c-{n}", anna["id"], Decimal("0.2")) == holdout.OFFER)
        for n, name in enumerate(names):
            ids.append(campaigns.create(session, staff, campaigns.CampaignInput(
                code=next(codes), name=name, reward_kind="discount", percent=str(10 + 5 * n))).id)
    return ids


def test_the_configurator_shows_the_offers_of_its_line_once_made(client, auth, anna, app):
    spring, = campaigns_showing(app, anna, "Spring offer")
    auth.signin()
    assert "An offer for you" not in client.get("/shop/test-bike").get_data(as_text=True)
    client.get("/shop/")  # the front page makes the offer
    page = client.get("/shop/test-bike").get_data(as_text=True)
    assert f'id="offer-{spring}"' in page and "An offer for you: Spring offer" in page
    assert "10 % off your next order" in page and "It is taken off at checkout." in page
    assert f"/shop/offers/{spring}/open/2" in page  # Carbon, the step up


def test_the_front_page_shows_every_running_campaigns_offer(client, auth, anna, app):
    spring, autumn = campaigns_showing(app, anna, "Spring offer", "Autumn offer")
    auth.signin()
    page = client.get("/shop/").get_data(as_text=True)
    assert page.index("Autumn offer") < page.index("Spring offer")  # newest first
    assert 'id="offer"' in page and f'id="offer-{spring}"' in page
    assert page.count('id="no-more-offers"') == 1
