"""Configurations over the API: create, read, list page by page, revise."""

from api_factories import ApiClient

from tests.helpers import COMPLETE_BIKE, STEEL_BIKE


def test_create_saves_revision_1_and_points_to_it(api):
    response = api.post(
        "/api/configurations",
        {"catalog_id": "test-bike", "name": "Fleet bike", "selection": {"frame": "steel"}},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/configurations/{body['id']}"
    assert body["name"] == "Fleet bike"
    assert body["latest"]["number"] == 1
    assert body["latest"]["selection"] == {"frame": "steel"}
    assert body["latest"]["price"] == "80.00" and body["latest"]["complete"] is False
    assert api.get(response.headers["Location"]).get_json() == body


def test_create_on_an_unknown_product_line_is_422_on_catalog_id(api):
    response = api.post("/api/configurations", {"catalog_id": "no-such-line", "selection": {}})
    assert response.status_code == 422
    assert "catalog_id" in response.get_json()["errors"]


def test_create_with_picks_the_line_lacks_is_422(api):
    response = api.post(
        "/api/configurations", {"catalog_id": "test-bike", "selection": {"frame": "gold"}}
    )
    assert response.status_code == 422
    assert response.get_json()["type"].endswith("invalid-selection")


def test_control_characters_in_a_name_are_refused(api):
    response = api.post(
        "/api/configurations", {"catalog_id": "test-bike", "name": "a\x00b", "selection": {}}
    )
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]


def test_get_shows_the_newest_revision_and_all_of_them(api, anna):
    api.post(
        f"/api/configurations/{anna['configuration']}/revisions",
        {"base_revision": 1, "selection": STEEL_BIKE},
    )
    body = api.get(f"/api/configurations/{anna['configuration']}").get_json()
    assert body["name"] == "Anna's bike"
    assert body["latest"]["number"] == 2 and body["latest"]["selection"] == STEEL_BIKE
    assert [r["number"] for r in body["revisions"]] == [2, 1]


def test_revise_makes_the_next_revision(api, anna):
    url = f"/api/configurations/{anna['configuration']}/revisions"
    response = api.post(url, {"base_revision": 1, "selection": STEEL_BIKE})
    assert response.status_code == 201
    assert response.get_json()["number"] == 2
    assert response.get_json()["price"] == "145.00"
    assert response.headers["Location"] == f"{url}/2"
    assert api.get(f"{url}/2").get_json()["selection"] == STEEL_BIKE
    assert api.get(f"{url}/1").get_json()["selection"] == COMPLETE_BIKE


def test_revise_with_a_stale_base_is_409_and_changes_nothing(api, anna):
    url = f"/api/configurations/{anna['configuration']}/revisions"
    api.post(url, {"base_revision": 1, "selection": STEEL_BIKE})
    response = api.post(url, {"base_revision": 1, "selection": dict(COMPLETE_BIKE, frame="carbon")})
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["type"].endswith("stale-revision") and "Revision 2" in problem["detail"]
    latest = api.get(f"/api/configurations/{anna['configuration']}").get_json()["latest"]
    assert latest["number"] == 2 and latest["selection"] == STEEL_BIKE


def test_revise_with_nothing_changed_is_200_with_the_same_revision(api, anna):
    url = f"/api/configurations/{anna['configuration']}/revisions"
    response = api.post(url, {"base_revision": 1, "selection": COMPLETE_BIKE})
    assert response.status_code == 200
    assert response.get_json()["number"] == 1


def test_revise_needs_a_whole_number_base(api, anna):
    url = f"/api/configurations/{anna['configuration']}/revisions"
    response = api.post(url, {"base_revision": "1", "selection": COMPLETE_BIKE})
    assert response.status_code == 422
    assert "base_revision" in response.get_json()["errors"]


def test_unknown_revision_is_404(api, anna):
    response = api.get(f"/api/configurations/{anna['configuration']}/revisions/9")
    assert response.status_code == 404


def test_list_pages_newest_first_without_gaps(api):
    made = [
        api.post(
            "/api/configurations", {"catalog_id": "test-bike", "name": f"Bike {n}", "selection": {}}
        ).get_json()["id"]
        for n in range(4)
    ]
    seen, url = [], "/api/configurations?limit=2"
    while url:
        page = api.get(url).get_json()
        assert len(page["items"]) <= 2 and page["limit"] == 2
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
    # Anna's own configuration from the fixture (and the order's) come last: oldest.
    assert seen[:4] == list(reversed(made))
    assert len(seen) == len(set(seen)) == 6


def test_list_shows_only_ones_own(app, api, mallory):
    other = ApiClient(app, mallory["token"])
    assert other.get("/api/configurations").get_json()["items"] == []
    assert len(api.get("/api/configurations").get_json()["items"]) == 2


def test_list_limit_is_bounded(api):
    response = api.get("/api/configurations?limit=1000")
    assert response.status_code == 422
    assert "limit" in response.get_json()["errors"]


def test_rename_keeps_the_picks_and_makes_no_revision(api, anna):
    url = f"/api/configurations/{anna['configuration']}"
    response = api.open("PATCH", url, json={"name": "  Commuter   bike "})
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Commuter bike"
    assert [r["number"] for r in body["revisions"]] == [1]


def test_rename_to_blanks_is_422_on_name(api, anna):
    url = f"/api/configurations/{anna['configuration']}"
    response = api.open("PATCH", url, json={"name": "   "})
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]
