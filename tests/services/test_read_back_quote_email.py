"""A sent quote is e-mailed to the client's contact in the send's unit of work:
the outbox row is read back through a second session, delivered through the
local SMTP server, and opening it lands on the contact's timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import jdatetime
import pytest
import sqlalchemy as sa

from configurator.quoting import IllegalTransition
from configurator.services import business, quotes
from configurator.services.messages import delivery, outbox
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store import Interaction
from configurator.store.messages import Message
from tests.helpers import gen_user
from tests.services.quote_factories import BIKE
from tests.services.read_back import reads_back

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LINKS = TrackingLinks("http://shop.test", "secret")


def sent_quote(session, people, **kwargs):
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    quotes.lines.add_line(session, people["sales"], record.id, "test-bike", BIKE, 2, now=NOW)
    return quotes.sending.send(session, people["sales"], record.id, now=NOW, **kwargs)


@reads_back(quotes.sending.send)
def test_sending_a_quote_emails_the_decision_maker_with_the_link(session, second_session, people):
    buyer = gen_user(session, "buyer@acme.test", segment="business", name="Bea Buyer")
    business.accounts.add_contact(session, people["account"], buyer, "buyer")
    session.commit()
    record = sent_quote(session, people)
    with second_session() as other:
        (message,) = other.scalars(sa.select(Message).where(Message.kind == "quote_sent"))
        assert message.recipient_id == people["contact"].id  # the decision maker, not the buyer
        assert message.to_address == people["contact"].email
        assert message.action_url == f"/account/quotes/{record.id}"
        assert record.number in message.subject
        gross = record.frozen["totals"]["gross_total"]
        assert f"{float(gross):,.2f} EUR" in message.body
        assert "valid until " + record.valid_until.date().isoformat() in message.body
        assert message.status == "pending"


def test_staff_may_choose_the_contact(session, second_session, people):
    buyer = gen_user(session, "buyer@acme.test", segment="business", name="Bea Buyer")
    business.accounts.add_contact(session, people["account"], buyer, "buyer")
    session.commit()
    sent_quote(session, people, to_contact=buyer.id)
    with second_session() as other:
        addresses = other.scalars(sa.select(Message.to_address).where(Message.kind == "quote_sent"))
        assert list(addresses) == ["buyer@acme.test"]


def test_a_stranger_is_refused_and_nothing_is_sent(session, second_session, people):
    stranger = gen_user(session, "someone@else.test")
    session.commit()
    with pytest.raises(IllegalTransition, match="not a contact"):
        sent_quote(session, people, to_contact=stranger.id)
    session.rollback()
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_the_email_is_delivered_and_its_opening_lands_on_the_timeline(
    session, second_session, people, smtp_server
):
    record = sent_quote(session, people)
    message = session.scalar(sa.select(Message).where(Message.kind == "quote_sent"))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    assert delivery.deliver(session, message.id, transport, LINKS) == "sent"
    (received,) = smtp_server.mailbox.wait_for(1)
    assert received["To"] == people["contact"].email
    text = received.get_body(("plain",)).get_content()
    assert record.number in text
    assert LINKS.click_url(message.id) in text  # the tracked link to the client's page
    outbox.record_open(session, message.id)
    with second_session() as other:
        kinds = other.scalars(
            sa.select(Interaction.kind).where(Interaction.customer_id == people["contact"].id)
        )
        assert {"quoted", "message_sent", "message_opened"} <= set(kinds)
        staff = other.get(type(people["sales"]), people["sales"].id)
        history = business.accounts.history(other, staff, people["account"].id)
        assert "message_opened" in {i.kind for i in history.interactions}  # the account's page


def test_the_email_is_written_in_the_contacts_language(session, second_session, people):
    people["contact"].locale = "fa"
    session.commit()
    sent_quote(session, people)
    with second_session() as other:
        message = other.scalar(sa.select(Message).where(Message.kind == "quote_sent"))
        assert message.subject.startswith("پیش‌فاکتور")
        assert message.action_label == "باز کردن پیش‌فاکتور"


def delivered_text(session, smtp_server) -> str:
    """The plain text of the quote e-mail, as the SMTP server received it."""
    message = session.scalar(sa.select(Message).where(Message.kind == "quote_sent"))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    assert delivery.deliver(session, message.id, transport, LINKS) == "sent"
    (received,) = smtp_server.mailbox.wait_for(1)
    return received.get_body(("plain",)).get_content()


def test_a_persian_contact_reads_the_validity_in_the_jalali_calendar_and_persian_digits(
    session, people, smtp_server
):
    people["contact"].locale = "fa"
    session.commit()
    record = sent_quote(session, people)
    text = delivered_text(session, smtp_server)
    until = record.valid_until.date()
    jalali = jdatetime.date.fromgregorian(date=until).strftime("%Y/%m/%d")
    assert jalali.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in text
    assert until.isoformat() not in text


def test_an_english_contact_reads_the_validity_as_before(session, people, smtp_server):
    record = sent_quote(session, people)
    text = delivered_text(session, smtp_server)
    assert "valid until " + record.valid_until.date().isoformat() + "." in text
