"""Account administration in a real browser: a manager opens an account with
its approval threshold, adds a contact and a fixed option price; and the
printable quote prints without the site's header and navigation."""

import re

import pytest
from playwright.sync_api import expect

from configurator.services import quotes
from configurator.web.database import db
from tests.helpers import gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app):
    """A manager, sales, a customer who signed up, and ACME with a draft quote."""
    with app.app_context():
        session = db.session
        gen_staff(session, "manager", "manager@shop.example")
        sales = gen_staff(session, "staff", "sales@shop.example")
        gen_user(session, "lena@nord.example", name="Lena Berg")
        account, _ = gen_account(session, contact_email="buyer@acme.example")
        draft = quotes.drafts.create(session, sales, account.id)
        quotes.lines.add_line(session, sales, draft.id, "test-bike", BIKE, 2)
        return draft.id


def sign_in(page, email):
    page.goto("/auth/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def test_manager_opens_an_account_adds_a_contact_and_an_option_price(page, shop):
    sign_in(page, "manager@shop.example")
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name="Open an account").click()
    page.locator("#acc-name").fill("Nord AB")
    page.locator("#acc-country").fill("SE")
    page.locator("#acc-threshold").fill("ten")
    page.get_by_role("button", name="Open account").click()
    expect(page.locator("#account-error")).to_contain_text("percentage such as 12.5")
    expect(page.locator("#acc-name")).to_have_value("Nord AB")  # nothing typed is lost
    page.locator("#acc-threshold").fill("12.5")
    page.get_by_role("button", name="Open account").click()
    expect(page.locator("#messages")).to_contain_text("Account Nord AB opened")
    page.locator("#invite-email").fill("lena@nord.example")
    page.locator("#invite-role").select_option("finance")
    page.get_by_role("button", name="Add contact").click()
    expect(page.locator("#contacts")).to_contain_text("lena@nord.example")
    page.locator("#opt-option").select_option("frame=carbon")
    page.locator("#opt-price").fill("590")
    page.get_by_role("button", name="Save option price").click()
    expect(page.locator("#price-list")).to_contain_text("frame=carbon at 590.00 EUR")
    page.get_by_role("link", name="Back to the account and its history").click()
    expect(page.locator("#approval-threshold")).to_contain_text("12.50 %")
    expect(page.locator(".timeline").first).to_contain_text(
        "Test bike: Frame Carbon at 590.00 EUR (list price 640.00)")


def test_printable_quote_hides_the_site_header_on_paper(page, shop):
    sign_in(page, "sales@shop.example")
    page.goto(f"/staff/quotes/{shop}/print")
    expect(page.locator("header.site")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("footer.site")).to_be_hidden()
    expect(page.locator(".printable h1")).to_contain_text("Quote Q-")
    expect(page.locator("#gross-total")).to_be_visible()
