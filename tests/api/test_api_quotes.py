"""Quotes over the API: a business client's own quotes (read, accept,
decline) and staff's search; drafts and other accounts' quotes stay hidden."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from api_factories import ApiClient, gen_token

from configurator.services import api_tokens, quotes
from configurator.services.quotes.service_lines import ServiceInput
from configurator.store import User
from configurator.web.database import db
from tests.services.quote_factories import BIKE, CARBON, gen_account, gen_staff


@pytest.fixture
def deal(app):
    """ACME with a sent quote (2 bikes, 1 carbon) and a draft; tokens for its buyer and sales."""
    with app.app_context():
        sales = gen_staff(db.session, "staff", "sales@shop.example")
        account, contact = gen_account(db.session, contact_email="buyer@acme.example")
        sent = quotes.drafts.create(db.session, sales, account.id)
        quotes.lines.add_line(db.session, sales, sent.id, "test-bike", BIKE, 2)
        quotes.lines.add_line(db.session, sales, sent.id, "test-bike", CARBON, 1)
        sent = quotes.sending.send(db.session, sales, sent.id)
        draft = quotes.drafts.create(db.session, sales, account.id)
        quotes.lines.add_line(db.session, sales, draft.id, "test-bike", BIKE, 5)
        _, other_contact = gen_account(
            db.session, "Other AB", contact_email="buyer@other.example"
        )
        return {
            "sent": sent.id,
            "number": sent.number,
            "draft": draft.id,
            "buyer": ApiClient(app, gen_token(db.session, contact)),
            "sales": ApiClient(app, gen_token(db.session, sales)),
            "other": ApiClient(app, gen_token(db.session, other_contact)),
        }


def test_the_buyer_lists_only_sent_quotes_of_the_account(deal):
    body = deal["buyer"].get("/api/quotes").get_json()
    assert [quote["id"] for quote in body["items"]] == [deal["sent"]]
    row = body["items"][0]
    # 2 x 166.50 + 742.50 = 1075.50 net, 19 % tax 204.35: 1279.85 gross.
    assert (row["status"], row["gross_total"], row["currency"]) == ("sent", "1279.85", "EUR")


def test_the_buyer_reads_the_quote_as_sent(deal):
    quote = deal["buyer"].get(f"/api/quotes/{deal['sent']}").get_json()
    assert quote["number"] == deal["number"] and quote["account"] == "ACME GmbH"
    assert [(line["quantity"], line["net"]) for line in quote["lines"]] == [
        (2, "333.00"),
        (1, "742.50"),
    ]
    assert quote["totals"]["gross_total"] == "1279.85"
    assert quote["decline_reason"] is None


def test_drafts_and_other_accounts_quotes_are_404(deal):
    assert deal["buyer"].get(f"/api/quotes/{deal['draft']}").status_code == 404
    assert deal["other"].get(f"/api/quotes/{deal['sent']}").status_code == 404
    assert deal["other"].post(f"/api/quotes/{deal['sent']}/accept", {}).status_code == 404
    assert deal["other"].get("/api/quotes").get_json()["items"] == []


def test_the_buyer_accepts(deal):
    response = deal["buyer"].post(f"/api/quotes/{deal['sent']}/accept", {"signature": "Eva"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "accepted"
    again = deal["buyer"].post(f"/api/quotes/{deal['sent']}/accept", {})
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"


def test_the_buyer_declines_with_a_reason(deal):
    url = f"/api/quotes/{deal['sent']}/decline"
    blank = deal["buyer"].post(url, {"reason": "   "})
    assert blank.status_code == 422 and "reason" in blank.get_json()["errors"]
    response = deal["buyer"].post(url, {"reason": "Too expensive"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["decline_reason"]) == ("declined", "Too expensive")


def test_an_expired_quote_cannot_be_accepted(app, deal):
    with app.app_context():
        record = quotes.records.load(db.session, gen_staff(db.session, "manager"), deal["sent"]).record
        record.valid_until = record.valid_until - timedelta(days=400)
        db.session.commit()
    response = deal["buyer"].post(f"/api/quotes/{deal['sent']}/accept", {})
    assert response.status_code == 409
    assert "expired" in response.get_json()["detail"]


def test_staff_search_and_read_drafts(deal):
    sales = deal["sales"]
    found = sales.get("/api/staff/quotes?text=acme").get_json()
    assert {row["id"] for row in found["items"]} == {deal["sent"], deal["draft"]}
    drafts = sales.get("/api/staff/quotes?status=draft").get_json()
    assert [row["id"] for row in drafts["items"]] == [deal["draft"]]
    assert drafts["items"][0]["gross_total"] is None
    draft = sales.get(f"/api/staff/quotes/{deal['draft']}").get_json()
    assert draft["status"] == "draft" and draft["lines"][0]["quantity"] == 5


def test_staff_search_pages_keep_the_filters(deal):
    first = deal["sales"].get("/api/staff/quotes?limit=1&text=acme").get_json()
    assert len(first["items"]) == 1 and "text=acme" in first["next"]
    second = deal["sales"].get(first["next"]).get_json()
    assert len(second["items"]) == 1 and second["next"] is None
    assert first["items"][0]["id"] != second["items"][0]["id"]


def test_clients_cannot_use_the_staff_endpoints(deal):
    """Their role cannot even grant the scope: 403, whatever the token says."""
    assert deal["buyer"].get("/api/staff/quotes").status_code == 403
    assert deal["buyer"].get(f"/api/staff/quotes/{deal['sent']}").status_code == 403


def test_staff_do_not_answer_quotes_for_the_client(deal):
    """Client endpoints need client scopes, which a staff token cannot carry."""
    assert deal["sales"].post(f"/api/quotes/{deal['sent']}/accept", {}).status_code == 403


QUOTE_ROUTES = [
    ("GET", "/api/quotes", None),
    ("GET", "/api/quotes/{sent}", None),
    ("POST", "/api/quotes/{sent}/accept", {}),
    ("POST", "/api/quotes/{sent}/decline", {"reason": "No"}),
    ("GET", "/api/staff/quotes", None),
    ("GET", "/api/staff/quotes/{sent}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), QUOTE_ROUTES)
def test_quote_routes_need_a_token(deal, method, path, body):
    response = deal["buyer"].as_(None).open(method, path.format(**deal), json=body)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("method", "path", "body"), QUOTE_ROUTES)
def test_quote_routes_need_their_scope(app, deal, method, path, body):
    with app.app_context():
        sales = api_tokens.user_by_email(db.session, "sales@shop.example")
        token = gen_token(db.session, sales, ["catalog:read"])
    response = ApiClient(app, token).open(method, path.format(**deal), json=body)
    assert response.status_code == 403


def test_an_accepted_quote_ordered_by_sales_shows_in_the_buyers_orders(app, deal):
    deal["buyer"].post(f"/api/quotes/{deal['sent']}/accept", {})
    with app.app_context():
        sales = api_tokens.user_by_email(db.session, "sales@shop.example")
        number = quotes.answers.convert_to_order(db.session, sales, deal["sent"]).number
    (order,) = deal["buyer"].get("/api/orders").get_json()["items"]
    assert order["number"] == number and order["total"] == "1279.85"
    assert order["catalog"]["name"] == f"Quote {deal['number']}"
    assert deal["buyer"].get(f"/api/quotes/{deal['sent']}").get_json()["status"] == "ordered"


@pytest.mark.parametrize(("language", "words"), [
    ("fa", "و نمی‌تواند به وضعیت «پذیرفته‌شده» برود"),
    ("vi", "nên không thể chuyển sang đã chấp nhận"),
])
def test_a_refusal_follows_accept_language_and_keeps_its_type(deal, language, words):
    url = f"/api/quotes/{deal['sent']}/accept"
    assert deal["buyer"].post(url, {"signature": "Eva"}).status_code == 200
    again = deal["buyer"].post(url, {}, headers={"Accept-Language": language})
    problem = again.get_json()
    assert again.status_code == 409 and words in problem["detail"]
    assert deal["number"] in problem["detail"] and "cannot be" not in problem["detail"]


def test_an_expired_quote_says_so_in_persian_with_a_jalali_date(app, deal):
    with app.app_context():
        record = quotes.records.load(db.session, gen_staff(db.session, "manager"), deal["sent"]).record
        record.valid_until = record.valid_until.replace(year=2025, month=3, day=21, hour=9,
                                                        minute=30)
        db.session.commit()
    response = deal["buyer"].post(f"/api/quotes/{deal['sent']}/accept", {},
                                  headers={"Accept-Language": "fa"})
    detail = response.get_json()["detail"]
    assert response.status_code == 409 and "منقضی" in detail
    assert "۱۴۰۴/۰۱/۰۱ ۰۹:۳۰ UTC" in detail  # 21 March 2025 is 1 Farvardin 1404


def test_service_lines_show_in_get_with_the_cost_for_staff_only(app, deal):
    with app.app_context():
        sales = db.session.scalar(sa.select(User).where(User.email == "sales@shop.example"))
        quotes.service_lines.add_service(
            db.session, sales, deal["draft"],
            ServiceInput("Freight", 1, Decimal("80.00"), Decimal("55.00"), Decimal(0)))
        quotes.sending.send(db.session, sales, deal["draft"])
        db.session.commit()
    client_view = deal["buyer"].get(f"/api/quotes/{deal['draft']}").get_json()
    assert client_view["services"] == [{
        "line_id": "L2", "description": "Freight", "quantity": 1, "unit_price": "80.00",
        "tax_label": "VAT DE 0%", "net": "80.00",
    }]
    assert "55.00" not in str(client_view)
    staff_view = deal["sales"].get(f"/api/staff/quotes/{deal['draft']}").get_json()
    assert staff_view["services"] == [{**client_view["services"][0], "unit_cost": "55.00",
                                       "tax_rate": "0.00"}]
    old = deal["buyer"].get(f"/api/quotes/{deal['sent']}").get_json()
    assert old["services"] == []


def test_staff_add_change_and_remove_service_lines_of_a_draft(deal):
    sales, url = deal["sales"], f"/api/staff/quotes/{deal['draft']}/services"
    freight = {"description": "Freight", "quantity": 1, "unit_price": "80.00",
               "unit_cost": "55.00", "tax_rate": "0"}
    added = sales.post(url, freight)
    assert added.status_code == 201, added.get_json()
    assert added.headers["Location"] == f"/api/staff/quotes/{deal['draft']}"
    [line] = added.get_json()["services"]
    assert (line["description"], line["unit_cost"], line["tax_rate"], line["net"]) == (
        "Freight", "55.00", "0.00", "80.00")
    changed = sales.open("PATCH", f"{url}/{line['line_id']}",
                         json=dict(freight, quantity=2, unit_price="95.00", tax_rate=None))
    assert changed.status_code == 200
    assert [(s["quantity"], s["net"], s["tax_rate"]) for s in changed.get_json()["services"]] == [
        (2, "190.00", None)]
    too_precise = sales.post(url, dict(freight, unit_price="1.005"))
    assert too_precise.status_code == 422
    too_large = sales.post(url, dict(freight, unit_price="9999999999.00"))  # past the limit
    assert too_large.status_code == 422 and "between 0 and" in too_large.get_json()["detail"]
    stale = sales.post(url, dict(freight, version=1))
    assert stale.status_code == 409
    missing = sales.open("DELETE", f"{url}/L99")
    assert missing.status_code == 404
    removed = sales.open("DELETE", f"{url}/{line['line_id']}")
    assert removed.status_code == 200 and removed.get_json()["services"] == []


def test_service_lines_of_a_sent_quote_cannot_change_and_clients_cannot_touch_them(deal):
    body = {"description": "Freight", "quantity": 1, "unit_price": "80.00"}
    sent = deal["sales"].post(f"/api/staff/quotes/{deal['sent']}/services", body)
    assert sent.status_code == 409
    refused = deal["buyer"].post(f"/api/staff/quotes/{deal['draft']}/services", body)
    assert refused.status_code in (403, 404)
    assert deal["sales"].get(f"/api/staff/quotes/{deal['draft']}").get_json()["services"] == []
