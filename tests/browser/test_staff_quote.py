"""Staff quoting in a real browser: a three-line quote with a price list and a
quantity break, a discount above the approval threshold, a manager's approval,
sending, the client's acceptance and the order."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from configurator.services import catalogs
from configurator.web.database import db
from tests.browser.waits import htmx_answer
from tests.helpers import gen_configuration
from tests.services.quote_factories import BIKE, gen_account, gen_breaks, gen_staff

pytestmark = pytest.mark.browser
CITY_BIKE = Path(__file__).resolve().parents[2] / "catalog" / "city-bike.yaml"


@pytest.fixture
def shop(app):
    """Sales, a manager, ACME (10 % off the test bike) whose buyer saved a bike;
    our quantity break: 5 % from 10 test bikes; the demo city bike as a second line."""
    with app.app_context():
        session = db.session
        catalogs.load_file(session, CITY_BIKE)
        gen_staff(session, "staff", "sales@shop.example")
        gen_staff(session, "manager", "manager@shop.example")
        account, contact = gen_account(session, contact_email="buyer@acme.example")
        gen_configuration(session, contact, BIKE, name="Fleet bike")
        gen_breaks(session, (1, "0"), (10, "5"))
        return account.id


def sign_in(page, email):
    page.goto("/auth/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name=re.compile("Sign out")).click()


def add_cheapest_line(page, product: str, quantity: str):
    page.get_by_role("link", name=product, exact=True).click()
    with htmx_answer(page):
        page.get_by_role("button", name="Complete the rest at the lowest price").click()
    expect(page.locator("#status")).to_contain_text("Complete")
    page.get_by_label("Quantity").fill(quantity)
    with htmx_answer(page):
        page.get_by_role("button", name="Add to quote").click()
    expect(page.locator("#messages")).to_contain_text("Line added")


def test_three_line_quote_approval_send_accept_order(page, shop):
    sign_in(page, "sales@shop.example")
    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("button", name="New quote for ACME GmbH").click()
    expect(page.locator("h1")).to_have_text(re.compile(r"Quote Q-\d{4}-00001"))
    quote_url = page.url

    # L1: the cheapest test bike (145.00), 12 of them: price list and quantity break.
    add_cheapest_line(page, "Test bike", "12")
    row = page.locator("#line-L1")
    expect(row.locator(".list")).to_have_text("1,740.00")
    expect(row.locator(".price-list")).to_have_text("−174.00")
    expect(row.locator(".quantity-break")).to_have_text("−78.30")
    expect(row.locator(".net")).to_have_text("1,487.70")

    # L2: from the client's own past configuration, in the live configurator.
    page.get_by_role("link", name="Fleet bike").click()
    expect(page.locator(".message.info")).to_contain_text("Started from “Fleet bike”")
    expect(page.locator("#opt-frame-alu")).to_be_checked()
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to quote").click()
    expect(page.locator("#line-L2 .net")).to_have_text("333.00")

    # L3: another product line.
    add_cheapest_line(page, "City bike", "1")
    expect(page.locator("#line-L3")).to_contain_text("City bike")

    # 15 % on L1 is above the 10 % sales may give: approval is needed.
    page.get_by_label("Discount %").first.fill("15")
    page.get_by_role("button", name="Save line L1").click()
    expect(page.locator("#line-L1 .net")).to_have_text("1,264.55")  # 1,487.70 - 15 %, half up
    expect(page.locator("#next-steps")).to_contain_text("a manager must approve it")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#quote-status")).to_have_text("pending approval")
    sign_out(page)

    sign_in(page, "manager@shop.example")
    page.get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name=re.compile(r"Q-\d{4}-00001")).click()
    page.get_by_role("button", name="Approve discounts").click()
    expect(page.locator("#quote-status")).to_have_text("approved")
    sign_out(page)

    sign_in(page, "sales@shop.example")
    page.goto(quote_url)
    page.get_by_role("button", name="Send to client").click()
    expect(page.locator("#quote-status")).to_have_text("sent")
    gross = page.locator("#gross-total").inner_text()
    sign_out(page)

    sign_in(page, "buyer@acme.example")
    page.get_by_role("link", name="Our quotes").click()
    page.get_by_role("link", name=re.compile(r"Q-\d{4}-00001")).click()
    expect(page.locator("#gross-total")).to_have_text(gross)
    page.get_by_label("Your name, as signature").fill("Eva Fischer")
    page.get_by_role("button", name="Accept quote").click()
    expect(page.locator("#quote-status")).to_have_text("accepted")
    sign_out(page)

    sign_in(page, "sales@shop.example")
    page.goto(quote_url)
    page.get_by_role("button", name="Convert to order").click()
    expect(page.locator("#order-number")).to_contain_text("Ordered as")
    sign_out(page)

    sign_in(page, "buyer@acme.example")
    page.get_by_role("link", name="My orders").click()
    total = gross.replace(" EUR", "")
    expect(page.locator("main")).to_contain_text(total)
