"""Saving from the configurator in a real browser (issue 14, item 12): Enter in
"Save as" saves, and saving logs no error in the browser's console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from configurator.web.database import db
from tests.browser.waits import htmx_answer, settled
from tests.helpers import gen_user

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in(page, app):
    """The page, signed in as a customer; console errors collected in page.errors."""
    with app.app_context():
        gen_user(db.session, "saver@example.com", name="Saver")
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("saver@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    settled(page)
    return page


def test_enter_in_save_as_saves_without_console_errors(signed_in):
    page = signed_in
    page.goto("/shop/test-bike")
    settled(page)
    with htmx_answer(page):
        page.locator("label[for='opt-frame-steel']").click()
    name = page.get_by_label("Save as")
    name.fill("Weekend bike")
    name.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/configurations/\d+$"))
    expect(page.locator("h1")).to_have_text("Weekend bike")
    assert page.errors == []


def test_saving_a_revision_logs_no_console_error(signed_in):
    page = signed_in
    page.goto("/shop/test-bike")
    settled(page)
    page.get_by_label("Save as").fill("Town bike")
    page.locator("#summary-save").click()
    expect(page).to_have_url(re.compile(r"/account/configurations/\d+$"))
    settled(page)
    with htmx_answer(page):
        page.locator("label[for='opt-frame-alu']").click()
    page.locator("#summary-save").click()
    expect(page.locator("#messages")).to_contain_text("revision 2")
    settled(page)
    assert page.errors == []
