"""The OpenAPI document: valid OpenAPI 3, complete, served as generated, and
readable on the docs page."""

import copy
import re

import jsonschema_rs
import pytest
import schemathesis

from configurator.web.api.docs import build_spec


def test_the_document_is_valid_openapi_3():
    schemathesis.openapi.from_dict(build_spec()).validate()  # raises when invalid


def test_the_validation_above_would_catch_a_broken_document():
    broken = copy.deepcopy(build_spec())
    broken["paths"]["/catalogs"]["get"]["responses"] = "none"
    with pytest.raises(jsonschema_rs.ValidationError):
        schemathesis.openapi.from_dict(broken).validate()


def test_it_is_served_publicly_as_generated(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == build_spec()


def test_every_api_route_is_documented(app):
    spec = build_spec()
    documented = {
        (method.upper(), "/api" + path)
        for path, operations in spec["paths"].items()
        for method in operations
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in (
            "api.openapi_document",
            "api.docs_page",
        ):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((method, _openapi_path(rule.rule)))
    assert routes == documented


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_operation_names_its_scope_and_problem_responses():
    for path, operations in build_spec()["paths"].items():
        for method, operation in operations.items():
            assert operation["x-scope"], (method, path)
            for status in ("401", "403", "404", "422", "429"):
                content = operation["responses"][status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)


def test_money_is_a_decimal_string_and_cost_is_nowhere():
    spec = build_spec()
    schemas = spec["components"]["schemas"]
    assert schemas["Option"]["properties"]["price"] == {"type": "string", "format": "decimal"}
    properties = {name for schema in schemas.values() for name in schema.get("properties", {})}
    assert "price" in properties and "cost" not in properties
    # A service line's cost is staff's: only in the staff quote's schema and staff's input.
    with_cost = {name for name, schema in schemas.items()
                 if "unit_cost" in schema.get("properties", {})}
    assert with_cost == {"StaffQuoteService", "ServiceLineInput"}
    assert "services" in schemas["Quote"]["properties"]
    assert "unit_cost" not in schemas["QuoteService"]["properties"]


def test_the_docs_page_lists_operations_scopes_and_schemas(client):
    response = client.get("/api/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (
        "POST /catalogs/{catalog_id}/domains",
        "orders:write",
        'id="schema-Problem"',
        'id="problem-stale-revision"',
        "<code>base_revision</code>",
    ):
        assert text in page
    assert "<script>" not in page and "style=" not in page


def test_backticks_become_code_and_everything_else_is_escaped():
    from configurator.web.api.docs import inline_code

    assert inline_code("Send `limit` <b>") == "Send <code>limit</code> &lt;b&gt;"
