"""An offer in a real browser: a customer who ordered the test bike twice sees
their offer in the shop, opens its step up (carbon), completes and saves the
bike, and orders it with the 10 % taken off at checkout and on the order."""

import re

import pytest
from playwright.sync_api import expect

from configurator.services.offers import campaigns, holdout
from configurator.web.database import db
from tests.helpers import gen_order, gen_user
from tests.services.quote_factories import gen_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def shown_customer(app):
    """Ria, two orders of the aluminium bike, in the offer group of a 10 % campaign."""
    with app.app_context():
        session = db.session
        ria = gen_user(session, "ria@example.com", name="Ria")
        gen_order(session, ria)
        gen_order(session, ria)
        code = next(f"spring-{n}" for n in range(100)
                    if holdout.group(f"spring-{n}", ria.id, campaigns.Decimal("0.2")) == holdout.OFFER)
        campaigns.create(session, gen_staff(session, "staff", "sales@shop.example"),
                         campaigns.CampaignInput(code=code, name="Spring offer",
                                                 reward_kind="discount", percent="10"))
        session.commit()


def test_an_offer_is_shown_opened_and_accepted(page, shown_customer):
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("ria@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/shop/")
    offer = page.locator("#offer")
    expect(offer).to_contain_text("An offer for you: Spring offer")
    expect(offer).to_contain_text("10 % off your next order")
    expect(offer).to_contain_text("A step up from what you usually choose")

    offer.get_by_role("link", name="Carbon").click()
    expect(page.locator("#opt-frame-carbon")).to_be_checked()
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#total")).to_contain_text("825.00 EUR")
    page.get_by_label("Save as").fill("Offer bike")
    page.get_by_role("button", name="Save configuration").click()
    expect(page.locator("h1")).to_have_text("Offer bike")

    page.get_by_role("button", name=re.compile("Review and order")).click()
    expect(page.locator("#offer-line")).to_contain_text("Spring offer: 10 % off")
    expect(page.locator("#offer-line")).to_contain_text("-82.50")
    page.get_by_label("Name").fill("Ria")
    page.get_by_label("Street and number").fill("Hauptstr. 1")
    page.get_by_label("Postcode").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name=re.compile("Place order · 742.50")).click()
    expect(page.locator("#messages")).to_contain_text("is placed")
    expect(page.locator("#offer-line")).to_contain_text("Spring offer: 10 % off")
    expect(page.locator("main")).to_contain_text("742.50 EUR")
