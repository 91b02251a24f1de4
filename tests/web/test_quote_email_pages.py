"""Sending a quote from its page to several contacts with the PDF attached, and e-mailing
it again from the sent quote's page (issue 15). The page only queues the e-mails; the
worker's delivery makes each PDF with the web's print page (`web/quote_mail.py`), and the
e-mails are read back from the local SMTP server."""

from __future__ import annotations

import io

import pypdf
import sqlalchemy as sa

from configurator.services import business
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.store.quotes import AccountEvent, BusinessAccount, QuoteRecord
from configurator.web.database import db
from configurator.web.quote_mail import pdf_attachments
from tests.helpers import gen_user
from tests.web.test_staff import sign_in


def deliver_pending(app, smtp_server) -> list[str]:
    """What the worker does: each pending e-mail, its PDF made as it goes."""
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    links = TrackingLinks("http://shop.test", "secret")
    with app.app_context():
        pending = list(db.session.scalars(sa.select(Message.id).where(Message.status == "pending")))
        return [delivery.deliver(db.session, message_id, transport, links,
                                 attachments=pdf_attachments(app)) for message_id in pending]


def pdf_text(data: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_send_to_two_contacts_with_the_pdf_then_again(app, client, auth, world, smtp_server):
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
    sent = client.post(f"{url}/send", data={"to_contact": [str(buyer_id), str(finance_id)]},
                       follow_redirects=True)
    assert "queued" in sent.get_data(as_text=True)
    with app.app_context():
        number = db.session.get(QuoteRecord, world["draft"]).number
        messages = list(db.session.scalars(sa.select(Message).where(
            Message.kind == "quote_sent", Message.subject.contains(number))))
        assert sorted(m.to_address for m in messages) == [
            "buyer@acme.example", "finance@acme.example"]
        # The request made no PDF: it is pending until the worker sends the e-mail.
        assert [a.data for m in messages for a in m.attachments] == [delivery.PENDING] * 2
    assert set(deliver_pending(app, smtp_server)) == {"sent"}
    persian = number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    for email in smtp_server.mailbox.wait_for(len(messages) + 1)[-2:]:
        [attachment] = list(email.iter_attachments())
        assert attachment.get_filename() == f"{number}.pdf"
        text = pdf_text(attachment.get_content())
        assert number in text or persian in text
        # Frank reads Persian: his PDF is in Persian ("پیش‌فاکتور", quote), the buyer's not.
        assert ("پیش" in text) == ("finance" in email["To"])
    with app.app_context():
        for message in db.session.scalars(sa.select(Message).where(
                Message.kind == "quote_sent", Message.subject.contains(number))):
            [attachment] = message.attachments  # kept on the outbox row as sent
            assert attachment.data.startswith(b"%PDF")
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


def test_unticking_every_contact_is_refused_in_words_and_nothing_is_sent(app, client, auth, world):
    def messages_sent():
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count(Message.id)))

    before = messages_sent()
    sign_in(auth, "staff@shop.example")
    url = f"/staff/quotes/{world['draft']}"
    assert 'name="contacts_shown"' in client.get(url).get_data(as_text=True)
    refused = client.post(f"{url}/send", data={"contacts_shown": "1"})
    assert refused.status_code == 400
    assert "Tick at least one contact" in refused.get_data(as_text=True)
    again = client.post(f"/staff/quotes/{world['sent']}/email", data={"contacts_shown": "1"})
    assert again.status_code == 400 and "Tick at least one contact" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(QuoteRecord, world["draft"]).status == "draft"
    assert messages_sent() == before
