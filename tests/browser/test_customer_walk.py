"""A customer's main paths in a real browser: configure with a conflict and
repair it, save, change, order, and reorder after a catalog change."""

import re

import pytest
from playwright.sync_api import expect

from configurator.services import catalogs
from configurator.web.database import db
from tests.browser.waits import htmx_answer
from tests.conftest import DATA

pytestmark = pytest.mark.browser


def pick(page, feature, option):
    page.locator(f"label[for='opt-{feature}-{option}']").click()


def order_through_checkout(page):
    """Review and order: a new address, the terms, then the binding button."""
    page.get_by_role("button", name=re.compile("Review and order")).click()
    expect(page.locator("h1")).to_have_text("Review your order")
    page.get_by_label("Name").fill("Walker")
    page.get_by_label("Street and number").fill("Hauptstr. 1")
    page.get_by_label("Postcode").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name=re.compile("Place order")).click()


def test_configure_repair_save_change_order_reorder(page, app):
    # A guest starts configuring, then creates an account: the picks are kept.
    page.goto("/shop/test-bike")
    pick(page, "frame", "alu")
    pick(page, "brakes", "rim")
    carbon = page.locator("#opt-frame-carbon")
    expect(carbon).to_be_disabled()
    expect(page.locator("#why-opt-frame-carbon")).to_contain_text(
        "Carbon frames only take hydraulic disc brakes."
    )
    expect(page.locator("#total")).to_contain_text("150.00 EUR")

    page.get_by_role("link", name="Create account").click()
    sign_up_then_sign_in(page, "Walker", "walker@example.com")
    page.goto("/shop/test-bike")
    expect(page.locator("#opt-brakes-rim")).to_be_checked()

    # The conflict's one-click repair.
    page.get_by_role(
        "button", name=re.compile(r"Switch brakes to Hydraulic disc, \+640\.00")
    ).click()
    expect(page.locator("#opt-frame-carbon")).to_be_checked()
    expect(page.locator("#opt-brakes-disc_hydraulic")).to_be_checked()

    # Complete the rest, cheapest; then save under a name.
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete: ready to order.")
    expect(page.locator("#total")).to_contain_text("825.00 EUR")
    page.get_by_label("Save as").fill("Fast commuter")
    page.get_by_role("button", name="Save configuration").click()
    expect(page.locator("h1")).to_have_text("Fast commuter")

    # Change with the keyboard, save as revision 2, compare.
    with htmx_answer(page):
        page.locator("#opt-extras-bell").focus()
        page.keyboard.press("Space")
    expect(page.locator("#total")).to_contain_text("830.00 EUR")
    expect(page.locator("#opt-extras-bell")).to_be_focused()
    page.get_by_role("button", name="Save as revision 2").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision 2.")
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator("#diff")).to_contain_text("Bell")

    # Order it.
    order_through_checkout(page)
    expect(page.locator("#messages")).to_contain_text("is placed")
    expect(page.locator("main")).to_contain_text("830.00 EUR")

    # The catalog changes: carbon costs more now. Reorder shows the new price.
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")
    page.get_by_role("link", name="Reorder").click()
    expect(page.locator("main")).to_contain_text("price changed (+60.00)")
    page.get_by_role("button", name=re.compile(r"Order again · 890\.00 EUR")).click()
    expect(page.locator("#messages")).to_contain_text("is placed")

    page.get_by_role("link", name="Timeline").click()
    expect(page.locator(".timeline")).to_contain_text("Reordered")


def sign_up_then_sign_in(page, name: str, email: str) -> None:
    """Fill the open sign-up page, then sign in: an account is usable before its
    address is confirmed (tests/browser/test_email_verification.py follows the link)."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("password123")
    page.get_by_label("Repeat the password").fill("password123")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    page.goto("/auth/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#messages")).to_contain_text(f"Signed in as {name}")


def test_reorder_of_a_retired_option_goes_through_the_repair(page, app):
    page.goto("/auth/signup")
    sign_up_then_sign_in(page, "Steel Fan", "steel@example.com")
    page.goto("/shop/test-bike")
    pick(page, "frame", "steel")
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete")
    page.get_by_role("button", name="Save configuration").click()
    order_through_checkout(page)
    expect(page.locator("#messages")).to_contain_text("is placed")

    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")  # steel is retired
    page.get_by_role("link", name="Reorder").click()
    expect(page.locator("main")).to_contain_text("no longer fits")
    page.get_by_role("link", name="Review the repaired configuration").click()
    expect(page.locator("#opt-frame-alu")).to_be_checked()
    expect(page.locator("#status")).to_contain_text("Complete")
