"""What the cart's browser walks share (test_guest_cart_walk.py for a guest,
test_cart_checkout.py for a signed-in customer): configuring a bike into the cart, a
line's quantity, the delivery address of the checkout, and the confirmation e-mail's
two items."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_customer_walk import pick
from tests.browser.waits import htmx_answer


def configure_into_cart(page, frame: str, name: str, button: str, said: str) -> None:
    """A bike with this frame, completed at the lowest price, named, and put into the cart
    with `button`; the cart page then says `said`."""
    page.goto("/shop/test-bike")
    with htmx_answer(page):
        pick(page, "frame", frame)
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete: ready to order.")
    page.get_by_label("Save as").fill(name)
    page.get_by_role("button", name=button, exact=True).click()
    expect_cart_saying(page, said)


def expect_cart_saying(page, said: str) -> None:
    """The cart page, with this message."""
    expect(page.locator("h1")).to_have_text("Your cart")
    expect(page.locator("#messages")).to_contain_text(said)


def change_quantity(page, name: str, quantity: int, badge: str) -> None:
    """Order `quantity` of the line called `name`; the header's badge then shows `badge`."""
    line = page.locator(".cart-line").filter(has_text=name)
    line.get_by_label("Quantity", exact=True).fill(str(quantity))
    line.get_by_role("button", name=f"Change the quantity of {name}").click()
    expect(page.locator("#messages")).to_contain_text("Quantity changed.")
    expect(page.locator("#nav-cart")).to_contain_text(badge)


def check_out(page, heading: str) -> None:
    """From the cart to the checkout's review of both items."""
    page.locator("#cart-checkout").click()
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("#review-item-1")).to_contain_text("City alu")
    expect(page.locator("#review-item-2")).to_contain_text("Steel tourer")


def fill_address_and_place(page, name: str) -> None:
    """A delivery address in Berlin, the terms, then the binding button."""
    page.get_by_label("Name").fill(name)
    page.get_by_label("Street and number").fill("Hauptstr. 1")
    page.get_by_label("Postcode").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name=re.compile("Place order")).click()


def assert_both_items_mailed(text: str, name: str) -> None:
    """The confirmation lists two City alu and one Steel tourer, and the address."""
    assert re.search(r"City alu \(Test bike\): 2 x [\d.]+ = [\d.]+", text)
    assert re.search(r"Steel tourer \(Test bike\): 1 x [\d.]+", text)
    assert name in text and "Hauptstr. 1" in text
