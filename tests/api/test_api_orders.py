"""Orders over the API: place, list, read, re-check and reorder."""

from api_factories import ApiClient

from configurator.services import catalogs
from configurator.web.database import db
from tests.conftest import DATA
from tests.helpers import CARBON_BIKE


def _new_configuration(api, selection):
    return api.post(
        "/api/configurations", {"catalog_id": "test-bike", "selection": selection}
    ).get_json()["id"]


def test_place_orders_the_newest_revision(api):
    configuration = _new_configuration(api, CARBON_BIKE)
    response = api.post("/api/orders", {"configuration_id": configuration})
    assert response.status_code == 201
    order = response.get_json()
    assert response.headers["Location"] == f"/api/orders/{order['number']}"
    assert order["total"] == "825.00" and order["currency"] == "EUR"
    assert order["selection"] == CARBON_BIKE
    assert order["catalog"] == {
        "id": "test-bike",
        "name": "Test bike",
        "version": 1,
        "declared_version": 1,
    }
    assert [line["option"] for line in order["lines"]][:2] == ["carbon", "disc_hydraulic"]
    assert api.get(response.headers["Location"]).get_json() == order


def test_an_incomplete_configuration_is_not_orderable(api):
    configuration = _new_configuration(api, {"frame": "alu"})
    response = api.post("/api/orders", {"configuration_id": configuration})
    assert response.status_code == 409
    assert response.get_json()["type"].endswith("not-orderable")


def test_an_order_of_someone_elses_configuration_is_404(app, anna, mallory):
    response = ApiClient(app, mallory["token"]).post(
        "/api/orders", {"configuration_id": anna["configuration"]}
    )
    assert response.status_code == 404


def test_list_orders_newest_first(api, anna):
    configuration = _new_configuration(api, CARBON_BIKE)
    newest = api.post("/api/orders", {"configuration_id": configuration}).get_json()["number"]
    page = api.get("/api/orders?limit=1").get_json()
    assert [order["number"] for order in page["items"]] == [newest]
    rest = api.get(page["next"]).get_json()
    assert [order["number"] for order in rest["items"]] == [anna["order"]]
    assert rest["next"] is None


def test_order_numbers_are_read_case_insensitively(api, anna):
    assert api.get(f"/api/orders/{anna['order'].lower()}").status_code == 200


def test_recheck_says_an_order_still_fits(api, anna):
    body = api.get(f"/api/orders/{anna['order']}/recheck").get_json()
    assert body["fits"] is True and body["total_now"] == body["total_then"] == "185.00"
    assert {line["status"] for line in body["lines"]} == {"same"}


def test_recheck_after_a_catalog_change_shows_the_repair(app, api):
    configuration = _new_configuration(api, dict(CARBON_BIKE, frame="steel", brakes="rim"))
    number = api.post("/api/orders", {"configuration_id": configuration}).get_json()["number"]
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")  # steel is gone
    body = api.get(f"/api/orders/{number}/recheck").get_json()
    assert body["fits"] is False and body["catalog_version"] == 2
    assert {"feature": "frame", "status": "retired"}.items() <= body["lines"][0].items()
    assert body["repaired"]["frame"] == "alu"
    response = api.post(f"/api/orders/{number}/reorder")
    assert response.status_code == 409
    assert response.get_json()["type"].endswith("not-orderable")


def test_reorder_places_a_new_order_linked_to_the_old_one(api, anna):
    response = api.post(f"/api/orders/{anna['order']}/reorder")
    assert response.status_code == 201
    again = response.get_json()
    assert again["reorder_of"] == anna["order"] and again["number"] != anna["order"]
    assert again["total"] == "185.00"


def test_orders_of_others_are_404_everywhere(app, anna, mallory):
    other = ApiClient(app, mallory["token"])
    assert other.get(f"/api/orders/{anna['order']}").status_code == 404
    assert other.get(f"/api/orders/{anna['order']}/recheck").status_code == 404
    assert other.post(f"/api/orders/{anna['order']}/reorder").status_code == 404
    assert other.get("/api/orders").get_json()["items"] == []


def test_place_needs_a_configuration_id(api):
    response = api.post("/api/orders", {})
    assert response.status_code == 422
    assert "configuration_id" in response.get_json()["errors"]


def test_the_detail_follows_accept_language_and_the_type_stays_an_id(api):
    configuration = _new_configuration(api, {"frame": "alu"})
    response = api.post("/api/orders", {"configuration_id": configuration},
                        headers={"Accept-Language": "vi"})
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["type"].endswith("not-orderable")
    assert problem["detail"] == "Chỉ có thể đặt hàng các cấu hình đã hoàn tất. Hãy hoàn thành các lựa chọn còn lại trước."
    english = api.post("/api/orders", {"configuration_id": configuration}).get_json()
    assert english["detail"].startswith("Only complete configurations can be ordered.")
