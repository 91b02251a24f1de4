"""The printable quote (page and PDF, one template) and the client's quote page
name the product line and its options in the reader's language, from the catalog's `translations:`: the
shipped VND and IRR demo accounts' quotes, read by their contacts and by sales."""

from __future__ import annotations

import sqlalchemy as sa

from configurator.store.quotes import BusinessAccount, QuoteRecord
from configurator.web.database import db
from tests.web.test_staff_money_whole_units import accounts  # noqa: F401 (fixture)


def sent_quote(app, currency: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(QuoteRecord.id).join(BusinessAccount)
            .where(BusinessAccount.currency == currency, QuoteRecord.status == "sent"))


def test_a_persian_contact_reads_the_rial_quote_in_persian(client, auth, app, accounts):  # noqa: F811
    quote_id = sent_quote(app, "IRR")
    auth.signin("maryam.rezaei@narenj.example", "demo-maryam")
    page = client.get(f"/account/quotes/{quote_id}/print").get_data(as_text=True)
    assert 'lang="fa"' in page
    assert "فرش ماشینی کاشان" in page and "Kashan machine-woven carpet" not in page
    assert "لوله‌شده در گونی" in page and "Rolled and wrapped in jute" not in page
    answer = client.get(f"/account/quotes/{quote_id}").get_data(as_text=True)  # where she accepts
    assert "فرش ماشینی کاشان" in answer and "Kashan machine-woven carpet" not in answer
    pdf = client.get(f"/account/quotes/{quote_id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_sales_print_the_dong_quote_in_the_page_language(client, auth, app, accounts):  # noqa: F811
    quote_id = sent_quote(app, "VND")
    auth.signin("sales@shop.example", "password123")
    english = client.get(f"/staff/quotes/{quote_id}/print").get_data(as_text=True)
    assert "Vietnamese phin coffee" in english and "Zip bag with one-way valve" in english
    vietnamese = client.get(f"/staff/quotes/{quote_id}/print",
                            headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Cà phê phin Việt Nam" in vietnamese and "Túi zip có van một chiều" in vietnamese
    assert "Vietnamese phin coffee" not in vietnamese


def test_sales_edit_the_rial_quote_with_option_names_in_persian(client, auth, app, accounts):  # noqa: F811
    quote_id = sent_quote(app, "IRR")
    auth.signin("sales@shop.example", "password123")
    english = client.get(f"/staff/quotes/{quote_id}").get_data(as_text=True)
    assert "Kashan machine-woven carpet" in english and "Rolled and wrapped in jute" in english
    persian = client.get(f"/staff/quotes/{quote_id}",
                         headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert 'lang="fa"' in persian
    assert "فرش ماشینی کاشان" in persian and "لوله‌شده در گونی" in persian
    assert "Kashan machine-woven carpet" not in persian and "Rolled and wrapped in jute" not in persian
