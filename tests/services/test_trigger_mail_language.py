"""Trigger e-mails in the recipient's saved language (issue 16): the refill
reminder in Persian and the quote reminder in Vietnamese, read from the local
SMTP server; the saved-configuration and new-options messages in both."""

from __future__ import annotations

import sqlalchemy as sa

from configurator.services import catalogs
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.services.privacy import consent
from configurator.store.messages import Message
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE, STEEL_BIKE, gen_configuration, gen_user
from tests.services import test_triggers
from tests.services.test_triggers import DAYS, NOW, gen_regular, messages, run

two_quotes = test_triggers.two_quotes  # the fixture: two quotes sent to ACME's contact


def delivered(session, smtp_server, kind: str, now):
    """The `kind` message, sent through the local SMTP server and read back from it."""
    message_id = session.scalar(sa.select(Message.id).where(Message.kind == kind))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="shop@shop.test")
    assert delivery.deliver(session, message_id, transport,
                            TrackingLinks("http://shop.test", "secret"), now=now) == "sent"
    (mail,) = smtp_server.mailbox.wait_for(1)
    return mail["Subject"], mail.get_body(("plain",)).get_content()


def test_a_persian_customer_reads_the_refill_reminder_in_persian(session, bike, smtp_server):
    customer, last = gen_regular(session)
    customer.locale = "fa"
    run(session, NOW - 2 * DAYS)

    subject, body = delivered(session, smtp_server, "refill_reminder", NOW - 2 * DAYS)
    assert subject == "رو به اتمام است؟ Test bike را دوباره سفارش دهید"
    assert "هر ۱۴ روز یک بار Test bike سفارش می‌دهید" in body  # Persian digits
    assert "با یک کلیک همان را دوباره سفارش می‌دهید" in body
    assert "You usually" not in body and "Reorder in one click" not in body


def test_a_vietnamese_contact_reads_the_quote_reminder_in_vietnamese(session, two_quotes, smtp_server):
    contact, (first, _) = two_quotes
    contact.locale = "vi"
    due = NOW + 28 * DAYS + 12 * (DAYS / 24)
    run(session, due, limit=1)

    subject, body = delivered(session, smtp_server, "quote_expiring", due)
    assert subject.startswith(f"Báo giá {first.number} hết hạn vào ")
    assert "2030" in subject and "Sunday" not in subject and "March" not in subject
    assert "có hiệu lực đến" in body and "Chấp nhận báo giá chỉ cần một cú nhấp." in body
    assert "valid until" not in body


def test_saved_configuration_messages_follow_each_customers_language(session, bike):
    persian, vietnamese = gen_user(session, "pari@example.com"), gen_user(session, "vy@example.com")
    persian.locale, vietnamese.locale = "fa", "vi"
    gen_configuration(session, persian, STEEL_BIKE, name="Steel one")
    gen_configuration(session, vietnamese, STEEL_BIKE, name="Steel two")
    catalogs.load_file(session, DATA / "bike-v2.yaml")  # steel frames retired
    assert run(session, NOW).outcomes == {"written": 2}

    by_name = {m.recipient_id: m for m in messages(session)}
    assert by_name[persian.id].subject == "«Steel one» دیگر با کاتالوگ ما جور نیست"
    assert by_name[persian.id].action_label == "دیدن اصلاح"
    assert by_name[vietnamese.id].subject == "“Steel two” không còn phù hợp với danh mục của chúng tôi"
    assert "Frame: Steel" in by_name[vietnamese.id].body


def test_a_price_drop_in_vietnamese_writes_the_saving_with_vietnamese_separators(session, bike):
    customer = gen_user(session)
    customer.locale = "vi"
    consent.change(session, customer, {"marketing": True})
    gen_configuration(session, customer, COMPLETE_BIKE, name="Alu one")
    cheaper = (DATA / "bike.yaml").read_text(encoding="utf-8").replace(
        "version: 1", "version: 3").replace("price: 120.00", "price: 100.00")
    catalogs.load_text(session, cheaper, "bike-v3.yaml")
    assert run(session, NOW).outcomes == {"written": 1}

    (message,) = messages(session)
    assert message.subject == "“Alu one” giờ rẻ hơn 20,00"
    assert message.action_label == "Mở và đặt hàng"
