"""The outbox and its delivery: written with the event or not at all, sent
once over real SMTP, retried, and tracked on the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from configurator.services.messages import delivery, outbox
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.store.types import utcnow
from tests.helpers import gen_user

LINKS = TrackingLinks("http://shop.test", "secret")
DRAFT = outbox.Draft(
    kind="order_confirmation",
    subject="Your order A-1",
    body="Thank you for your order.\n\nWe start building it today.",
    reason="You placed order A-1.",
    action_url="/account/orders/A-1",
    action_label="See your order",
)


@pytest.fixture
def customer(session):
    return gen_user(session, "mia@example.com", name="Mia")


@pytest.fixture
def transport(smtp_server):
    return SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")


def test_a_message_exists_only_if_its_event_commits(session, second_session, customer):
    outbox.enqueue(session, DRAFT, recipient=customer)
    session.rollback()
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(Message.id))) == 0

    outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()
    with second_session() as other:
        stored = other.scalars(sa.select(Message)).one()
        assert (stored.status, stored.to_address, stored.attempts) == ("pending", "mia@example.com", 0)


def test_commit_queues_the_delivery_and_rollback_queues_nothing(session, customer, job_queue):
    outbox.enqueue(session, DRAFT, recipient=customer)
    session.rollback()
    assert job_queue.queue.count == 0
    message = outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()
    job = job_queue.queue.jobs[0]
    assert job_queue.queue.count == 1
    assert job.func_name == "configurator.worker.run_job"
    assert job.args == ("messages.deliver", message.id)


def test_a_message_is_sent_once_even_when_asked_twice(session, customer, transport, smtp_server):
    message = outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()
    assert delivery.deliver(session, message.id, transport, LINKS) == "sent"
    assert delivery.deliver(session, message.id, transport, LINKS) == "not-due"
    assert len(smtp_server.mailbox.wait_for(1)) == 1


def test_a_temporary_refusal_is_retried_later(
    session, second_session, customer, transport, smtp_server
):
    smtp_server.mailbox.answers = ["451 4.3.0 try again later"]
    message = outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()

    assert delivery.deliver(session, message.id, transport, LINKS) == "retry"
    with second_session() as other:
        stored = other.get(Message, message.id)
        assert (stored.status, stored.attempts) == ("pending", 1)
        assert "451" in stored.last_error
        assert stored.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert delivery.deliver(session, message.id, transport, LINKS) == "not-due"
    later = utcnow() + timedelta(minutes=2)
    assert delivery.due_ids(session, now=later) == [message.id]
    assert delivery.deliver(session, message.id, transport, LINKS, now=later) == "sent"
    assert len(smtp_server.mailbox.wait_for(1)) == 1


def test_a_permanent_refusal_is_not_retried(session, customer, transport, smtp_server):
    smtp_server.mailbox.answers = ["550 5.1.1 no such mailbox"]
    message = outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()
    assert delivery.deliver(session, message.id, transport, LINKS) == "failed"
    assert delivery.due_ids(session, now=utcnow() + timedelta(days=2)) == []


def test_an_unreachable_server_is_retried_until_the_last_attempt(session, customer):
    nowhere = SmtpTransport("127.0.0.1", 9, timeout=2)  # the discard port: nobody listens
    message = outbox.enqueue(session, DRAFT, recipient=customer)
    session.commit()
    now = utcnow()
    outcomes = []
    for _ in range(delivery.MAX_ATTEMPTS):
        outcomes.append(delivery.deliver(session, message.id, nowhere, LINKS, now=now))
        now += timedelta(days=1)
    assert outcomes == ["retry"] * (delivery.MAX_ATTEMPTS - 1) + ["failed"]


def test_a_secret_leaves_the_database_once_sent(session, customer, transport, smtp_server):
    draft = outbox.Draft("password_reset", "Reset your password", "Use this link: /reset/xyz",
                         "You asked to reset your password.", secret=True)
    message = outbox.enqueue(session, draft, recipient=customer)
    session.commit()
    delivery.deliver(session, message.id, transport, LINKS)
    (received,) = smtp_server.mailbox.wait_for(1)
    assert "/reset/xyz" in received.get_body(("plain",)).get_content()
    session.refresh(message)
    assert "/reset/xyz" not in message.body


def test_one_event_makes_one_message(session, customer):
    first = outbox.enqueue(session, DRAFT, recipient=customer, dedupe_key="order:A-1")
    second = outbox.enqueue(session, DRAFT, recipient=customer, dedupe_key="order:A-1")
    session.commit()
    assert first is second
    assert session.scalar(sa.select(sa.func.count(Message.id))) == 1


def test_a_message_without_address_stays_in_the_inbox_only(session):
    message = outbox.enqueue(session, DRAFT, to_address=None)
    session.commit()
    assert message.status == "held"
    assert delivery.due_ids(session) == []




@pytest.mark.parametrize(("language", "why", "label", "direction"), [
    ("fa", "چرا این پیام را دریافت می‌کنید: ", "باز کردن", "rtl"),
    ("vi", "Vì sao bạn nhận được thư này: ", "Mở", "ltr"),
    (None, "Why you get this: ", "Open", "ltr"),
])
def test_the_e_mails_own_words_are_in_the_recipients_language(
    session, transport, smtp_server, language, why, label, direction
):
    """A Persian customer's e-mail was Persian but for its footer, "Why you get this:",
    and the link's default label; its HTML was left to right."""
    reader = gen_user(session, "sara@example.com", name="Sara")
    reader.locale = language
    draft = outbox.Draft("quote_sent", "Q-1", "Text.", "You asked.", action_url="/account/quotes/1")
    message = outbox.enqueue(session, draft, recipient=reader)
    session.commit()
    assert delivery.deliver(session, message.id, transport, LINKS) == "sent"
    email = smtp_server.mailbox.wait_for(1)[0]
    text = email.get_body(("plain",)).get_content()
    page = email.get_body(("html",)).get_content()
    assert f"{why}You asked." in text and f"{label}: http://shop.test/m/" in text
    assert f'dir="{direction}"' in page and f"{why}You asked." in page


def test_a_marketing_e_mail_links_to_the_privacy_page_and_others_do_not(
    session, transport, smtp_server
):
    """An offer by e-mail said "Change it on your privacy page" with no link to it."""
    from configurator.services.privacy import consent

    reader = gen_user(session, "ben@example.com", name="Ben")
    consent.change(session, reader, {"marketing": True})
    offer = outbox.Draft("offer", "An offer", "10 % off.", "You allowed offers.", purpose="marketing")
    for draft in (offer, DRAFT):
        message = outbox.enqueue(session, draft, recipient=reader)
        session.commit()
        assert delivery.deliver(session, message.id, transport, LINKS) == "sent"
    marketing, receipt = smtp_server.mailbox.wait_for(2)
    assert "Change what we may send you: http://shop.test/account/privacy" in (
        marketing.get_body(("plain",)).get_content())
    assert 'href="http://shop.test/account/privacy"' in marketing.get_body(("html",)).get_content()
    assert "/account/privacy" not in receipt.get_body(("plain",)).get_content()
