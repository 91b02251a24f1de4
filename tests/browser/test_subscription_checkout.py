"""A new customer orders a coffee subscription in a real browser: signs up with a
country from the list, configures, sees today's total apart from the price per
delivery, goes through the checkout, and reads the confirmation e-mail from the
local SMTP server."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from configurator.services import catalogs
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.web.database import db
from tests.browser.test_customer_walk import order_through_checkout, pick
from tests.browser.test_email_verification import sign_up_and_confirm
from tests.browser.waits import htmx_answer
from tests.services.test_read_back_deliveries import REPO

pytestmark = pytest.mark.browser


def test_subscription_from_sign_up_to_the_confirmation_e_mail(page, app, smtp_server, live_server):
    with app.app_context():
        catalogs.load_file(db.session, REPO / "catalog" / "coffee-subscription.yaml")
    sign_up_and_confirm(page, app, smtp_server, live_server, "Kaffee Fan", "kaffee@example.com")

    page.goto("/shop/coffee-subscription")
    for feature, option in (("frequency", "weekly"), ("amount", "g250"), ("extras", "pour_over_dripper")):
        with htmx_answer(page):
            pick(page, feature, option)
    page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete: ready to order.")
    summary = page.locator(".breakdown").first
    expect(summary).to_contain_text(re.compile(r"Today\s*32\.90 EUR"))
    expect(summary).to_contain_text(re.compile(r"8\.90 per delivery"))
    expect(summary).to_contain_text(re.compile(r"Then per delivery\s*\(Every week\)\s*8\.90 EUR"))
    page.get_by_label("Save as").fill("Weekly coffee")
    page.get_by_role("button", name="Save configuration").click()
    expect(page.locator("h1")).to_have_text("Weekly coffee")

    order_through_checkout(page)
    expect(page.locator("#messages")).to_contain_text("is placed")
    expect(page.locator("#estimated-delivery")).to_contain_text("Expected delivery")
    expect(page.locator("#deliveries tbody tr").first).to_contain_text("32.90")
    expect(page.locator("#order-payment")).to_contain_text("Credit or debit card")

    # What the worker does: send the outbox's message over SMTP; read it there.
    with app.app_context():
        message = db.session.scalar(sa.select(Message).where(Message.kind == "order_confirmation"))
        transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
        links = TrackingLinks("http://shop.test", "secret")
        assert delivery.deliver(db.session, message.id, transport, links) == "sent"
    received = smtp_server.mailbox.wait_for(2)[-1]  # after the address confirmation
    body = received.get_body(("plain",)).get_content()
    assert received["To"] == "kaffee@example.com" and "Your order ORD-" in received["Subject"]
    assert "Today 32.90 EUR" in body and "Then 8.90 EUR per delivery (Every week)." in body
    assert "Payment: Credit or debit card." in body and "Walker" in body
