"""Two configured bikes into the cart, one of them twice, then one checkout: one order
with both items, and its confirmation e-mail read from the local SMTP server."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.web.database import db
from tests.browser.test_customer_walk import pick
from tests.browser.waits import htmx_answer
from tests.helpers import gen_user

pytestmark = pytest.mark.browser


def configure_into_cart(page, frame, name):
    """A bike with this frame, completed at the lowest price, saved and put into the cart."""
    page.goto("/shop/test-bike")
    with htmx_answer(page):
        pick(page, "frame", frame)
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete: ready to order.")
    page.get_by_label("Save as").fill(name)
    page.get_by_role("button", name="Save and add to cart").click()
    expect(page.locator("h1")).to_have_text("Your cart")
    expect(page.locator("#messages")).to_contain_text(f"“{name}” is saved and in your cart.")


def test_two_configured_items_to_one_order_and_its_e_mail(page, app, smtp_server):
    with app.app_context():
        gen_user(db.session, "two@example.com", name="Two Bikes")
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("two@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()

    configure_into_cart(page, "alu", "City alu")
    configure_into_cart(page, "steel", "Steel tourer")
    lines = page.locator(".cart-line")
    expect(lines).to_have_count(2)
    first = lines.filter(has_text="City alu")
    first.get_by_label("Quantity", exact=True).fill("2")
    first.get_by_role("button", name="Change the quantity of City alu").click()
    expect(page.locator("#messages")).to_contain_text("Quantity changed.")
    expect(page.locator("#nav-cart")).to_contain_text("3")

    page.locator("#cart-checkout").click()
    expect(page.locator("h1")).to_have_text("Review your order")
    expect(page.locator("#review-item-1")).to_contain_text("City alu")
    expect(page.locator("#review-item-2")).to_contain_text("Steel tourer")
    page.get_by_label("Name").fill("Walker")
    page.get_by_label("Street and number").fill("Hauptstr. 1")
    page.get_by_label("Postcode").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name=re.compile("Place order")).click()
    expect(page.locator("#messages")).to_contain_text("is placed")
    expect(page.locator("#order-item-1")).to_contain_text("× 2")
    expect(page.locator("#order-item-2")).to_contain_text("Steel tourer")
    number = page.locator("h1 bdi").inner_text()
    expect(page.locator("#nav-cart .badge")).to_have_count(0)

    with app.app_context():
        message = db.session.scalar(sa.select(Message).where(Message.kind == "order_confirmation"))
        transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
        links = TrackingLinks("http://shop.test", "secret")
        assert delivery.deliver(db.session, message.id, transport, links) == "sent"
    (received,) = smtp_server.mailbox.wait_for(1)
    body = received.get_body(("plain",)).get_content()
    assert received["To"] == "two@example.com" and number in received["Subject"]
    assert re.search(r"City alu \(Test bike\): 2 x [\d.]+ = [\d.]+", body)
    assert re.search(r"Steel tourer \(Test bike\): 1 x [\d.]+", body)
    assert "Walker" in body and "Hauptstr. 1" in body
