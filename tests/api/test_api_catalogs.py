"""Catalog endpoints: list, read, and the configurator's answers for a selection."""

from decimal import Decimal

import pytest
from api_factories import ApiClient, gen_token

from configurator.services import catalogs
from configurator.web.database import db
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE, gen_user


def test_lists_product_lines_with_their_current_version(api, app):
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")
    body = api.get("/api/catalogs").get_json()
    assert [(c["id"], c["version"], c["declared_version"]) for c in body["items"]] == [
        ("test-bike", 2, 2)
    ]
    assert body["next"] is None


def test_catalog_list_pages_with_an_opaque_cursor(api, app):
    with app.app_context():
        for line, name in (("a-line", "Alpha bike"), ("b-line", "Beta bike")):
            text = (DATA / "bike.yaml").read_text().replace("catalog: test-bike", f"catalog: {line}")
            catalogs.load_text(db.session, text.replace("name: Test bike", f"name: {name}"))
    first = api.get("/api/catalogs?limit=2").get_json()
    assert [c["id"] for c in first["items"]] == ["a-line", "b-line"]
    second = api.get(first["next"]).get_json()
    assert [c["id"] for c in second["items"]] == ["test-bike"]
    assert second["next"] is None


def test_a_made_up_cursor_is_a_422_on_the_cursor_field(api):
    response = api.get("/api/catalogs?cursor=not-ours")
    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]


def test_catalog_has_versions_dimensions_options_and_never_our_cost(api, app):
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")
    response = api.get("/api/catalogs/test-bike")
    body = response.get_json()
    assert body["version"] == 2
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert [d["id"] for d in body["dimensions"]] == ["product", "packaging", "delivery", "billing"]
    frame = body["dimensions"][0]["features"][0]
    assert frame["id"] == "frame" and frame["choose"] == "one" and frame["default"] == "alu"
    assert {"id": "carbon", "name": "Carbon", "price": "700.00", "attributes": {}} in frame[
        "options"
    ]
    assert "cost" not in response.get_data(as_text=True)


def test_unknown_product_line_is_a_404_problem(api):
    response = api.get("/api/catalogs/no-such-line")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_domains_are_exact_and_priced(api):
    body = api.post("/api/catalogs/test-bike/domains", {"selection": {"frame": "carbon"}}).get_json()
    assert body["consistent"] is True and body["complete"] is False
    assert body["domains"]["brakes"] == ["disc_hydraulic"]
    assert body["price"]["total"] == "640.00"
    assert body["conflict"] is None


def test_domains_of_contradicting_picks_name_the_rule(api):
    body = api.post(
        "/api/catalogs/test-bike/domains", {"selection": {"frame": "carbon", "brakes": "rim"}}
    ).get_json()
    assert body["consistent"] is False
    assert [rule["id"] for rule in body["conflict"]["rules"]] == ["carbon-needs-disc"]


def test_a_complete_selection_is_complete(api):
    body = api.post("/api/catalogs/test-bike/domains", {"selection": COMPLETE_BIKE}).get_json()
    assert body["complete"] is True
    assert Decimal(body["price"]["total"]) == Decimal("185.00")


def test_explain_gives_a_minimal_reason(api):
    body = api.post(
        "/api/catalogs/test-bike/explain",
        {"selection": {"frame": "carbon"}, "option": {"feature": "brakes", "option": "rim"}},
    ).get_json()
    assert body["possible"] is False
    assert body["reason"]["picks"] == [{"feature": "frame", "option": "carbon"}]
    assert body["reason"]["rules"][0]["message"] == "Carbon frames only take hydraulic disc brakes."


def test_customer_facts_of_the_token_user_count(app, api):
    """A consumer may not pick a 60-day invoice; a business customer may."""
    question = {"selection": {}, "option": {"feature": "billing", "option": "invoice_60"}}
    consumer = api.post("/api/catalogs/test-bike/explain", question).get_json()
    assert consumer["possible"] is False
    assert consumer["reason"]["rules"][0]["id"] == "invoice-business"
    with app.app_context():
        business = gen_user(db.session, segment="business")
        token = gen_token(db.session, business, ["catalog:read"])
    answer = api.as_(token).post("/api/catalogs/test-bike/explain", question).get_json()
    assert answer == {"option": question["option"], "possible": True, "reason": None}


def test_repair_offers_the_smallest_change_and_its_price(api):
    body = api.post(
        "/api/catalogs/test-bike/repair",
        {"selection": {"frame": "carbon"}, "option": {"feature": "brakes", "option": "rim"}},
    ).get_json()
    assert body["available"] is True
    assert body["changes"] == [{"feature": "frame", "before": ["carbon"], "after": ["steel"]}]
    assert body["selection"] == {"frame": "steel", "brakes": "rim"}
    assert body["price_delta"] == "-530.00"


def test_repair_of_an_option_this_customer_can_never_have(api):
    body = api.post(
        "/api/catalogs/test-bike/repair",
        {"selection": {}, "option": {"feature": "billing", "option": "invoice_60"}},
    ).get_json()
    assert body["available"] is False and body["selection"] is None and body["changes"] == []


def test_complete_finds_the_cheapest_completion(api):
    body = api.post("/api/catalogs/test-bike/complete", {"selection": {"frame": "carbon"}}).get_json()
    assert body["consistent"] is True
    assert body["selection"]["brakes"] == "disc_hydraulic"
    assert body["selection"]["frame"] == "carbon"
    # carbon 640 + disc 150 + box 10 + courier 25 + prepay 0
    assert body["price"]["total"] == "825.00"


def test_complete_of_contradicting_picks_says_why(api):
    body = api.post(
        "/api/catalogs/test-bike/complete", {"selection": {"frame": "carbon", "brakes": "rim"}}
    ).get_json()
    assert body["consistent"] is False and body["selection"] is None
    assert body["conflict"]["rules"][0]["id"] == "carbon-needs-disc"


def test_price_lists_lines_and_total_as_decimal_strings(api):
    body = api.post(
        "/api/catalogs/test-bike/price", {"selection": {"frame": "alu", "extras": ["bell", "rack"]}}
    ).get_json()
    assert [(line["option"], line["amount"]) for line in body["lines"]] == [
        ("alu", "120.00"),
        ("bell", "5.00"),
        ("rack", "25.00"),
    ]
    assert body["total"] == "150.00"


@pytest.mark.parametrize("endpoint", ["domains", "complete", "price"])
@pytest.mark.parametrize(
    ("selection", "field"),
    [
        ({"wheels": "big"}, "selection"),  # no such feature
        ({"frame": "gold"}, "selection"),  # no such option
        ({"frame": 3}, "selection"),  # not an option id
        ("frame=alu", "selection"),  # not an object
    ],
)
def test_selections_that_do_not_fit_are_422_with_the_field(api, endpoint, selection, field):
    response = api.post(f"/api/catalogs/test-bike/{endpoint}", {"selection": selection})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_explain_needs_the_option(api):
    response = api.post("/api/catalogs/test-bike/explain", {"selection": {}})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"option": ["Missing data for required field."]}


def test_unknown_body_fields_are_refused(api):
    response = api.post("/api/catalogs/test-bike/price", {"selection": {}, "discount": "100%"})
    assert response.status_code == 422
    assert "discount" in response.get_json()["errors"]


def test_catalog_read_scope_is_enough_for_the_configurator(app, anna):
    with app.app_context():
        from configurator.services.users import get_user

        token = gen_token(db.session, get_user(db.session, anna["id"]), ["catalog:read"])
    api = ApiClient(app, token)
    assert api.post("/api/catalogs/test-bike/domains", {"selection": {}}).status_code == 200
    assert api.get("/api/configurations").status_code == 403
