"""Two configured bikes into a signed-in customer's cart, one of them twice, then one
checkout: one order with both items, and its confirmation e-mail read from the local
SMTP server."""

import pytest
from playwright.sync_api import expect

from configurator.web.database import db
from tests.browser.cart_walks import (
    assert_both_items_mailed,
    change_quantity,
    check_out,
    configure_into_cart,
    fill_address_and_place,
)
from tests.browser.test_guest_order_walk import mailed_confirmation
from tests.helpers import gen_user

pytestmark = pytest.mark.browser


def test_two_configured_items_to_one_order_and_its_e_mail(page, app, smtp_server, live_server):
    with app.app_context():
        gen_user(db.session, "two@example.com", name="Two Bikes")
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("two@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()

    for frame, name in (("alu", "City alu"), ("steel", "Steel tourer")):
        configure_into_cart(page, frame, name, "Save and add to cart",
                            f"“{name}” is saved and in your cart.")
    expect(page.locator(".cart-line")).to_have_count(2)
    change_quantity(page, "City alu", 2, "3")

    check_out(page, "Review your order")
    fill_address_and_place(page, "Walker")
    expect(page.locator("#messages")).to_contain_text("is placed")
    expect(page.locator("#order-item-1")).to_contain_text("× 2")
    expect(page.locator("#order-item-2")).to_contain_text("Steel tourer")
    number = page.locator("h1 bdi").inner_text()
    expect(page.locator("#nav-cart .badge")).to_have_count(0)

    text = mailed_confirmation(app, smtp_server, live_server, number)
    assert_both_items_mailed(text, "Walker")
