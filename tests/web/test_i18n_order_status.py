"""An order's status in the reader's language: the order page's status and "Move to"
choices, the staff's notice and refusal, and the timeline entry of a status change."""

from configurator.store import User
from configurator.web.database import db
from tests.services.quote_factories import gen_staff


def speaking(app, email: str, language: str) -> None:
    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        user.locale = language
        db.session.commit()


def test_status_names_notices_and_timeline_follow_the_language(client, auth, anna, app):
    with app.app_context():
        gen_staff(db.session, "staff", "sales@shop.example")
    speaking(app, "sales@shop.example", "vi")
    auth.signin("sales@shop.example")
    url = f"/account/orders/{anna['order']}"
    page = client.get(url).get_data(as_text=True)
    assert '<option value="confirmed">Đã xác nhận</option>' in page
    refused = client.post(f"/staff/orders/{anna['order']}/status", data={"status": "shipped"})
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "lúc này không thể chuyển sang trạng thái đã được gửi đi" in page
    moved = client.post(f"/staff/orders/{anna['order']}/status", data={"status": "confirmed"})
    page = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert f"Đơn hàng {anna['order']} giờ đã được xác nhận." in page
    auth.signout()
    speaking(app, "anna@example.com", "fa")
    auth.signin()
    page = client.get(url).get_data(as_text=True)
    assert ">تأییدشده</strong>" in page and ">Confirmed<" not in page
    history = client.get("/account/timeline").get_data(as_text=True)
    assert f"سفارش {anna['order']}: تأییدشده" in history
