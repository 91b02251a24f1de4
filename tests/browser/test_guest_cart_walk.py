"""A guest's cart in a real browser (issue 17): without an account, two configured bikes
into the cart, one of them twice, one guest checkout, and the confirmation e-mail read
from the local SMTP server; the thank-you page names the order."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_customer_walk import pick
from tests.browser.test_guest_order_walk import mailed_confirmation
from tests.browser.waits import htmx_answer

pytestmark = pytest.mark.browser


def configure_into_guest_cart(page, frame, name):
    """A bike with this frame, completed at the lowest price, into this browser's cart."""
    page.goto("/shop/test-bike")
    with htmx_answer(page):
        pick(page, "frame", frame)
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete: ready to order.")
    page.get_by_label("Save as").fill(name)
    page.get_by_role("button", name="Add to cart", exact=True).click()
    expect(page.locator("h1")).to_have_text("Your cart")
    expect(page.locator("#messages")).to_contain_text(f"“{name}” is in your cart.")


def test_a_guest_orders_two_configured_bikes_and_reads_the_e_mail(
    page, app, smtp_server, live_server
):
    configure_into_guest_cart(page, "alu", "City alu")
    configure_into_guest_cart(page, "steel", "Steel tourer")
    lines = page.locator(".cart-line")
    expect(lines).to_have_count(2)
    first = lines.filter(has_text="City alu")
    first.get_by_label("Quantity", exact=True).fill("2")
    first.get_by_role("button", name="Change the quantity of City alu").click()
    expect(page.locator("#messages")).to_contain_text("Quantity changed.")
    expect(page.locator("#nav-cart")).to_contain_text("3")

    page.locator("#cart-checkout").click()
    expect(page.locator("h1")).to_have_text("Order as a guest")
    expect(page.locator("#review-item-1")).to_contain_text("City alu")
    expect(page.locator("#review-item-2")).to_contain_text("Steel tourer")
    page.get_by_label("Email").fill("gina@example.com")
    page.get_by_label("Name").fill("Gina Gast")
    page.get_by_label("Street and number").fill("Hauptstr. 1")
    page.get_by_label("Postcode").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name=re.compile("Place order")).click()
    thanks = page.locator("#guest-thanks")
    expect(thanks).to_contain_text("We sent the confirmation to gina@example.com")
    number = re.search(r"ORD-\d{4}-\d{6}", thanks.inner_text()).group(0)
    expect(page.locator("#nav-cart")).to_have_count(0)  # the cart is ordered and gone

    text = mailed_confirmation(app, smtp_server, live_server, number)
    assert re.search(r"City alu \(Test bike\): 2 x [\d.]+ = [\d.]+", text)
    assert re.search(r"Steel tourer \(Test bike\): 1 x [\d.]+", text)
    assert "Gina Gast" in text and "Hauptstr. 1" in text and "Create an account" in text
