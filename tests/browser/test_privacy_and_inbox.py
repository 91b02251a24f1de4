"""A customer's privacy page and inbox in a real browser: offers by e-mail are
opt-in; once allowed, an offer arrives in the inbox and reading it clears the
badge; refused again, the next offer never arrives; the data download works."""

import json
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from configurator.services.messages import outbox
from configurator.store.models import User
from configurator.web.database import db
from tests.helpers import gen_user

pytestmark = pytest.mark.browser


@pytest.fixture
def mia(app):
    with app.app_context():
        return gen_user(db.session, "mia@example.com", name="Mia").id


def offer(app, subject: str) -> bool:
    """Offer Mia something by e-mail, as a campaign would; whether it was written."""
    with app.app_context():
        customer = db.session.scalar(sa.select(User).where(User.email == "mia@example.com"))
        draft = outbox.Draft("offer", subject, "Only this week.", "You allowed offers by e-mail.",
                             action_url="/shop/test-bike", action_label="Configure yours",
                             purpose="marketing")
        message = outbox.enqueue(db.session, draft, recipient=customer)
        db.session.commit()
        return message is not None


def test_consent_decides_what_reaches_the_inbox(page, app, mia):
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Privacy").click()

    marketing = page.get_by_label("Offers and news by e-mail")
    expect(marketing).not_to_be_checked()  # opt-in
    expect(page.get_by_label("Messages about my quotes, orders and subscriptions")).to_be_checked()
    assert not offer(app, "Not allowed yet")

    marketing.check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("#messages")).to_contain_text("Your choices are saved.")
    expect(page.get_by_label("Offers and news by e-mail")).to_be_checked()
    assert offer(app, "10 % off carbon frames")

    page.reload()
    expect(page.get_by_role("link", name=re.compile("Inbox"))).to_contain_text("1")
    page.get_by_role("link", name=re.compile("Inbox")).click()
    expect(page.locator("ul.inbox li")).to_have_count(1)
    page.get_by_role("link", name=re.compile("10 % off carbon frames")).click()
    expect(page.locator("article")).to_contain_text("Why you got this: You allowed offers by e-mail.")
    expect(page.get_by_role("link", name="Configure yours")).to_have_attribute("href", "/shop/test-bike")
    expect(page.locator(".badge")).to_have_count(0)

    page.get_by_role("link", name="Privacy").click()
    page.get_by_label("Offers and news by e-mail").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("#messages")).to_contain_text("Your choices are saved.")
    assert not offer(app, "Another offer")
    page.get_by_role("link", name=re.compile("Inbox")).click()
    expect(page.locator("ul.inbox li")).to_have_count(1)

    page.get_by_role("link", name="Privacy").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    document = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert document["profile"]["email"] == "mia@example.com"
    assert [m["subject"] for m in document["messages"]] == ["10 % off carbon frames"]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Timeline", exact=True).click()
    expect(page.locator("ol.timeline")).to_contain_text("Downloaded all my data")
    expect(page.locator("ol.timeline")).to_contain_text("Refused: Offers and news by e-mail")
