"""Service and free-text lines on the pages: staff add one through the htmx panel (a
refusal comes back in the panel, CSRF required), the totals split VAT per rate, and the
client's page, the print page and the PDF show price and rate but never the cost."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import sqlalchemy as sa

from configurator.services import quotes
from configurator.services.quotes.service_lines import ServiceInput
from configurator.store import User
from configurator.store.quotes import QuoteRecord
from configurator.web.database import db
from tests.web.test_staff import sign_in

HTMX = {"HX-Request": "true"}


def test_staff_add_a_service_line_through_the_htmx_panel(app, client, auth, world):
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="service-lines"' in page and 'hx-post="' + url + '/services"' in page
    refused = client.post(f"{url}/services", headers=HTMX,
                          data={"description": "Freight", "quantity": "1", "unit_price": "abc"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert body.lstrip().startswith("<section") and "is not a number" in body
    assert 'value="Freight"' in body  # what was typed is kept
    added = client.post(f"{url}/services", headers=HTMX,
                        data={"description": "Freight", "quantity": "1", "unit_price": "80",
                              "unit_cost": "55", "tax_rate": "0"})
    assert added.status_code == 200 and added.headers["HX-Redirect"] == url
    page = client.get(url).get_data(as_text=True)
    assert 'id="line-L2"' in page and "Freight" in page
    assert "VAT DE 0% on 80.00" in page and "VAT DE 19% on" in page
    with app.app_context():
        [row] = db.session.get(QuoteRecord, world["draft"]).service_lines
        assert (row.unit_price, row.unit_cost, row.tax_rate) == (
            Decimal("80.00"), Decimal("55.00"), Decimal("0.00"))


def test_a_service_line_post_with_a_forged_csrf_token_is_refused(app, client, auth, world):
    sign_in(auth, "staff@shop.example")
    response = client.post(f"/staff/quotes/{world['draft']}/services",
                           data={"description": "Freight", "unit_price": "80"},
                           headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(QuoteRecord, world["draft"]).service_lines == []


def test_change_and_remove_without_javascript(app, client, auth, world):
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    assert client.post(f"{url}/services", data={"description": "Installation",
                                                "unit_price": "120"}).status_code == 303
    saved = client.post(f"{url}/services/L2", data={"description": "Installation on site",
                                                     "quantity": "2", "unit_price": "120"})
    assert saved.status_code == 303
    refused = client.post(f"{url}/services/L2", data={"description": "x", "unit_price": "-5"})
    assert refused.status_code == 400 and "between 0" in refused.get_data(as_text=True)
    assert client.post(f"{url}/services/L2/remove").status_code == 303
    with app.app_context():
        assert db.session.get(QuoteRecord, world["draft"]).service_lines == []


def test_the_client_never_sees_the_cost(app, client, auth, world):
    with app.app_context():
        sales = db.session.scalar(sa.select(User).where(User.email == "staff@shop.example"))
        quote_id = world["draft"]
        quotes.service_lines.add_service(
            db.session, sales, quote_id,
            ServiceInput("Installation on site", 1, Decimal("120.00"), Decimal("987.65"),
                         Decimal(7)))
        quotes.sending.send(db.session, sales, quote_id)
        db.session.commit()
    sign_in(auth, "buyer@acme.example")
    for path in (f"/account/quotes/{quote_id}", f"/account/quotes/{quote_id}/print"):
        page = client.get(path).get_data(as_text=True)
        assert "Installation on site" in page and "VAT DE 7% on 120.00" in page
        assert "987.65" not in page and "Unit cost" not in page and "Margin" not in page
    pdf = client.get(f"/account/quotes/{quote_id}/pdf")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Installation on site" in text
    assert "987.65" not in text and "Margin" not in text


def test_the_revision_compare_page_shows_service_lines_with_their_cost(app, client, auth, world):
    with app.app_context():
        sales = db.session.scalar(sa.select(User).where(User.email == "staff@shop.example"))
        first = world["draft"]
        quotes.service_lines.add_service(
            db.session, sales, first,
            ServiceInput("Freight", 1, Decimal("80.00"), Decimal("55.00"), Decimal(0)))
        quotes.service_lines.add_service(
            db.session, sales, first, ServiceInput("Packing", 1, Decimal("9.00")))
        quotes.sending.send(db.session, sales, first)
        second = quotes.drafts.revise(db.session, sales, first)
        freight, packing = (row.line_id for row in second.service_lines)
        quotes.service_lines.change_service(
            db.session, sales, second.id, freight,
            ServiceInput("Freight by truck", 2, Decimal("95.00"), Decimal("61.00")))
        quotes.service_lines.remove_service(db.session, sales, second.id, packing)
        db.session.commit()
        second_id = second.id
    sign_in(auth, "staff@shop.example")
    page = client.get(f"/staff/quotes/{second_id}/compare?with={first}").get_data(as_text=True)
    table = page[page.index('id="service-diff"'):]
    assert "<del>Freight</del> <ins>Freight by truck</ins>" in table
    assert "55.00 → 61.00" in table  # the cost: this page is staff's
    assert "95.00" in table and "Packing" in table and "removed" in table
    assert "the quote&#39;s rate" in table or "the quote's rate" in table
