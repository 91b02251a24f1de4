"""A guest order in a real browser (issue 17): configure, order as a guest, read the
confirmation from the local SMTP server, sign up with that address, confirm it, and
find the order in /account/orders. Then an account already confirmed: its guest
order's e-mail carries the link that adds the order once signed in."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.web.database import db
from tests.browser.test_email_verification import sign_up_and_confirm
from tests.browser.waits import htmx_answer

pytestmark = pytest.mark.browser


def order_as_guest(page, email: str) -> str:
    """Configure the test bike, order it as a guest; the order's number."""
    page.goto("/shop/test-bike")
    with htmx_answer(page):
        page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#total")).to_contain_text("EUR")
    page.get_by_role("button", name="Order as a guest").click()
    expect(page.get_by_role("heading", name="Order as a guest")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name").fill("Gina Gast")
    page.get_by_label("Street and number").fill("Hauptstr. 1")
    page.get_by_label("Postcode").fill("10115")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name=re.compile("Place order")).click()
    thanks = page.locator("#guest-thanks")
    expect(thanks).to_contain_text(f"We sent the confirmation to {email}")
    return re.search(r"ORD-\d{4}-\d{6}", thanks.inner_text()).group(0)


def mailed_confirmation(app, smtp_server, base_url: str, number: str) -> str:
    """Send the order's confirmation over SMTP, as the worker would; the mail's text."""
    before = len(smtp_server.mailbox.received)
    with app.app_context():
        message_id = db.session.scalar(sa.select(Message.id).where(
            Message.dedupe_key == f"order-confirmation:{number}"))
        transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="shop@shop.test")
        assert delivery.deliver(db.session, message_id, transport,
                                TrackingLinks(base_url, app.config["SECRET_KEY"])) == "sent"
    mail = smtp_server.mailbox.wait_for(before + 1)[-1]
    assert number in mail["Subject"]
    return mail.get_body(("plain",)).get_content()


def test_a_guest_order_reaches_the_account_signed_up_and_confirmed(
    page, app, smtp_server, live_server
):
    number = order_as_guest(page, "gina@example.com")
    text = mailed_confirmation(app, smtp_server, live_server, number)
    assert "Hauptstr. 1" in text and "Create an account" in text
    sign_up_and_confirm(page, app, smtp_server, live_server, "Gina", "gina@example.com")
    page.goto("/account/orders")
    expect(page.locator("main")).to_contain_text(number)
    page.goto("/account/timeline")
    expect(page.locator("main")).to_contain_text(f"Your guest order {number} is now in your account")


def test_a_confirmed_accounts_guest_order_is_added_by_its_link(page, app, smtp_server, live_server):
    sign_up_and_confirm(page, app, smtp_server, live_server, "Gina", "gina@example.com")
    page.get_by_role("button", name="Sign out").click()
    number = order_as_guest(page, "gina@example.com")
    text = mailed_confirmation(app, smtp_server, live_server, number)
    link = re.search(re.escape(live_server) + r"/account/guest-orders/add/\S+", text).group(0)
    page.goto(link)  # signed out: sign in first, then back to the link
    page.get_by_label("Email").fill("gina@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#guest-order-add")).to_contain_text(number)
    page.get_by_role("button", name="Add this order to your account").click()
    expect(page.locator("#messages")).to_contain_text(f"Order {number} is now in your account.")
    page.goto("/account/orders")
    expect(page.locator("main")).to_contain_text(number)
