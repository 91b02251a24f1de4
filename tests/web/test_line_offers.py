"""Offers inside the configurator of the product line they concern, and
several running campaigns on the shop's front page (issue 17)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from configurator.services.offers import campaigns, holdout
from configurator.store.models import User
from configurator.store.offers import OfferCampaign
from configurator.store.types import utcnow
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, gen_order
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


HTMX_PICK = {"HX-Request": "true", "HX-Target": "configurator", "HX-Trigger": "configurator"}


def offer_panel(html: str) -> str:
    start = html.index('<div id="line-offers"')
    return html[start:html.index("</div>", start)]


def test_the_offer_panel_follows_the_picks(client, auth, anna, app):
    """A pick's answer swaps the panel in: the offered option picked shows the offer
    applied, with its reward in the price; unpicked, it asks for one of its items."""
    spring, = campaigns_showing(app, anna, "Spring offer")  # offered: alu, rim, carbon
    auth.signin()
    client.get("/shop/")  # the front page makes the offer
    steel = {f"f.{key}": value for key, value in dict(COMPLETE_BIKE, frame="steel",
                                                         brakes="disc_hydraulic").items()}
    answer = client.post("/shop/test-bike", data=steel, headers=HTMX_PICK)
    panel = offer_panel(answer.get_data(as_text=True))
    assert 'hx-swap-oob="true"' in panel and f'id="offer-{spring}"' in panel
    assert "Pick one of these to get it." in panel and "Applied to your picks" not in panel
    alu = {f"f.{key}": value for key, value in COMPLETE_BIKE.items()}
    panel = offer_panel(client.post("/shop/test-bike", data=alu, headers=HTMX_PICK)
                        .get_data(as_text=True))
    # 185.00 list price, 10 % off: the engine's 18.50, as the checkout takes it off.
    assert "Applied to your picks: 18.50 off. You pay 166.50 instead of 185.00." in panel
    assert "applied" in panel.split(f'id="offer-{spring}"')[0]  # the panel's class
    assert panel.count("✓ picked") == 2  # Alu and Rim brakes; not Carbon
    page = client.get("/shop/test-bike").get_data(as_text=True)  # the full page, same picks
    assert "Applied to your picks: 18.50 off." in offer_panel(page)


def test_a_guest_gets_an_empty_panel_in_a_picks_answer(client):
    answer = client.post("/shop/test-bike", data={"f.frame": "alu"}, headers=HTMX_PICK)
    assert answer.status_code == 200
    panel = offer_panel(answer.get_data(as_text=True))
    assert 'hx-swap-oob="true"' in panel and "<aside" not in panel


def test_a_campaign_ended_between_two_picks_is_cleared_from_the_panel(client, auth, anna, app):
    """The second pick's answer swaps in an empty panel: without it the browser kept
    showing the ended offer (and its price) until the page was reloaded."""
    spring, = campaigns_showing(app, anna, "Spring offer")
    auth.signin()
    client.get("/shop/")  # the front page makes the offer
    alu = {f"f.{key}": value for key, value in COMPLETE_BIKE.items()}
    first = offer_panel(client.post("/shop/test-bike", data=alu, headers=HTMX_PICK)
                        .get_data(as_text=True))
    assert f'id="offer-{spring}"' in first
    with app.app_context():
        campaign = db.session.get(OfferCampaign, spring)
        campaign.ends_at = utcnow() - timedelta(seconds=1)  # the campaign ends meanwhile
        db.session.commit()
    second = client.post("/shop/test-bike", data=dict(alu, **{"f.brakes": "disc_hydraulic"}),
                         headers=HTMX_PICK)
    assert second.status_code == 200
    panel = offer_panel(second.get_data(as_text=True))
    assert 'hx-swap-oob="true"' in panel and "<aside" not in panel
    assert "An offer for you" not in second.get_data(as_text=True)


def test_of_two_offers_the_panel_applies_the_larger(client, auth, anna, app):
    spring, autumn = campaigns_showing(app, anna, "Spring offer", "Autumn offer")  # 10 %, 15 %
    auth.signin()
    client.get("/shop/")
    alu = {f"f.{key}": value for key, value in COMPLETE_BIKE.items()}
    panel = offer_panel(client.post("/shop/test-bike", data=alu, headers=HTMX_PICK)
                        .get_data(as_text=True))
    autumn_part = panel[panel.index(f'id="offer-{autumn}"'):]
    spring_part = panel[panel.index(f'id="offer-{spring}"'):]
    spring_part = spring_part[:spring_part.index("</aside>")]
    assert "Applied to your picks: 27.75 off. You pay 157.25 instead of 185.00." in autumn_part
    assert "Another offer takes more off these picks." in spring_part
