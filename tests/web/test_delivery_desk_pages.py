"""The staff's deliveries page: role-protected, filters in the query, a bad filter is a
400 page, "Mark shipped" needs the CSRF token and keeps the filter."""

import sqlalchemy as sa

from configurator.store.deliveries import Delivery
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
