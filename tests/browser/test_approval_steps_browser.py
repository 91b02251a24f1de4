"""Approval in steps in a real browser (issue 15): sales ask with a reason for a
discount beyond a manager's limit; the manager sees the request with its context and
approves the first step; the director approves the second; sales send the quote."""

import pytest
from playwright.sync_api import expect

from configurator.services import quotes
from configurator.web.database import db
from tests.browser.test_staff_quote import sign_in, sign_out
from tests.services.quote_factories import BIKE, gen_account, gen_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def draft(app):
    """ACME and a draft of two bikes (333.00 net); sales, a manager and a director."""
    with app.app_context():
        session = db.session
        sales = gen_staff(session, "staff", "sales@shop.example")
        gen_staff(session, "manager", "manager@shop.example")
        gen_staff(session, "director", "director@shop.example")
        account, _ = gen_account(session, contact_email="buyer@acme.example")
        record = quotes.drafts.create(session, sales, account.id)
        quotes.lines.add_line(session, sales, record.id, "test-bike", BIKE, 2)
        session.commit()
        return {"id": record.id, "number": record.number}


def test_manager_then_director_approve_a_large_discount(page, draft):
    url = f"/staff/quotes/{draft['id']}"
    sign_in(page, "sales@shop.example")
    page.goto(url)
    page.get_by_label("Discount on the whole quote %").fill("25")
    page.get_by_role("button", name="Save quote discount").click()
    expect(page.locator("#needs-approval")).to_be_visible()
    page.get_by_label("Why this discount (the manager reads it)").fill("Fleet order, 3 years")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#quote-status")).to_have_text("pending approval")
    sign_out(page)

    sign_in(page, "manager@shop.example")
    page.goto("/staff/approvals")
    row = page.locator(f"#approval-{draft['id']}")
    expect(row).to_contain_text("25.00 %")
    expect(row).to_contain_text("Fleet order, 3 years")
    expect(row.locator(".waiting-for")).to_have_text("a manager")
    row.get_by_role("link", name=draft["number"]).click()
    expect(page.locator("#approval-request .steps")).to_contain_text("a manager → a director")
    page.get_by_role("button", name="Approve discounts").click()
    expect(page.locator("#quote-status")).to_have_text("pending approval")
    expect(page.locator("#approval-request .waiting-for")).to_have_text("a director")
    expect(page.get_by_role("button", name="Approve discounts")).to_have_count(0)
    sign_out(page)

    sign_in(page, "director@shop.example")
    page.goto("/staff/approvals")
    expect(page.locator(f"#approval-{draft['id']}")).to_contain_text("approved by Manager Person")
    page.goto(url)
    page.get_by_role("button", name="Approve discounts").click()
    expect(page.locator("#quote-status")).to_have_text("approved")
    expect(page.locator("#next-steps")).to_contain_text("Approved by a manager and then a director")
    sign_out(page)

    sign_in(page, "sales@shop.example")
    page.goto(url)
    page.get_by_role("button", name="Send to client").click()
    expect(page.locator("#quote-status")).to_have_text("sent")
