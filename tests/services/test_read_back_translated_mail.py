"""E-mails and refusals in the recipient's saved language: the order status e-mail and
the password reset arrive over real SMTP in Persian or Vietnamese; the timeline keeps
a status change as a phrase; status refusals are phrases. Read back through a second
session."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from configurator.services import checkout, fulfilment, passwords, timeline
from configurator.services.configuring.wording import phrase_text
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.store.models import Interaction
from tests.helpers import CARBON_BIKE, gen_configuration, gen_user
from tests.services.quote_factories import gen_staff
from tests.services.read_back import reads_back

HOME = checkout.AddressInput("Mina Rahimi", "Valiasr 12", "1415", "Tehran", "DE")


def received_over_smtp(session, smtp_server, kind: str):
    """Deliver the one message of `kind` to the local SMTP server; (subject, plain text)."""
    message = session.scalar(sa.select(Message).where(Message.kind == kind))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    links = TrackingLinks("http://shop.test", "s")
    assert delivery.deliver(session, message.id, transport, links) == "sent"
    (received,) = smtp_server.mailbox.wait_for(1)
    return received["Subject"], received.get_body(("plain",)).get_content()


def speaking(session, user, language: str):
    """`user` with `language` saved as their preference."""
    user.locale = language
    session.commit()
    return user


@pytest.fixture
def mina(session, bike):
    return speaking(session, gen_user(session, "mina@example.com", name="Mina"), "fa")


@reads_back(fulfilment.move)
def test_the_status_email_and_timeline_are_persian_for_a_persian_customer(
        session, second_session, mina, smtp_server):
    staff = gen_staff(session, "staff", "sales@shop.example")
    order = checkout.place_order(session, mina, gen_configuration(session, mina, CARBON_BIKE).id,
                                 1, terms_accepted=True, new_address=HOME)
    fulfilment.move(session, staff, order.number, "confirmed")
    subject, text = received_over_smtp(session, smtp_server, "order_status")
    assert subject == f"سفارش شما {order.number} تأییدشده است"
    assert "تا پیش از شروع تولید هنوز می‌توانید آن را لغو کنید" in text
    assert "confirmed" not in text and "Production" not in text
    with second_session() as other:
        entry = other.scalar(sa.select(Interaction).where(Interaction.kind == "order_status"))
        assert entry.subject == f"Order {order.number}: confirmed"  # the stored English
        assert phrase_text(timeline.subject_of(entry), "fa") == f"سفارش {order.number}: تأییدشده"
        assert phrase_text(timeline.subject_of(entry), "vi") == (
            f"Đơn hàng {order.number}: đã được xác nhận")


def test_a_refused_status_change_is_a_phrase(session, mina):
    staff = gen_staff(session, "staff", "sales@shop.example")
    order = checkout.place_order(session, mina, gen_configuration(session, mina, CARBON_BIKE).id,
                                 1, terms_accepted=True, new_address=HOME)
    with pytest.raises(fulfilment.StatusRefused) as refused:
        fulfilment.move(session, staff, order.number, "shipped")
    assert str(refused.value) == (
        f"Order {order.number} is placed; it cannot become shipped now.")
    assert phrase_text(refused.value.args[0], "vi") == (
        f"Đơn hàng {order.number} hiện đã được đặt; lúc này không thể chuyển sang trạng thái "
        "đã được gửi đi.")


@pytest.mark.parametrize(("language", "subject", "words"), [
    ("fa", "بازنشانی گذرواژه", "تا ۶۰ دقیقهٔ دیگر"),
    ("vi", "Đặt lại mật khẩu", "trong vòng 60 phút"),
    ("en", "Reset your password", "within 60 minutes"),
])
def test_the_password_reset_arrives_in_the_users_language(session, smtp_server, language,
                                                          subject, words):
    speaking(session, gen_user(session, "reader@example.com", name="Reader"), language)
    passwords.request_reset(session, "reader@example.com")
    received_subject, text = received_over_smtp(session, smtp_server, "password_reset")
    assert received_subject == subject and words in text


def test_the_confirmations_lines_and_totals_are_persian(session, mina):
    order = checkout.place_order(session, mina, gen_configuration(session, mina, CARBON_BIKE).id,
                                 1, terms_accepted=True, new_address=HOME)
    body = session.scalar(sa.select(Message.body).where(Message.kind == "order_confirmation"))
    # 825.00 EUR with 19 % VAT inside: net 693.28, VAT 131.72; the carbon frame at 640.00.
    assert "جمع کل ۸۲۵٫۰۰ EUR (خالص ۶۹۳٫۲۸، مالیات بر ارزش افزوده ۱۹٪: ۱۳۱٫۷۲)." in body
    assert "(۶۴۰٫۰۰)" in body and "Total" not in body and "net " not in body
    assert order.number in body


def test_the_confirmation_writes_a_vietnamese_delivery_day(session, mina):
    from datetime import date

    from configurator.quoting.phrases import N_, Day

    text = phrase_text(N_("Expected delivery: %(day)s.\n\n", day=Day(date(2026, 3, 2))), "vi")
    assert text.startswith("Dự kiến giao hàng: Thứ Hai, 2 tháng 3, 2026")
    persian = phrase_text(N_("Expected delivery: %(day)s.\n\n", day=Day(date(2026, 3, 21))), "fa")
    assert "۱۴۰۵/۰۱/۰۱" in persian


@pytest.mark.parametrize(("offer", "language", "expected"), [
    ({"label": "Spring offer", "reason": "Spring offer: 10 % off"}, "fa", "Spring offer: ۱۰٪ تخفیف"),
    ({"label": "Spring offer", "reason": "Spring offer: 12.5 % off"}, "vi",
     "Spring offer: Giảm 12.5 %"),
    ({"label": "Spring offer", "reason": "Spring offer: Bell free"}, "fa", "Spring offer: Bell رایگان"),
    ({"label": "Other", "reason": "Something else"}, "fa", "Something else"),
])
def test_the_reward_line_is_a_phrase(offer, language, expected):
    from configurator.services import orders

    reason = orders.reward_reason(offer)
    assert reason == offer["reason"]  # English as the engine wrote it
    assert phrase_text(reason, language) == expected
