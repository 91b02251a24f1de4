"""Staff pages for duplicates: the list, the merge preview, the merge and its undo."""

from __future__ import annotations

import sqlalchemy as sa

from configurator.store.identity import CustomerMerge
from configurator.store.models import Order
from configurator.web.database import db
from tests.helpers import gen_order, gen_user
from tests.services.quote_factories import gen_staff


def twins(app):
    """Anna with an order, and a second record of hers; a clerk to merge them."""
    with app.app_context():
        gen_staff(db.session, "staff", "clerk@shop.example")
        anna = gen_user(db.session, "anna.berg@gmail.com", name="Anna Berg")
        second = gen_user(db.session, "annaberg+bikes@gmail.com", name="Anna Berg")
        order = gen_order(db.session, second)
        return anna.id, second.id, order.number


def test_staff_see_the_pair_preview_merge_and_undo(client, auth, app):
    anna, second, number = twins(app)
    auth.signin("clerk@shop.example")
    page = client.get("/staff/insights/duplicates").get_data(as_text=True)
    assert "annaberg+bikes@gmail.com" in page and "same e-mail address" in page

    preview = client.get(f"/staff/insights/customers/{anna}/merge/{second}").get_data(as_text=True)
    assert f"Orders: 1 ({number})" in preview
    with app.app_context():
        assert db.session.scalar(sa.select(Order.owner_id).where(Order.number == number)) == second

    answer = client.post(f"/staff/insights/customers/{anna}/merge/{second}")
    assert answer.status_code == 303
    page = client.get("/staff/insights/duplicates").get_data(as_text=True)
    assert "Merged: customer" in page and "No likely duplicates." in page
    with app.app_context():
        assert db.session.scalar(sa.select(Order.owner_id).where(Order.number == number)) == anna
        merge_id = db.session.scalar(sa.select(CustomerMerge.id))

    assert client.post(f"/staff/insights/merges/{merge_id}/undo").status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Order.owner_id).where(Order.number == number)) == second
    assert "The merge is undone" in client.get("/staff/insights/duplicates").get_data(as_text=True)


def test_a_merge_that_cannot_be_says_why(client, auth, app):
    anna, _second, _ = twins(app)
    auth.signin("clerk@shop.example")
    answer = client.post(f"/staff/insights/customers/{anna}/merge/{anna}")
    assert answer.status_code == 409
    assert "cannot be merged with themselves" in answer.get_data(as_text=True)


def test_a_forged_merge_changes_nothing(raw_client, app):
    anna, second, number = twins(app)
    raw_client.post("/auth/signin", data={"email": "clerk@shop.example", "password": "password123"})
    assert raw_client.post(f"/staff/insights/customers/{anna}/merge/{second}").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomerMerge)) == 0


def test_customers_get_a_404(client, auth, app):
    anna, second, _ = twins(app)
    auth.signin("anna.berg@gmail.com")
    assert client.get("/staff/insights/duplicates").status_code == 404
    assert client.post(f"/staff/insights/customers/{anna}/merge/{second}").status_code == 404
