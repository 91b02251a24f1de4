"""The messaging use cases read back through a second session: claiming and
sending a message, reading it in the inbox, its opens and clicks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from configurator.services.messages import delivery, outbox
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.store.models import Interaction
from tests.helpers import gen_user
from tests.services.read_back import reads_back
from tests.services.test_messages import DRAFT, LINKS


@pytest.fixture
def customer(session):
    return gen_user(session, "mia@example.com", name="Mia")


@pytest.fixture
def transport(smtp_server):
    return SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")


@reads_back(delivery.claim)
def test_delivery_sends_over_smtp_and_notes_it_on_the_timeline(
    session, second_session, customer, transport, smtp_server
):
    message = outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()

    assert delivery.deliver(session, message.id, transport, LINKS) == "sent"

    (received,) = smtp_server.mailbox.wait_for(1)
    assert received["To"] == "mia@example.com"
    assert received["Subject"] == "Your order A-1"
    text = received.get_body(("plain",)).get_content()
    assert "We start building it today." in text
    assert "Why you get this: You placed order A-1." in text
    assert f"See your order: {LINKS.click_url(message.id)}" in text
    assert LINKS.open_url(message.id) in received.get_body(("html",)).get_content()
    with second_session() as other:
        stored = other.get(Message, message.id)
        assert stored.status == "sent" and stored.sent_at is not None
        event = other.scalars(sa.select(Interaction).where(Interaction.kind == "message_sent")).one()
        assert (event.customer_id, event.channel) == (customer.id, "email")
        assert event.detail["why"] == "You placed order A-1."

@reads_back(outbox.record_open, outbox.record_click)
def test_opens_and_clicks_are_noted_once(session, second_session, customer):
    message = outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()
    outbox.record_open(session, message.id)
    outbox.record_open(session, message.id)
    assert outbox.record_click(session, message.id) == "/account/orders/A-1"
    outbox.record_click(session, message.id)
    with second_session() as other:
        kinds = other.scalars(
            sa.select(Interaction.kind).where(Interaction.customer_id == customer.id)
            .where(Interaction.kind.like("message_%")).order_by(Interaction.id)
        ).all()
        assert kinds == ["message_opened", "message_clicked"]


@reads_back(outbox.read)
def test_reading_a_message_marks_it_read(session, second_session, customer):
    message = outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()
    outbox.read(session, customer, message.id)
    with second_session() as other:
        assert other.get(Message, message.id).read_at is not None
        assert outbox.unread_count(other, other.get(type(customer), customer.id)) == 0
