"""Sign up in a real browser, read the confirmation e-mail from the local SMTP
server and follow its link: the address is confirmed and the browser signed in
(issue 17; the sign-up's answer says nothing about existing accounts, issue 13)."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store import User
from configurator.store.messages import Message
from configurator.web.database import db

pytestmark = pytest.mark.browser


def fill_sign_up(page, name: str, email: str) -> None:
    """Send the sign-up form; the answer is "Check your e-mail" whoever has an account."""
    page.goto("/auth/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("password123")
    page.get_by_label("Repeat the password").fill("password123")
    page.get_by_label("Country").select_option(label="Germany")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()


def mailed_link(app, smtp_server, base_url: str, email: str) -> str:
    """Send the confirmation e-mail over SMTP, as the worker would; the link in the mail received."""
    before = len(smtp_server.mailbox.received)
    with app.app_context():
        message_id = db.session.scalar(sa.select(Message.id).where(
            Message.kind == "email_verification", Message.to_address == email))
        transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="shop@shop.test")
        assert delivery.deliver(db.session, message_id, transport,
                                TrackingLinks(base_url, app.config["SECRET_KEY"])) == "sent"
    mail = smtp_server.mailbox.wait_for(before + 1)[-1]
    assert mail["To"] == email
    text = mail.get_body(("plain",)).get_content()
    return re.search(re.escape(base_url) + r"/auth/verify/[A-Za-z0-9_-]+", text).group(0)


def sign_up_and_confirm(page, app, smtp_server, base_url: str, name: str, email: str) -> None:
    """Sign up and follow the e-mailed link; the browser is then signed in."""
    fill_sign_up(page, name, email)
    page.goto(mailed_link(app, smtp_server, base_url, email))
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.locator("#messages")).to_contain_text(f"Welcome, {name}")


def test_sign_up_then_the_mailed_link_confirms_and_signs_in(page, app, smtp_server, live_server):
    sign_up_and_confirm(page, app, smtp_server, live_server, "Vera", "vera@example.com")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "vera@example.com"))
        assert user.email_verified_at is not None
    page.goto("/account/privacy")
    expect(page.locator("#email-address")).to_contain_text("vera@example.com, confirmed.")
