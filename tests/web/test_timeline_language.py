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


# Entries recorded before the subjects were phrases: only the English subject is stored.
OLD_STYLE = [
    ("order_status", "Order ORD-OLD1: in production",
     {"fa": "در حال تولید", "vi": "đang được sản xuất"}),
    ("changed", "Anna's bike, revision 12", {"fa": "Anna's bike، نسخهٔ ۱۲", "vi": "Anna's bike, bản sửa đổi 12"}),
    ("consent_changed", "Refused: Offers and news by e-mail",
     {"fa": "پیشنهادها و خبرها با ایمیل", "vi": "Ưu đãi và tin tức qua e-mail"}),
    ("signed_up", "Created an account", {"fa": None, "vi": None}),
    ("tier_changed", "Tier: Bronze \u2192 Silver", {"fa": "سطح: Bronze ← Silver", "vi": "Hạng: Bronze → Silver"}),
]


@pytest.mark.parametrize("language", ["fa", "vi"])
def test_entries_recorded_before_the_phrases_are_in_the_customers_language(app, client, auth, anna,
                                                                          language):
    from datetime import datetime, timezone

    from configurator.services import timeline
    from configurator.store.models import Interaction

    with app.app_context():
        for kind, subject, _words in OLD_STYLE:
            db.session.add(Interaction(customer_id=anna["id"], kind=kind, channel="web", subject=subject,
                                       detail={}, created_at=datetime(2026, 1, 5, tzinfo=timezone.utc)))
        db.session.commit()
        old = db.session.scalars(sa.select(Interaction).where(Interaction.subject.in_(
            [subject for _kind, subject, _words in OLD_STYLE]))).all()
        translated = {row.subject: timeline.subject_of(row) for row in old}
    client.get(f"/language/{language}")
    auth.signin()
    page = unescape(client.get("/account/timeline").get_data(as_text=True))
    for kind, subject, words in OLD_STYLE:
        assert subject not in page, subject
        assert translated[subject] == subject  # the English it reads as, word for word
        if words[language]:
            assert words[language] in page, (kind, words[language])
