"""Service lines in a real browser (issue 15): staff add freight at 0 % VAT through the
htmx panel (a bad price is answered in the panel, what was typed kept), the quote shows
VAT per rate, and the client's page shows the freight without its cost."""

import pytest
from playwright.sync_api import expect

from configurator.services import quotes
from configurator.web.database import db
from tests.browser.test_staff_quote import sign_in, sign_out
from tests.browser.waits import htmx_answer, settled
from tests.services.quote_factories import BIKE, gen_account, gen_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def draft(app):
    """ACME (10 % off the test bike) and a draft with one bike: 166.50 net."""
    with app.app_context():
        session = db.session
        sales = gen_staff(session, "staff", "sales@shop.example")
        account, _ = gen_account(session, contact_email="buyer@acme.example")
        record = quotes.drafts.create(session, sales, account.id)
        quotes.lines.add_line(session, sales, record.id, "test-bike", BIKE, 1)
        session.commit()
        return {"id": record.id, "number": record.number}


def test_staff_add_freight_at_zero_vat_and_the_client_sees_no_cost(page, draft):
    sign_in(page, "sales@shop.example")
    page.goto(f"/staff/quotes/{draft['id']}")
    panel = page.locator("#service-lines")
    panel.locator("#svc-desc-new").fill("Freight to Hamburg")
    panel.locator("#svc-price-new").fill("80,5x")
    with htmx_answer(page):
        panel.get_by_role("button", name="Add service line").click()
    expect(page.locator("#service-error")).to_contain_text("is not a number")
    expect(page.locator("#svc-desc-new")).to_have_value("Freight to Hamburg")

    page.locator("#svc-price-new").fill("80.50")
    page.locator("#svc-cost-new").fill("61.00")
    page.locator("#svc-rate-new").fill("0")
    with page.expect_navigation():
        page.get_by_role("button", name="Add service line").click()
    settled(page)
    expect(page.locator("#line-L2")).to_contain_text("Freight to Hamburg")
    expect(page.locator("#line-L2 .net")).to_have_text("80.50")
    totals = page.locator("#totals")
    expect(totals).to_contain_text("VAT DE 19% on 166.50")
    expect(totals).to_contain_text("VAT DE 0% on 80.50")
    expect(page.locator("#gross-total")).to_contain_text("278.64")  # 247.00 + 31.64
    page.get_by_role("button", name="Send to client").click()
    expect(page.locator("#quote-status")).to_have_text("sent")
    sign_out(page)

    sign_in(page, "buyer@acme.example")
    page.goto(f"/account/quotes/{draft['id']}")
    expect(page.locator("#line-L2")).to_contain_text("Freight to Hamburg")
    expect(page.locator("#gross-total")).to_contain_text("278.64")
    expect(page.locator("main")).not_to_contain_text("61.00")
