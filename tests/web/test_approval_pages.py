"""The approval request on the pages (issue 15): /staff/approvals shows discount,
margin, value, requester, reason and whose approval is next, to managers and
directors only; the quote page offers "Approve" to the role whose step it is."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from configurator.quoting import Discount
from configurator.services import quotes
from configurator.store import User
from configurator.store.quotes import QuoteRecord
from configurator.web.database import db
from tests.services.quote_factories import gen_staff
from tests.web.test_staff import sign_in


def pending_quote(app, world, percent: str) -> int:
    with app.app_context():
        sales = db.session.scalar(sa.select(User).where(User.email == "staff@shop.example"))
        gen_staff(db.session, "director", "director@shop.example")
        quotes.drafts.set_discount(db.session, sales, world["draft"],
                                   Discount.percent_off(Decimal(percent)))
        quotes.approvals.submit(db.session, sales, world["draft"], reason="Trade fair deal")
        db.session.commit()
    return world["draft"]


def test_the_request_shows_its_context_and_goes_manager_then_director(app, client, auth, world):
    quote_id = pending_quote(app, world, "22")  # beyond a manager's 20 %
    sign_in(auth, "manager@shop.example")
    listing = client.get("/staff/approvals").get_data(as_text=True)
    row = listing.split(f'id="approval-{quote_id}"')[1].split("</tr>")[0]
    assert "22.00 %" in row and "Trade fair deal" in row and "Staff Person" in row
    assert "a manager" in row
    page = client.get(f"/staff/quotes/{quote_id}").get_data(as_text=True)
    assert 'id="approval-request"' in page and "a manager → a director" in page
    assert client.post(f"/staff/quotes/{quote_id}/approve").status_code == 303

    sign_in(auth, "director@shop.example")
    row = client.get("/staff/approvals").get_data(as_text=True).split(
        f'id="approval-{quote_id}"')[1].split("</tr>")[0]
    assert "a director" in row and "(approved by Manager Person)" in row
    page = client.get(f"/staff/quotes/{quote_id}").get_data(as_text=True)
    assert "Approve discounts" in page
    assert client.post(f"/staff/quotes/{quote_id}/approve").status_code == 303
    with app.app_context():
        stored = db.session.get(QuoteRecord, quote_id)
        assert (stored.status, stored.approval["role"]) == ("approved", "director")
    page = client.get(f"/staff/quotes/{quote_id}").get_data(as_text=True)
    assert "Approved by a manager and then a director" in page


def test_a_director_cannot_take_the_managers_step(app, client, auth, world):
    quote_id = pending_quote(app, world, "22")
    sign_in(auth, "director@shop.example")
    page = client.get(f"/staff/quotes/{quote_id}").get_data(as_text=True)
    assert "Approve discounts" not in page
    refused = client.post(f"/staff/quotes/{quote_id}/approve")
    assert refused.status_code == 403
    assert "waits for a manager" in refused.get_data(as_text=True)


def test_sales_see_no_approvals_page(app, client, auth, world):
    pending_quote(app, world, "15")
    sign_in(auth, "staff@shop.example")
    assert client.get("/staff/approvals").status_code == 403
