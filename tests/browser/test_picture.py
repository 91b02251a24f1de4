"""The composed picture of the configured product in a real browser: it loads,
and a pick changes it through the same htmx answer (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from configurator.services import catalogs
from configurator.web.database import db
from tests.browser.waits import htmx_answer, settled

pytestmark = pytest.mark.browser

CITY_BIKE = Path(__file__).parents[2] / "catalog" / "city-bike.yaml"


@pytest.fixture
def city_bike(app):
    with app.app_context():
        catalogs.load_file(db.session, CITY_BIKE)


def test_the_picture_changes_with_a_pick(page, city_bike):
    page.goto("/shop/city-bike")
    settled(page)
    picture = page.locator("#picture img")
    expect(picture).to_be_visible()
    before = picture.get_attribute("src")
    assert page.evaluate("document.querySelector('#picture img').naturalWidth") > 0
    with htmx_answer(page):
        page.locator("label[for='opt-frame-carbon_sport']").click()
    expect(picture).not_to_have_attribute("src", before)
    after = picture.get_attribute("src")
    assert "f.frame=carbon_sport" in after
    expect(picture).to_have_attribute("alt", "Picture of your city bike: Carbon sport")
    page.wait_for_function("document.querySelector('#picture img').complete")
    assert page.evaluate("document.querySelector('#picture img').naturalWidth") > 0
    svg = page.request.get(after)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert 'data-option="carbon_sport"' in svg.text()


def test_on_a_phone_the_bar_shows_the_picture_and_it_follows_each_pick(browser, live_server,
                                                                      city_bike):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                  has_touch=True)
    phone = context.new_page()
    phone.goto("/shop/city-bike")
    settled(phone)
    thumbnail = phone.locator("#summary-bar img")
    expect(thumbnail).to_be_in_viewport()
    before = thumbnail.get_attribute("src")
    option = phone.locator("label[for='opt-frame-carbon_sport']")
    option.scroll_into_view_if_needed()
    with htmx_answer(phone):
        option.click()
    expect(thumbnail).not_to_have_attribute("src", before)
    assert "f.frame=carbon_sport" in thumbnail.get_attribute("src")
    expect(thumbnail).to_be_in_viewport()
    phone.wait_for_function("document.querySelector('#summary-bar img').complete")
    assert phone.evaluate("document.querySelector('#summary-bar img').naturalWidth") > 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_on_a_desktop_the_bar_picture_is_not_fetched(page, city_bike):
    fetched = []
    page.on("request", lambda request: "/picture" in request.url and fetched.append(request.url))
    page.goto("/shop/city-bike")
    settled(page)
    expect(page.locator("#summary-bar img")).to_be_hidden()
    assert len(fetched) == 1  # the full picture only
