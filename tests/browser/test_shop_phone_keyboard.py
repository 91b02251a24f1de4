"""The configurator on a phone and with the keyboard only: the summary bar stays
in view, and focus stays next to the control that acted after each htmx swap."""

import pytest
from playwright.sync_api import expect

from configurator.web.database import db
from tests.browser.waits import htmx_answer, settled
from tests.helpers import gen_configuration, gen_user

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    """A 360 x 740 touch screen."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, has_touch=True
    )
    yield context.new_page()
    context.close()


def test_on_a_phone_the_summary_bar_stays_in_view_and_follows_each_pick(phone):
    phone.goto("/shop/test-bike")
    bar = phone.locator("#summary-bar")
    expect(bar).to_be_visible()
    with htmx_answer(phone):
        phone.locator("label[for='opt-frame-carbon']").click()
    phone.locator("#opt-delivery-courier").scroll_into_view_if_needed()
    expect(bar).to_be_in_viewport()
    expect(bar).to_contain_text("Still to choose")
    with htmx_answer(phone):
        bar.get_by_role("button", name="Complete").click()
    expect(bar).to_contain_text("825.00 EUR")
    expect(bar).to_contain_text("Complete")
    expect(bar.get_by_role("button", name="Save")).to_be_visible()
    # Nothing is wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_summary_bar_is_not_shown_on_a_desktop(page):
    page.goto("/shop/test-bike")
    expect(page.locator("#summary-bar")).to_be_hidden()


def test_keyboard_focus_stays_next_to_repair_clear_and_complete(page):
    page.goto("/shop/test-bike")
    settled(page)
    for option in ("opt-frame-alu", "opt-brakes-rim"):
        with htmx_answer(page):
            page.locator(f"#{option}").focus()
            page.keyboard.press("Space")
    repair = page.get_by_role("button", name="Pick Carbon: Switch brakes to Hydraulic disc")
    repair.focus()
    with htmx_answer(page):
        page.keyboard.press("Enter")
    expect(page.locator("#opt-frame-carbon")).to_be_checked()
    expect(page.locator("#opt-frame-carbon")).to_be_focused()

    clear = page.get_by_role("button", name="Clear brakes")
    clear.focus()
    with htmx_answer(page):
        page.keyboard.press("Enter")
    expect(page.locator("#opt-brakes-rim")).not_to_be_checked()
    # focus.js moves focus on htmx:afterSettle, a moment after the answer arrives.
    page.wait_for_function(
        "document.activeElement?.closest('.feature')?.id === 'feature-brakes'")

    page.locator("#summary-complete").focus()
    with htmx_answer(page):
        page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Complete: ready to order.")
    expect(page.locator("#summary-save")).to_be_focused()


def test_the_hidden_update_button_shows_when_it_has_focus(page):
    page.goto("/shop/test-bike")
    settled(page)
    button = page.locator(".default-submit")
    button.focus()
    assert button.bounding_box()["width"] > 20


def test_a_long_name_without_spaces_wraps_on_a_phone(phone, app):
    long_name = "Configuration" * 9  # 117 characters, no space
    with app.app_context():
        owner = gen_user(db.session, "long@example.com", name="Long")
        configuration = gen_configuration(db.session, owner, name=long_name)
    phone.goto("/auth/signin")
    phone.get_by_label("Email").fill("long@example.com")
    phone.get_by_label("Password").fill("password123")
    phone.get_by_role("button", name="Sign in").click()
    for path in (f"/account/configurations/{configuration.id}", "/account/configurations",
                 "/account/timeline"):
        phone.goto(path)
        expect(phone.get_by_text(long_name).first).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
