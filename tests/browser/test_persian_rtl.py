"""The shop in Persian, in a real browser: right to left (checked on element
positions, not on pixels), Persian digits in prices, the catalog's rule
messages and the one-click repair in Persian; Vietnamese prices; and the two
demo lines sold in VND and IRR, in Vietnamese and in Persian."""

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
PHIN_COFFEE = DATA.parents[1] / "catalog" / "phin-coffee.yaml"  # the demo line sold in VND
KASHAN_CARPET = DATA.parents[1] / "catalog" / "kashan-carpet.yaml"  # the demo line sold in IRR
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


def sign_in_as(app, page, email: str, name: str, locale: str, country: str) -> None:
    """A customer who saved `locale` as their language, signed in through the form."""
    from tests.helpers import gen_user

    with app.app_context():
        user = gen_user(db.session, email, name=name, country=country)
        user.locale = locale
        db.session.commit()
    page.goto("/auth/signin")
    page.locator("input[name='email']").fill(email)
    page.locator("input[name='password']").fill("password123")
    page.locator("form button[type='submit']").first.click()
    expect(page.locator("html")).to_have_attribute("lang", locale)


def test_a_vnd_price_has_no_decimals_through_to_the_order_in_vietnamese(page, app):
    """On the demo line sold in đồng: whole-đồng prices from the configurator to the order."""
    with app.app_context():
        catalogs.load_file(db.session, PHIN_COFFEE)
    sign_in_as(app, page, "lan@example.com", "Lan", "vi", "vn")
    page.goto("/shop/phin-coffee")
    expect(page.locator("h1")).to_have_text("Cà phê phin Việt Nam")
    expect(page.locator("label[for='opt-bean-arabica_cau_dat'] .price")).to_have_text("+45.000")
    for feature, option in (("bean", "arabica_cau_dat"), ("amount", "kg1"),
                            ("phin", "phin_stainless"), ("frequency", "one_off")):
        pick(page, feature, option)
    with htmx_answer(page):
        page.locator("#summary-complete").click()
    expect(page.locator("#status")).to_contain_text("Đã đủ: sẵn sàng đặt hàng.")
    # 45.000 + 340.000 + 95.000; the 300.000 ₫ minimum makes standard delivery free.
    expect(page.locator("#opt-carrier-free_standard")).to_be_checked()
    expect(page.locator("#total")).to_have_text("480.000 VND")
    prices = page.locator(".option .price").all_inner_texts()
    assert prices and not any("," in price for price in prices), prices  # no decimal part

    page.locator("#config-name").fill("Cà phê cho văn phòng")
    page.locator("#summary-save").click()
    expect(page.locator("h1")).to_have_text("Cà phê cho văn phòng")
    page.locator("#summary-order").click()
    expect(page.locator("h1")).to_have_text("Xem lại đơn hàng của bạn")
    page.locator("input[name='name']").fill("Nguyễn Thị Lan")
    page.locator("input[name='street']").fill("36 Hàng Bạc")
    page.locator("input[name='postcode']").fill("100000")
    page.locator("input[name='city']").fill("Hà Nội")
    page.locator("input[name='terms']").check()
    page.locator("#place-order").click()
    expect(page.locator("h1")).to_contain_text("Đơn hàng")
    amounts = page.locator(".amount").all_inner_texts()
    assert amounts and all("," not in text for text in amounts), amounts  # whole đồng: no decimals
    expect(page.locator("strong.amount")).to_have_text(re.compile(r"^480\.000 VND$"))


def test_the_rial_line_in_persian_has_persian_digits_and_no_decimals(page, app):
    """On the demo line sold in rials: Persian digits, no decimal part, and a repair
    priced in whole rials, explained in Persian."""
    with app.app_context():
        catalogs.load_file(db.session, KASHAN_CARPET)
    sign_in_as(app, page, "sara@example.com", "سارا", "fa", "ir")
    page.goto("/shop/kashan-carpet")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("فرش ماشینی کاشان")
    expect(page.locator("label[for='opt-size-rug_9m'] .price")).to_have_text("+۳۵۰٬۰۰۰٬۰۰۰")
    pick(page, "size", "rug_9m")
    pick(page, "reeds", "r700")

    # Silk highlights need 1,200 reeds: explained in Persian; the repair costs the reeds
    # and the silk together, 90,000,000 + 60,000,000 rials, in whole rials.
    expect(page.locator("#opt-yarn-silk_highlights")).to_be_disabled()
    why = page.locator("#why-opt-yarn-silk_highlights")
    expect(why).to_contain_text("گل‌ابریشم برای اینکه ظرافتش دیده شود دست‌کم ۱۲۰۰ شانه می‌خواهد.")
    expect(why.locator("button.repair")).to_have_text(re.compile(r"^تغییر شانه و تراکم به ۱۲۰۰ شانه، تراکم ۳۶۰۰، \+۱۵۰٬۰۰۰٬۰۰۰$"))
    with htmx_answer(page):
        why.locator("button.repair").click()
    expect(page.locator("#opt-reeds-r1200")).to_be_checked()

    total = page.locator("#total")
    expect(total).to_have_text("۵۰۰٬۰۰۰٬۰۰۰ IRR")  # 9 m², 1,200 reeds, silk highlights
    prices = page.locator(".option .price").all_inner_texts() + [total.inner_text()]
    for text in prices:
        digits = text.replace("IRR", "")
        assert PERSIAN_DIGIT.search(digits) and not LATIN_DIGIT.search(digits), text
        assert "٫" not in digits, text  # the Persian decimal separator: rials have no decimals
