"""The cart over the API: add, change, remove, read, and check out with an
Idempotency-Key; someone else's cart line is a 404 and nothing changes."""

from __future__ import annotations

import sqlalchemy as sa
from api_factories import ApiClient

from configurator.services import api_tokens
from configurator.store import Order, User
from configurator.store.cart import CartLine
from configurator.web.database import db
from tests.helpers import CARBON_BIKE

ADDRESS = {"name": "Anna", "street": "Hauptstr. 1", "postcode": "10115", "city": "Berlin",
           "country": "DE"}


def _carbon(api) -> int:
    return api.post("/api/configurations", {"catalog_id": "test-bike", "selection": CARBON_BIKE,
                                            "name": "Carbon"}).get_json()["id"]


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_add_change_remove_and_read_the_cart(api, anna):
    carbon = _carbon(api)
    added = api.post("/api/cart/items", {"configuration_id": carbon, "quantity": 2})
    assert added.status_code == 201 and added.headers["Location"] == "/api/cart"
    api.post("/api/cart/items", {"configuration_id": anna["configuration"]})
    cart = api.get("/api/cart").get_json()
    assert [(i["name"], i["quantity"]) for i in cart["items"]] == [("Carbon", 2), ("Anna's bike", 1)]
    first = cart["items"][0]
    assert (first["unit_total"], first["total"]) == ("825.00", "1650.00")
    # Prices include VAT: the gross is the lines' sum (1650.00 + Anna's bike at 185.00).
    assert (cart["items"][1]["total"], cart["gross"]) == ("185.00", "1835.00")
    assert cart["net"] != cart["gross"]
    assert cart["orderable"] and cart["currency"] == "EUR" and cart["problems"] == []
    changed = api.open("PATCH", f"/api/cart/items/{first['line_id']}", json={"quantity": 3})
    assert changed.get_json()["items"][0]["quantity"] == 3
    removed = api.open("DELETE", f"/api/cart/items/{first['line_id']}")
    assert [i["name"] for i in removed.get_json()["items"]] == ["Anna's bike"]


def test_bad_quantities_are_refused_with_a_problem(api):
    carbon = _carbon(api)
    assert api.post("/api/cart/items", {"configuration_id": carbon, "quantity": 0}).status_code == 422
    api.post("/api/cart/items", {"configuration_id": carbon, "quantity": 99})
    more = api.post("/api/cart/items", {"configuration_id": carbon})
    assert more.status_code == 409 and "between 1 and 99" in more.get_json()["detail"]


def test_someone_elses_cart_line_is_404_and_unchanged(app, api, mallory):
    carbon = _carbon(api)
    line = api.post("/api/cart/items", {"configuration_id": carbon}).get_json()["items"][0]
    other = ApiClient(app, mallory["token"])
    assert other.open("PATCH", f"/api/cart/items/{line['line_id']}",
                      json={"quantity": 5}).status_code == 404
    assert other.open("DELETE", f"/api/cart/items/{line['line_id']}").status_code == 404
    assert other.post("/api/cart/items", {"configuration_id": carbon}).status_code == 404
    assert other.get("/api/cart").get_json()["items"] == []
    assert api.get("/api/cart").get_json()["items"][0]["quantity"] == 1


def test_checkout_orders_the_cart_once_with_an_idempotency_key(app, api, anna):
    carbon = _carbon(api)
    api.post("/api/cart/items", {"configuration_id": carbon})
    api.post("/api/cart/items", {"configuration_id": anna["configuration"], "quantity": 2})
    token = api.get("/api/cart").get_json()["token"]
    orders_before = _count(app, Order)
    body = {"token": token, "terms_accepted": True, "address": ADDRESS}
    headers = {"Idempotency-Key": "cart-1"}
    first = api.post("/api/cart/checkout", body, headers=headers)
    assert first.status_code == 201, first.get_json()
    order = first.get_json()
    assert first.headers["Location"] == f"/api/orders/{order['number']}"
    assert [(i["name"], i["quantity"]) for i in order["items"]] == [("Carbon", 1), ("Anna's bike", 2)]
    again = api.post("/api/cart/checkout", body, headers=headers)
    assert (again.status_code, again.get_json()["number"]) == (201, order["number"])
    assert _count(app, Order) == orders_before + 1
    assert _count(app, CartLine) == 0
    assert api.get(f"/api/orders/{order['number']}").get_json()["items"] == order["items"]


def test_checkout_refusals_are_problems_and_keep_the_cart(app, api):
    api.post("/api/cart/items", {"configuration_id": _carbon(api)})
    token = api.get("/api/cart").get_json()["token"]
    no_terms = api.post("/api/cart/checkout", {"token": token, "terms_accepted": False,
                                               "address": ADDRESS})
    assert no_terms.status_code == 422 and "terms" in no_terms.get_json()["detail"]
    stale = api.post("/api/cart/checkout", {"token": "0" * 32, "terms_accepted": True,
                                            "address": ADDRESS})
    assert stale.status_code == 422 and "changed" in stale.get_json()["detail"]
    no_address = api.post("/api/cart/checkout", {"token": token, "terms_accepted": True})
    assert no_address.status_code == 422
    assert _count(app, CartLine) == 1


def test_cart_routes_need_their_scope(app, anna):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.id == anna["id"]))
        reader = api_tokens.create(db.session, user, "read only", ["orders:read"])[1]
    client = ApiClient(app, reader)
    assert client.get("/api/cart").status_code == 200
    refused = client.post("/api/cart/items", {"configuration_id": anna["configuration"]})
    assert refused.status_code == 403
    assert ApiClient(app).get("/api/cart").status_code == 401
