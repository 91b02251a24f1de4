"""The customer's timeline (/account/timeline) in their language (issue 16):
subjects recorded as phrases (saved, renamed, ordered, consent, data export)
are written in Persian or Vietnamese, the names in them as they were given."""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa

from configurator.services.configuring import configurations
from configurator.services.privacy import consent, export
from configurator.store import User
from configurator.web.database import db

EXPECTED = {
    "fa": ["Anna's bike ← Anna's racer", "اجازه داده شد: پیشنهادها و خبرها با ایمیل", "همهٔ داده‌هایم را دانلود کردم",
           "سفارش ORD-"],
    "vi": ["Anna's bike → Anna's racer", "Đã cho phép: Ưu đãi và tin tức qua e-mail",
           "Đã tải xuống toàn bộ dữ liệu của tôi", "Đơn hàng ORD-"],
}
ENGLISH = ["Allowed: ", "Downloaded all my data", "Order ORD-"]


def act_as_anna(app, anna) -> None:
    """Rename her configuration, allow offers by e-mail and download her data."""
    with app.app_context():
        customer = db.session.get(User, anna["id"])
        configurations.rename(db.session, customer, anna["configuration"], "Anna's racer")
        consent.change(db.session, customer, {"marketing": True})
        export.export(db.session, customer)


@pytest.mark.parametrize("language", ["fa", "vi"])
def test_the_timeline_subjects_are_in_the_customers_language(app, client, auth, anna, language):
    act_as_anna(app, anna)
    client.get(f"/language/{language}")
    auth.signin()
    page = unescape(client.get("/account/timeline").get_data(as_text=True))
    for text in EXPECTED[language]:
        assert text in page, text
    for text in ENGLISH:
        assert text not in page, text
    with app.app_context():  # stored in English too (the API and the staff's logs)
        subjects = db.session.scalars(sa.text("SELECT subject FROM interactions")).all()
        assert "Downloaded all my data" in subjects
