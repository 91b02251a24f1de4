"""The configurator's offer panel follows the picks in a real browser (issue 17):
picking the offered carbon frame swaps the panel in, applied, with the price."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_offer_walk import shown_customer  # noqa: F401  (a fixture)
from tests.browser.waits import htmx_answer

pytestmark = pytest.mark.browser


def test_picking_an_offered_option_applies_the_offer_in_the_panel(page, shown_customer):  # noqa: F811
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("ria@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/shop/")  # the front page makes the offer
    expect(page.locator("#offer")).to_contain_text("Spring offer")
    page.goto("/shop/test-bike")
    panel = page.locator("#line-offers")
    expect(panel).to_contain_text("Pick one of these to get it.")
    with htmx_answer(page):
        page.locator("#opt-frame-carbon").check()
    expect(panel).to_contain_text("Applied to your picks")
    expect(panel).to_contain_text("✓ picked")
