"""The shop in Persian, in a real browser: right to left (checked on element
positions, not on pixels), Persian digits in prices, the catalog's rule
messages and the one-click repair in Persian; and Vietnamese prices."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from configurator.services import catalogs
from configurator.web.database import db
from tests.browser.waits import htmx_answer
from tests.conftest import DATA

pytestmark = pytest.mark.browser
CITY_BIKE = DATA.parents[1] / "catalog" / "city-bike.yaml"
LATIN_DIGIT = re.compile("[0-9]")
PERSIAN_DIGIT = re.compile("[۰-۹]")


@pytest.fixture
def city_bike(app):
    with app.app_context():
        catalogs.load_file(db.session, CITY_BIKE)


def pick(page, feature, option):
    with htmx_answer(page):
        page.locator(f"label[for='opt-{feature}-{option}']").click()


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_configurator_in_persian_is_right_to_left(page, city_bike):
    page.goto("/shop/city-bike")
    page.get_by_role("link", name="فارسی").click()  # a plain link: no JavaScript needed
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator("h1")).to_have_text("دوچرخهٔ شهری")
    expect(page.locator("#dim-product")).to_have_text("محصول")

    # Right to left: the features start at the right, the summary sits to their left,
    # and in each option the radio button is right of its name.
    features, summary = box(page, ".features"), box(page, "#summary")
    assert summary["x"] + summary["width"] <= features["x"] + 1
    radio, name = box(page, "#opt-frame-alu_step"), box(page, "label[for='opt-frame-alu_step'] .name")
    assert radio["x"] > name["x"]
    legend, fieldset = box(page, "#feature-frame legend"), box(page, "#feature-frame")
    assert fieldset["x"] + fieldset["width"] - (legend["x"] + legend["width"]) < legend["x"] - fieldset["x"]

    # A conflict, explained in Persian, and its repair.
    pick(page, "frame", "steel_classic")
    pick(page, "brakes", "rim_v")
    expect(page.locator("#opt-frame-carbon_sport")).to_be_disabled()
    why = page.locator("#why-opt-frame-carbon_sport")
    expect(why).to_contain_text("بدنهٔ کربنی فقط با ترمز دیسکی هیدرولیک جور است.")
    repair = why.locator("button.repair")
    expect(repair).to_have_text(re.compile(r"^تغییر ترمز به ترمز دیسکی هیدرولیک، \+[۰-۹٬٫]+$"))
    with htmx_answer(page):
        repair.click()
    expect(page.locator("#opt-frame-carbon_sport")).to_be_checked()
    expect(page.locator("#opt-brakes-disc_hydraulic")).to_be_checked()

    # Prices in Persian digits and separators, the currency code kept as it is.
    total = page.locator("#total").inner_text()
    assert PERSIAN_DIGIT.search(total) and "EUR" in total
    assert not LATIN_DIGIT.search(total.replace("EUR", ""))
    prices = page.locator(".option .price").all_inner_texts()
    assert prices and all(PERSIAN_DIGIT.search(p) and not LATIN_DIGIT.search(p) for p in prices)


def test_vietnamese_prices_and_names(page, city_bike):
    page.context.set_extra_http_headers({"Accept-Language": "vi-VN,vi;q=0.9"})
    page.goto("/shop/city-bike")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#feature-frame legend")).to_contain_text("Khung xe")
    expect(page.locator("label[for='opt-frame-carbon_sport'] .price")).to_have_text("+1.490,00")


def test_the_timeline_in_persian_shows_jalali_dates_with_the_gregorian_on_hover(page, app):
    from datetime import UTC, datetime

    from configurator.services import timeline
    from tests.helpers import gen_user

    with app.app_context():
        user = gen_user(db.session, "jalali@example.com", name="Sara")
        user.locale = "fa"
        timeline.record(db.session, user.id, "viewed", "City bike",
                        now=datetime(2026, 3, 21, 9, 30, tzinfo=UTC))  # Nowruz: 1 Farvardin 1405
        db.session.commit()
    page.goto("/auth/signin")
    page.locator("input[name='email']").fill("jalali@example.com")
    page.locator("input[name='password']").fill("password123")
    page.locator("form button[type='submit']").first.click()
    page.goto("/account/timeline")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    moment = page.locator("ol.timeline time span[title]").last
    expect(moment).to_have_text("۱۴۰۵/۰۱/۰۱ ۰۹:۳۰ UTC")
    expect(moment).to_have_attribute("title", "2026-03-21 09:30 UTC")


def test_a_vnd_price_has_no_decimals_through_to_the_order_in_vietnamese(page, app, tmp_path):
    from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user

    dong = (DATA / "bike.yaml").read_text().replace("currency: EUR", "currency: VND")
    (tmp_path / "dong-bike.yaml").write_text(dong.replace("catalog: test-bike", "catalog: dong-bike"))
    with app.app_context():
        catalogs.load_file(db.session, tmp_path / "dong-bike.yaml")
        user = gen_user(db.session, "lan@example.com", name="Lan")
        user.locale = "vi"
        configuration = gen_configuration(db.session, user, COMPLETE_BIKE, catalog_id="dong-bike")
        db.session.commit()
    page.goto("/auth/signin")
    page.locator("input[name='email']").fill("lan@example.com")
    page.locator("input[name='password']").fill("password123")
    page.locator("form button[type='submit']").first.click()
    page.goto(f"/account/configurations/{configuration.id}/checkout")
    expect(page.locator("h1")).to_have_text("Xem lại đơn hàng của bạn")
    page.locator("input[name='name']").fill("Lan")
    page.locator("input[name='street']").fill("Hauptstr. 1")
    page.locator("input[name='postcode']").fill("10115")
    page.locator("input[name='city']").fill("Berlin")
    page.locator("input[name='terms']").check()
    page.locator("#place-order").click()
    expect(page.locator("h1")).to_contain_text("Đơn hàng")
    amounts = page.locator(".amount").all_inner_texts()
    assert amounts and all("," not in text for text in amounts), amounts  # whole đồng: no decimals
    expect(page.locator("strong.amount")).to_contain_text("VND")
