"""The staff's deliveries page: role-protected, filters in the query, a bad filter is a
400 page, so is a page link we did not make; "Mark shipped" needs the CSRF token, keeps
the filter and the page, and queues the customer's e-mail."""

import sqlalchemy as sa

from configurator.services import paging
from configurator.store.deliveries import Delivery
from configurator.store.messages import Message
from configurator.web.database import db
from tests.services.quote_factories import gen_staff


def test_only_staff_see_the_deliveries(client, auth, anna):
    assert client.get("/staff/deliveries").status_code == 302  # sign in first
    auth.signin()
    assert client.get("/staff/deliveries").status_code == 404


def test_staff_filter_and_mark_shipped(client, auth, anna, app):
    with app.app_context():
        gen_staff(db.session, "staff", "sales@shop.example")
        delivery_id = db.session.scalar(sa.select(Delivery.id))
    auth.signin("sales@shop.example")
    page = client.get("/staff/deliveries").get_data(as_text=True)
    assert f'id="delivery-{delivery_id}"' in page and anna["order"] in page and "Mark shipped" in page
    assert "No deliveries match." in client.get("/staff/deliveries?status=sent").get_data(as_text=True)
    bad = client.get("/staff/deliveries?start=2026-13-40&status=lost")
    assert bad.status_code == 400 and "Due from" in bad.get_data(as_text=True)
    backwards = client.get("/staff/deliveries?start=2027-01-02&end=2027-01-01")
    assert backwards.status_code == 400 and "comes after the last" in backwards.get_data(as_text=True)
    shipped = client.post(f"/staff/deliveries/{delivery_id}/shipped", data={"status": "scheduled"})
    assert shipped.status_code == 303 and shipped.headers["Location"].endswith("/staff/deliveries?status=scheduled")
    sent = client.get("/staff/deliveries?status=sent").get_data(as_text=True)
    assert f'id="delivery-{delivery_id}"' in sent and "Mark shipped" not in sent
    again = client.post(f"/staff/deliveries/{delivery_id}/shipped", follow_redirects=True)
    assert "not planned any more" in again.get_data(as_text=True)


def test_mark_shipped_with_a_forged_csrf_token_is_refused(app, client, auth, anna):
    with app.app_context():
        gen_staff(db.session, "staff", "sales@shop.example")
        delivery_id = db.session.scalar(sa.select(Delivery.id))
    auth.signin("sales@shop.example")
    forged = client.post(f"/staff/deliveries/{delivery_id}/shipped", headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400
    with app.app_context():
        assert db.session.get(Delivery, delivery_id).status == "scheduled"


def test_a_page_link_we_did_not_make_is_refused_in_words(client, auth, anna, app):
    with app.app_context():
        gen_staff(db.session, "staff", "sales@shop.example")
    auth.signin("sales@shop.example")
    bad = client.get("/staff/deliveries?cursor=not-ours")
    assert bad.status_code == 400 and "start from the first page" in bad.get_data(as_text=True)
    page = client.get("/staff/deliveries").get_data(as_text=True)
    assert 'id="delivery-pages"' not in page  # one delivery: no other page


def test_mark_shipped_keeps_the_page_and_queues_the_customers_e_mail(client, auth, anna, app):
    cursor = paging.encode(paging.NEWER, ("2026-01-01", 0))
    with app.app_context():
        gen_staff(db.session, "staff", "sales@shop.example")
        delivery_id = db.session.scalar(sa.select(Delivery.id))
    auth.signin("sales@shop.example")
    shipped = client.post(f"/staff/deliveries/{delivery_id}/shipped",
                          data={"status": "scheduled", "cursor": cursor})
    assert shipped.status_code == 303 and f"cursor={cursor}" in shipped.headers["Location"]
    with app.app_context():
        [message] = db.session.scalars(sa.select(Message).where(Message.kind == "delivery_shipped"))
        assert anna["order"] in message.subject and message.status == "pending"
