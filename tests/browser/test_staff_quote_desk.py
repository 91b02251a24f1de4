"""The sales desk in a real browser (issue 15): a new revision leaves the sent one
acceptable until it is sent; the client ticks an optional line and picks an
alternative before signing; the reprice preview keeps a locked line; a retired
option blocks sending until the line is reconfigured in one click."""

import re

import pytest
from playwright.sync_api import expect

from configurator.services import quotes
from configurator.web.database import db
from tests.browser.test_staff_quote import sign_in, sign_out
from tests.services.quote_factories import BIKE, CARBON, gen_account, gen_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def sent(app):
    """ACME (10 % off the test bike) and a sent quote: L1 bike x1 included, L2 carbon
    optional, L3 carbon an alternative to L1."""
    with app.app_context():
        session = db.session
        sales = gen_staff(session, "staff", "sales@shop.example")
        account, _ = gen_account(session, contact_email="buyer@acme.example")
        record = quotes.drafts.create(session, sales, account.id)
        for selection in (BIKE, CARBON, CARBON):
            quotes.lines.add_line(session, sales, record.id, "test-bike", selection, 1)
        kind = quotes.lines.line_kind
        quotes.lines.change_line(session, sales, record.id, "L2", quantity=1, discount=None,
                                 kind=kind("optional"))
        quotes.lines.change_line(session, sales, record.id, "L3", quantity=1, discount=None,
                                 kind=kind("alternative"), alternative_to="L1")
        quotes.sending.send(session, sales, record.id)
        session.commit()
        return {"id": record.id, "number": record.number}


def test_r1_stays_acceptable_until_r2_is_sent(page, sent):
    sign_in(page, "sales@shop.example")
    page.goto(f"/staff/quotes/{sent['id']}")
    page.get_by_role("button", name="Create a new revision").click()
    expect(page.locator("h1")).to_have_text(f"Quote {sent['number']}-R2")
    r2_url = page.url
    page.get_by_label("Quantity").first.fill("3")
    page.get_by_role("button", name="Save line L1").click()
    expect(page.locator("#line-L1 .net")).to_have_text("499.50")
    page.goto(f"/staff/quotes/{sent['id']}")
    expect(page.locator("#quote-status")).to_have_text("sent")
    expect(page.locator("#newer-revision")).to_contain_text("can still accept this one")
    sign_out(page)

    sign_in(page, "buyer@acme.example")
    page.get_by_role("link", name="Our quotes").click()
    expect(page.locator("main")).not_to_contain_text(f"{sent['number']}-R2")
    page.get_by_role("link", name=sent["number"], exact=True).click()
    expect(page.get_by_role("button", name="Accept quote")).to_be_visible()
    sign_out(page)

    sign_in(page, "sales@shop.example")
    page.goto(r2_url)
    page.get_by_role("button", name="Send to client").click()
    expect(page.locator("#quote-status")).to_have_text("sent")
    page.goto(f"/staff/quotes/{sent['id']}")
    expect(page.locator("#quote-status")).to_have_text("superseded")
    sign_out(page)

    sign_in(page, "buyer@acme.example")
    page.goto(f"/account/quotes/{sent['id']}")
    expect(page.locator("main")).to_contain_text("A newer revision replaced this quote")
    expect(page.get_by_role("button", name="Accept quote")).to_have_count(0)


def test_the_client_chooses_an_optional_line_and_an_alternative(page, sent):
    sign_in(page, "buyer@acme.example")
    page.goto(f"/account/quotes/{sent['id']}")
    signature = page.get_by_label("Your name, as signature")
    expect(signature).to_have_value("")
    page.get_by_label(re.compile(r"L2: ")).check()
    page.get_by_label(re.compile(r"L3 instead")).check()
    signature.fill("Eva Fischer")
    page.get_by_role("button", name="Accept quote").click()
    expect(page.locator("#quote-status")).to_have_text("accepted")
    # L2 742.50 + L3 742.50 instead of L1 = 1,485.00 net, + 19 % VAT 282.15 = 1,767.15
    expect(page.locator("main")).to_contain_text("for 1,767.15 EUR with the lines you chose (L2, L3)")


@pytest.fixture
def draft(app):
    """ACME (10 % off) and a draft: L1 bike x1, L2 carbon x1."""
    with app.app_context():
        session = db.session
        sales = gen_staff(session, "staff", "sales@shop.example")
        account, _ = gen_account(session, contact_email="buyer@acme.example")
        record = quotes.drafts.create(session, sales, account.id)
        for selection in (BIKE, CARBON):
            quotes.lines.add_line(session, sales, record.id, "test-bike", selection, 1)
        session.commit()
        return {"id": record.id, "account": account.id}


def test_reprice_preview_keeps_a_locked_line(page, app, draft):
    sign_in(page, "sales@shop.example")
    page.goto(f"/staff/quotes/{draft['id']}")
    page.get_by_role("button", name="Keep the price of line L2").click()
    expect(page.locator("#locked-L2")).to_be_visible()
    expect(page.locator("#stale-prices")).to_have_count(0)
    with app.app_context():
        from decimal import Decimal

        from configurator.services import business, catalogs
        from configurator.store.quotes import BusinessAccount
        from tests.conftest import DATA

        catalogs.load_file(db.session, DATA / "bike-v2.yaml")  # carbon 640 -> 700
        account = db.session.get(BusinessAccount, draft["account"])
        business.terms.set_percent_off(db.session, account, "test-bike", Decimal("20"))
        db.session.commit()
    page.reload()
    expect(page.locator("#stale-prices")).to_be_visible()
    # L1: 185.00 at 20 % instead of 10 % off; L2 keeps 742.50, unlocked it would be 708.00.
    expect(page.locator("#preview-L1")).to_contain_text("148.00")
    expect(page.locator("#preview-L2")).to_contain_text("price kept")
    expect(page.locator("#preview-L2")).to_contain_text("708.00")
    page.get_by_role("button", name="Apply the new prices").click()
    expect(page.locator("#line-L1 .net")).to_have_text("148.00")
    expect(page.locator("#line-L2 .net")).to_have_text("742.50")
    # Still told: the kept price of L2 differs from today's.
    expect(page.locator("#preview-L2")).to_contain_text("price kept")


def test_a_retired_option_blocks_sending_until_a_one_click_reconfigure(page, app, draft):
    with app.app_context():
        from configurator.services import catalogs
        from configurator.store import User
        from tests.conftest import DATA

        sales = db.session.query(User).filter_by(email="sales@shop.example").one()
        quotes.lines.add_line(db.session, sales, draft["id"], "test-bike",
                              dict(BIKE, frame="steel"), 1)
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")  # retires steel
        db.session.commit()
    sign_in(page, "sales@shop.example")
    page.goto(f"/staff/quotes/{draft['id']}")
    expect(page.locator("#misfits")).to_contain_text("Steel (frame): no longer offered")
    page.get_by_role("button", name="Send to client").click()
    expect(page.locator("#quote-error")).to_contain_text("Line L3")
    expect(page.locator("#quote-status")).to_have_text("draft")
    page.get_by_role("link", name="Reconfigure L3").click()
    replace = page.get_by_role("button", name="Replace line L3")
    expect(replace).to_be_enabled()
    replace.click()
    expect(page.locator("h1")).to_have_text(re.compile(r"Quote Q-\d{4}-\d{5}$"))
    expect(page.locator("#misfits")).to_have_count(0)
    page.get_by_role("button", name="Send to client").click()
    expect(page.locator("#quote-status")).to_have_text("sent")
