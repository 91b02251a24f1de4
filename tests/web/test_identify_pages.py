"""Staff pages for duplicates: the list, the merge preview, the merge and its undo."""

from __future__ import annotations

import sqlalchemy as sa

from configurator.services import checkout, guest_orders
from configurator.store.identity import CustomerMerge
from configurator.store.models import Order, User
from configurator.store.types import utcnow
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, gen_order, gen_user
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


def test_a_guest_order_by_a_customers_address_is_a_likely_duplicate(client, auth, app):
    """The same person as a guest and as an account: the guest record's address is
    `<address>@guest.invalid`, which never matched the account's."""
    with app.app_context():
        gen_staff(db.session, "staff", "clerk@shop.example")
        anna = gen_user(db.session, "anna@example.com", name="Anna Berg")
        anna.email_verified_at = utcnow()
        order = guest_orders.place_order(
            db.session, "Anna@Example.com", "test-bike", COMPLETE_BIKE, name="Bike",
            address=checkout.AddressInput("Anna Berg", "Hauptstr. 1", "10115", "Berlin", "AT"),
            terms_accepted=True)
        db.session.commit()
        gen_user(db.session, "ben@example.com", name="Ben")
        gen_user(db.session, "ben@example.com@guest.invalid", name="Ben")
        anna_id, guest_id = anna.id, order.owner_id
    auth.signin("clerk@shop.example")
    page = client.get("/staff/insights/duplicates").get_data(as_text=True)
    assert f"/staff/insights/customers/{anna_id}/merge/{guest_id}" in page
    assert "same e-mail address" in page
    persian = client.get("/staff/insights/duplicates", headers={"Accept-Language": "fa"})
    assert "نشانی ایمیل یکسان" in persian.get_data(as_text=True)  # the reason was English
    kept_confirmed = client.get(f"/staff/insights/customers/{anna_id}/merge/{guest_id}")
    assert 'id="kept-unconfirmed"' not in kept_confirmed.get_data(as_text=True)
    assert "ben@example.com@guest.invalid" not in page  # its orders claimed: an empty shell


def test_keeping_an_unconfirmed_address_is_warned_about(client, auth, app):
    """Anyone can sign up with a +tag of someone's address: staff merging the real
    customer into it are told that address is unconfirmed."""
    anna, second, _number = twins(app)
    with app.app_context():
        db.session.get(User, anna).email_verified_at = utcnow()
        db.session.commit()
    auth.signin("clerk@shop.example")
    into_signup = client.get(f"/staff/insights/customers/{second}/merge/{anna}")
    assert 'id="kept-unconfirmed"' in into_signup.get_data(as_text=True)
    into_anna = client.get(f"/staff/insights/customers/{anna}/merge/{second}")
    assert 'id="kept-unconfirmed"' not in into_anna.get_data(as_text=True)
