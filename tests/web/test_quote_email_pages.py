"""Sending a quote from its page to several contacts with the PDF attached, and e-mailing
it again from the sent quote's page (issue 15)."""

from __future__ import annotations

import io

import pypdf
import sqlalchemy as sa

from configurator.services import business
from configurator.store.messages import Message
from configurator.store.quotes import AccountEvent, BusinessAccount, QuoteRecord
from configurator.web.database import db
from tests.helpers import gen_user
from tests.web.test_staff import sign_in


def test_send_to_two_contacts_with_the_pdf_then_again(app, client, auth, world):
    with app.app_context():
        finance = gen_user(db.session, "finance@acme.example", segment="business",
                           name="Frank Finance")
        finance.locale = "fa"
        acme = db.session.get(BusinessAccount, world["acme"])
        business.accounts.add_contact(db.session, acme, finance, "finance")
        db.session.commit()
        finance_id, buyer_id = finance.id, acme.contacts[0].user_id
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    page = client.get(url).get_data(as_text=True)
    assert page.count('type="checkbox" name="to_contact"') == 2
    sent = client.post(f"{url}/send", data={"to_contact": [str(buyer_id), str(finance_id)]})
    assert sent.status_code == 303
    with app.app_context():
        number = db.session.get(QuoteRecord, world["draft"]).number
        messages = list(db.session.scalars(sa.select(Message).where(
            Message.kind == "quote_sent", Message.subject.contains(number))))
        assert sorted(m.to_address for m in messages) == [
            "buyer@acme.example", "finance@acme.example"]
        for message in messages:
            [attachment] = message.attachments
            assert attachment.filename == f"{number}.pdf"
            text = pypdf.PdfReader(io.BytesIO(attachment.data)).pages[0].extract_text()
            assert number in text or number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in text
    page = client.get(url).get_data(as_text=True)
    assert 'id="email-again"' in page
    again = client.post(f"{url}/email", data={"to_contact": str(finance_id)})
    assert again.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Message.id)).where(
            Message.subject.contains(number))) == 3
        assert db.session.scalar(sa.select(sa.func.count(AccountEvent.id)).where(
            AccountEvent.action == "quote e-mailed",
            AccountEvent.quote_id == world["draft"])) == 2


def test_a_draft_cannot_be_emailed_again(client, auth, world):
    sign_in(auth, "staff@shop.example")
    refused = client.post(f"/staff/quotes/{world['draft']}/email")
    assert refused.status_code == 400
    assert "only a sent quote" in refused.get_data(as_text=True)
