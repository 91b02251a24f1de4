"""Reset a forgotten password in a real browser, with the link read from the
e-mail the local SMTP server received (issue 13, finding 5)."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.web.database import db
from tests.helpers import gen_user

pytestmark = pytest.mark.browser


@pytest.fixture
def mia(app):
    with app.app_context():
        return gen_user(db.session, "mia@example.com", name="Mia").id


def mailed_link(app, smtp_server, base_url: str) -> str:
    """Send the reset e-mail over SMTP, as the worker would; the link in the mail received."""
    with app.app_context():
        message_id = db.session.scalar(sa.select(Message.id).where(Message.kind == "password_reset"))
        transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="shop@shop.test")
        assert delivery.deliver(db.session, message_id, transport,
                                TrackingLinks(base_url, app.config["SECRET_KEY"])) == "sent"
    (mail,) = smtp_server.mailbox.wait_for(1)
    assert mail["To"] == "mia@example.com"
    text = mail.get_body(("plain",)).get_content()
    return re.search(re.escape(base_url) + r"/auth/reset/[A-Za-z0-9_-]+", text).group(0)


def test_a_forgotten_password_is_reset_from_the_mailed_link(page, app, mia, smtp_server, live_server):
    page.goto("/auth/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    page.goto(mailed_link(app, smtp_server, live_server))
    expect(page.get_by_role("heading", name="Choose a new password")).to_contain_text("new password")
    page.get_by_label("New password", exact=True).fill("mias-new-secret")
    page.get_by_label("Repeat the new password").fill("mias-new-secret")
    page.get_by_role("button", name="Save password").click()
    expect(page.locator("#messages")).to_contain_text("Your password is set")

    page.get_by_role("button", name="Sign out").click()
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_label("Password").fill("mias-new-secret")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#messages")).to_contain_text("Signed in as Mia")
