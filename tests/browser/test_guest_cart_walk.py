"""A guest's cart in a real browser (issue 17): without an account, a configured bike into
the cart, reopened under the configurator's banner ("Editing item 1 of your cart") and
added again as a new item with another frame, one of them twice, one guest checkout, and
the confirmation e-mail read from the local SMTP server; the thank-you page names the
order. The second bike starts from the reopened first (one pick, no second completion)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.cart_walks import (
    assert_both_items_mailed,
    change_quantity,
    check_out,
    configure_into_cart,
    expect_cart_saying,
    fill_address_and_place,
)
from tests.browser.test_customer_walk import pick
from tests.browser.test_guest_order_walk import mailed_confirmation
from tests.browser.waits import htmx_answer

pytestmark = pytest.mark.browser


def test_a_guest_orders_two_configured_bikes_and_reads_the_e_mail(
    page, app, smtp_server, live_server
):
    configure_into_cart(page, "alu", "City alu", "Add to cart", "“City alu” is in your cart.")
    page.locator(".cart-line").filter(has_text="City alu").get_by_role(
        "button", name="Change the configuration").click()
    banner = page.locator("#cart-editing")
    expect(banner.get_by_role("heading")).to_have_text("Editing item 1 of your cart: City alu")
    expect(page.locator("#summary-cart")).to_have_count(0)  # the banner says where picks go
    with htmx_answer(page):
        pick(page, "frame", "steel")
    expect(banner).to_be_visible()  # a pick leaves the banner in place
    page.get_by_label("Save as").fill("Steel tourer")
    banner.get_by_role("button", name="Add as a new item").click()
    expect_cart_saying(page, "“Steel tourer” is in your cart.")
    expect(page.locator(".cart-line")).to_have_count(2)
    expect(page.locator(".cart-line").first).to_contain_text("City alu")  # left as it was
    change_quantity(page, "City alu", 2, "3")

    check_out(page, "Order as a guest")
    page.get_by_label("Email").fill("gina@example.com")
    fill_address_and_place(page, "Gina Gast")
    thanks = page.locator("#guest-thanks")
    expect(thanks).to_contain_text("We sent the confirmation to gina@example.com")
    number = re.search(r"ORD-\d{4}-\d{6}", thanks.inner_text()).group(0)
    expect(page.locator("#nav-cart")).to_have_count(0)  # the cart is ordered and gone

    text = mailed_confirmation(app, smtp_server, live_server, number)
    assert_both_items_mailed(text, "Gina Gast")
    assert "Create an account" in text
