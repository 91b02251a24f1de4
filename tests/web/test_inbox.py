"""The in-app inbox and the open/click links of e-mails."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from configurator.services.messages import outbox
from configurator.services.messages.links import TrackingLinks
from configurator.store.messages import Message
from configurator.store.models import Interaction, User
from configurator.web.database import db


def send_to(app, email: str, action_url: str = "/account/orders") -> int:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        message = outbox.enqueue(
            db.session,
            outbox.Draft("note", "Your order shipped", "It left today.", "You ordered from us.",
                         action_url=action_url, action_label="Track it"),
            recipient=user,
        )
        db.session.commit()
        return message.id


def links(app) -> TrackingLinks:
    return TrackingLinks(app.config["PUBLIC_URL"], app.config["SECRET_KEY"])


def path_of(url: str) -> str:
    return url.removeprefix("http://shop.test")


def test_the_inbox_lists_messages_and_reading_marks_them(client, auth, app, anna):
    message_id = send_to(app, "anna@example.com")
    auth.signin()
    page = client.get("/account/inbox").get_data(as_text=True)
    assert "Your order shipped" in page and "You ordered from us." in page
    assert 'aria-label="1 unread"' in client.get("/shop/").get_data(as_text=True)

    shown = client.get(f"/account/inbox/{message_id}").get_data(as_text=True)
    assert "It left today." in shown and 'href="/account/orders"' in shown
    assert 'aria-label="1 unread"' not in client.get("/shop/").get_data(as_text=True)


def test_nobody_reads_another_customers_message(client, auth, app, anna):
    message_id = send_to(app, "anna@example.com")
    auth.signup(email="eve@example.com")
    assert client.get(f"/account/inbox/{message_id}").status_code == 404
    with app.app_context():
        assert db.session.get(Message, message_id).read_at is None


def test_the_open_image_and_the_link_are_noted_on_the_timeline(client, app, anna):
    message_id = send_to(app, "anna@example.com")
    opened = client.get(path_of(links(app).open_url(message_id)))
    assert (opened.status_code, opened.mimetype) == (200, "image/gif")
    followed = client.get(path_of(links(app).click_url(message_id)))
    assert followed.status_code == 302 and followed.location == "/account/orders"
    with app.app_context():
        kinds = db.session.scalars(
            sa.select(Interaction.kind).where(Interaction.kind.like("message_%"))
        ).all()
        assert sorted(kinds) == ["message_clicked", "message_opened"]


@pytest.mark.parametrize("token", ["1", "abc.def", "MQ.forged"])
def test_a_forged_link_leads_nowhere(client, token):
    assert client.get(f"/m/{token}/go").status_code == 404
    assert client.get(f"/m/{token}/open.gif").status_code == 200  # an image either way


def test_a_link_never_leaves_the_shop(client, app, anna):
    message_id = send_to(app, "anna@example.com", action_url="https://evil.example/phish")
    followed = client.get(path_of(links(app).click_url(message_id)))
    assert followed.status_code == 302 and followed.location == "/shop/"
