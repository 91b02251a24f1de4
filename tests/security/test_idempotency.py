"""Orders are idempotent (issue 13, finding 1): the order form posted again
orders once; the API's `Idempotency-Key` returns the first answer again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from configurator.services import api_tokens
from configurator.store import Order
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, STEEL_BIKE, gen_configuration, gen_user


@pytest.fixture
def anna(app):
    with app.app_context():
        user = gen_user(db.session, "anna@example.com", name="Anna")
        configuration = gen_configuration(db.session, user, COMPLETE_BIKE)
        token = api_tokens.create(db.session, user, "t", list(api_tokens.allowed_scopes(user)))[1]
        return {"configuration": configuration.id, "token": token}


def order_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Order))


def test_the_checkout_posted_three_times_makes_one_order(app, client, anna):
    client.post("/auth/signin", data={"email": "anna@example.com", "password": "password123"})
    url = f"/account/configurations/{anna['configuration']}/checkout"
    form = {"address": "new", "name": "Anna", "street": "Hauptstr. 1", "postcode": "10115",
            "city": "Berlin", "country": "de", "revision": "1", "terms": "y"}
    answers = [client.post(url, data=form) for _ in range(3)]
    assert {a.status_code for a in answers} == {303}
    assert len({a.headers["Location"] for a in answers}) == 1  # the same order each time
    assert order_count(app) == 1


def test_save_and_place_posted_again_with_unsaved_picks_orders_once(app, anna):
    from configurator.services import orders
    from configurator.store import User

    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.email == "anna@example.com"))
        first = orders.save_and_place(db.session, owner, anna["configuration"], 1, STEEL_BIKE)
        again = orders.save_and_place(db.session, owner, anna["configuration"], 1, STEEL_BIKE)
        assert again.number == first.number
    assert order_count(app) == 1


def api(app, token):
    client = FlaskClient(app, app.response_class, use_cookies=False)
    return client, {"Authorization": f"Bearer {token}"}


def test_the_api_places_one_order_per_revision_even_without_a_key(app, anna):
    client, headers = api(app, anna["token"])
    body = {"configuration_id": anna["configuration"]}
    first = client.post("/api/orders", json=body, headers=headers)
    second = client.post("/api/orders", json=body, headers=headers)
    assert first.status_code == 201 and second.status_code == 201
    assert first.get_json()["number"] == second.get_json()["number"]
    assert order_count(app) == 1


def test_an_idempotency_key_replays_the_first_answer(app, anna):
    client, headers = api(app, anna["token"])
    headers["Idempotency-Key"] = "order-7f3a"
    body = {"catalog_id": "test-bike", "name": "Twice", "selection": COMPLETE_BIKE}
    first = client.post("/api/configurations", json=body, headers=headers)
    again = client.post("/api/configurations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = client.get("/api/configurations", headers=headers).get_json()["items"]
    assert [c["name"] for c in listed].count("Twice") == 1


def test_the_same_key_with_another_request_is_a_422(app, anna):
    client, headers = api(app, anna["token"])
    headers["Idempotency-Key"] = "k1"
    body = {"catalog_id": "test-bike", "name": "One", "selection": COMPLETE_BIKE}
    assert client.post("/api/configurations", json=body, headers=headers).status_code == 201
    other = dict(body, name="Another")
    response = client.post("/api/configurations", json=other, headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]


def test_a_bad_key_is_a_400(app, anna):
    client, headers = api(app, anna["token"])
    headers["Idempotency-Key"] = "x" * 201
    body = {"configuration_id": anna["configuration"]}
    assert client.post("/api/orders", json=body, headers=headers).status_code == 400
    assert order_count(app) == 0


def test_requests_racing_with_one_key_act_once(app, anna):
    """Brief item 3: the key is claimed before acting, so of several requests sent
    at once with one key one acts and the others get its answer."""
    import threading

    body = {"catalog_id": "test-bike", "name": "Race", "selection": COMPLETE_BIKE}
    start = threading.Barrier(4)
    answers = []

    def send():
        client, headers = api(app, anna["token"])
        headers["Idempotency-Key"] = "race-1"
        start.wait()
        response = client.post("/api/configurations", json=body, headers=headers)
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in answers] == [201] * 4, answers
    assert len({answer["id"] for _, answer in answers}) == 1
    client, headers = api(app, anna["token"])
    listed = client.get("/api/configurations", headers=headers).get_json()["items"]
    assert [c["name"] for c in listed].count("Race") == 1


def test_a_refused_request_frees_its_key(app, anna):
    client, headers = api(app, anna["token"])
    headers["Idempotency-Key"] = "retry-me"
    body = {"catalog_id": "test-bike", "name": "Later", "selection": {"frame": "gold"}}
    assert client.post("/api/configurations", json=body, headers=headers).status_code == 422
    # The same request again is not a replay of the refusal: it is tried again.
    again = client.post("/api/configurations", json=body, headers=headers)
    assert again.status_code == 422 and "Idempotent-Replayed" not in again.headers
