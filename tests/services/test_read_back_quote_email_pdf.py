"""A quote e-mailed with its PDF to several contacts, and e-mailed again (issue 15):
read back through a second session, delivered through the local SMTP server with the
PDF attached, and every send on the account's timeline and each contact's. Sending
writes the PDF pending; the worker makes it when the e-mail goes and keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from configurator.quoting import IllegalTransition
from configurator.services import business, quotes
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store import Interaction
from configurator.store.messages import Message
from configurator.store.quotes import AccountEvent
from tests.helpers import gen_user
from tests.services.quote_factories import BIKE
from tests.services.read_back import reads_back

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LINKS = TrackingLinks("http://shop.test", "secret")


def pdf_maker(record, contact) -> bytes:
    """The web layer renders the print page; here a small PDF-like file per recipient
    shows that each recipient gets their own, in their language."""
    return f"%PDF-1.7 {record.number} {contact.locale or 'en'}".encode()


PDFS = quotes.sending.pdf_attachments(pdf_maker)


@pytest.fixture
def buyer(session, people):
    buyer = gen_user(session, "buyer@acme.test", segment="business", name="Bea Buyer")
    buyer.locale = "vi"
    business.accounts.add_contact(session, people["account"], buyer, "buyer")
    session.commit()
    return buyer


def draft(session, people):
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    quotes.lines.add_line(session, people["sales"], record.id, "test-bike", BIKE, 1, now=NOW)
    return record


def deliver_all(session, smtp_server, attachments=PDFS) -> list[str]:
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    pending = list(session.scalars(sa.select(Message.id).where(Message.status == "pending")))
    return [delivery.deliver(session, message_id, transport, LINKS, attachments=attachments)
            for message_id in pending]


@reads_back(quotes.sending.email_again)
def test_sent_to_two_contacts_with_the_pdf_and_again_to_one(
        session, second_session, people, buyer, smtp_server):
    record = draft(session, people)
    quotes.sending.send(session, people["sales"], record.id, now=NOW, attach_pdf=True,
                        to_contacts=[people["contact"].id, buyer.id])
    with second_session() as other:
        messages = list(other.scalars(sa.select(Message).order_by(Message.id)))
        assert [m.to_address for m in messages] == [people["contact"].email, "buyer@acme.test"]
        # Sending made no PDF: the worker makes it when the e-mail goes.
        assert [(a.filename, a.data) for a in messages[1].attachments] == [
            (f"{record.number}.pdf", delivery.PENDING)]
    assert deliver_all(session, smtp_server) == ["sent", "sent"]
    with second_session() as other:
        messages = list(other.scalars(sa.select(Message).order_by(Message.id)))
        assert [(a.filename, a.data) for a in messages[1].attachments] == [
            (f"{record.number}.pdf", f"%PDF-1.7 {record.number} vi".encode())]
    received = smtp_server.mailbox.wait_for(2)
    for email in received:
        [attachment] = list(email.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"{record.number}.pdf"
        assert attachment.get_content().startswith(b"%PDF")
    # Each recipient's own PDF, in their language.
    assert sorted(next(e.iter_attachments()).get_content() for e in received) == sorted(
        f"%PDF-1.7 {record.number} {locale}".encode()
        for locale in ("vi", people["contact"].locale or "en"))

    quotes.sending.email_again(session, people["sales"], record.id, [buyer.id], attach_pdf=True,
                               now=NOW + timedelta(days=2))
    deliver_all(session, smtp_server)
    assert len(smtp_server.mailbox.wait_for(3)) == 3
    with second_session() as other:
        details = list(other.scalars(
            sa.select(AccountEvent.detail).where(AccountEvent.action == "quote e-mailed")
            .order_by(AccountEvent.id)))
        assert details == [
            f"to {people['contact'].name} <{people['contact'].email}>, "
            "Bea Buyer <buyer@acme.test> with the PDF",
            "to Bea Buyer <buyer@acme.test> with the PDF",
        ]
        sent_to_buyer = other.scalars(sa.select(Interaction.kind).where(
            Interaction.customer_id == buyer.id, Interaction.kind == "message_sent"))
        assert len(list(sent_to_buyer)) == 2  # each send on the contact's own timeline


def test_only_a_sent_quote_is_emailed_again_and_only_to_contacts(session, people, buyer):
    record = draft(session, people)
    with pytest.raises(IllegalTransition, match="only a sent quote"):
        quotes.sending.email_again(session, people["sales"], record.id, [buyer.id], now=NOW)
    session.rollback()
    quotes.sending.send(session, people["sales"], record.id, now=NOW)
    stranger = gen_user(session, "someone@else.test")
    session.commit()
    with pytest.raises(IllegalTransition, match="not a contact"):
        quotes.sending.email_again(session, people["sales"], record.id,
                                   [buyer.id, stranger.id], now=NOW)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(Message.id))) == 1  # the first send only


@reads_back(delivery.deliver)
def test_a_pdf_that_cannot_be_made_leaves_the_e_mail_to_be_retried(
        session, second_session, people, buyer, smtp_server):
    record = draft(session, people)
    quotes.sending.send(session, people["sales"], record.id, now=NOW, attach_pdf=True,
                        to_contacts=[buyer.id])

    def broken(record, contact):
        raise OSError("the font is missing")

    # A worker without a maker, then one whose PDF fails: retried, the reason on the row.
    assert deliver_all(session, smtp_server, attachments=None) == ["retry"]
    with second_session() as other:
        message = other.scalar(sa.select(Message))
        assert (message.status, message.attachments[0].data) == ("pending", delivery.PENDING)
        assert "no way to make it" in message.last_error
        message.next_attempt_at = NOW
        other.commit()
    assert deliver_all(session, smtp_server,
                       attachments=quotes.sending.pdf_attachments(broken)) == ["retry"]
    with second_session() as other:
        message = other.scalar(sa.select(Message))
        assert "the font is missing" in message.last_error
        message.next_attempt_at = NOW
        other.commit()
    assert deliver_all(session, smtp_server) == ["sent"]
    [email] = smtp_server.mailbox.wait_for(1)
    assert next(email.iter_attachments()).get_content() == f"%PDF-1.7 {record.number} vi".encode()
