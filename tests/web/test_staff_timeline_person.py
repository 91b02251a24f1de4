"""Timeline labels by reader: staff read about a customer in the third person ("the
customer placed an order"), the customer reads their own timeline in the second
person (Persian conjugates the verb for "you"), in English, Persian and Vietnamese."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from configurator.services import timeline
from configurator.store import User
from configurator.web.database import db
from tests.helpers import gen_order

TIMELINE = re.compile(r'<ol class="timeline">.*?</ol>', re.S)


@pytest.fixture
def acme_buyer(app, world):
    """ACME's buyer, who placed an order and was e-mailed."""
    with app.app_context():
        buyer = db.session.scalar(sa.select(User).where(User.email == "buyer@acme.example"))
        gen_order(db.session, buyer)
        timeline.record(db.session, buyer.id, "message_sent", "Your order", channel="email")
        db.session.commit()
    return world


def timeline_of(page: str) -> str:
    return " ".join(TIMELINE.findall(page))


@pytest.mark.parametrize(("language", "about", "to_them"), [
    ("fa", ["مشتری سفارشی ثبت کرد", "برای مشتری ایمیل فرستادیم"],
     ["سفارشی ثبت کردید", "برایتان ایمیل فرستادیم"]),
    ("vi", ["Khách hàng đã đặt một đơn hàng", "Chúng tôi đã gửi e-mail cho khách hàng"],
     ["Đã đặt một đơn hàng", "Chúng tôi đã gửi e-mail cho bạn"]),
    ("en", ["The customer placed an order", "We e-mailed the customer"],
     ["Placed an order", "We e-mailed you"]),
])
def test_staff_read_about_the_customer_and_the_customer_about_themselves(
        client, auth, acme_buyer, language, about, to_them):
    auth.signin("staff@shop.example")
    client.get(f"/language/{language}")
    staff_view = timeline_of(client.get(f"/staff/accounts/{acme_buyer['acme']}").get_data(as_text=True))
    assert all(words in staff_view for words in about), staff_view
    assert not any(words in staff_view for words in to_them), staff_view
    auth.signout()
    auth.signin("buyer@acme.example")
    client.get(f"/language/{language}")
    own = client.get("/account/timeline").get_data(as_text=True)
    assert all(words in own for words in to_them)
    assert not any(words in own for words in about)
