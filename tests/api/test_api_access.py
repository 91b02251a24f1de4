"""Who may call what: tokens, scopes, other people's records, and the one
error format (application/problem+json) for every failure under /api."""

import pytest
from api_factories import ApiClient, gen_token

from configurator.services import api_tokens
from configurator.services.users import get_user
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, gen_user

SELECTION = {"selection": COMPLETE_BIKE}
OPTION = {"selection": {}, "option": {"feature": "frame", "option": "alu"}}
# (method, path, body, scope); {configuration} and {order} are Anna's.
ROUTES = [
    ("GET", "/api/catalogs", None, "catalog:read"),
    ("GET", "/api/catalogs/test-bike", None, "catalog:read"),
    ("POST", "/api/catalogs/test-bike/domains", SELECTION, "catalog:read"),
    ("POST", "/api/catalogs/test-bike/explain", OPTION, "catalog:read"),
    ("POST", "/api/catalogs/test-bike/repair", OPTION, "catalog:read"),
    ("POST", "/api/catalogs/test-bike/complete", SELECTION, "catalog:read"),
    ("POST", "/api/catalogs/test-bike/price", SELECTION, "catalog:read"),
    ("GET", "/api/configurations", None, "configurations:read"),
    ("POST", "/api/configurations", {"catalog_id": "test-bike"}, "configurations:write"),
    ("GET", "/api/configurations/{configuration}", None, "configurations:read"),
    ("PATCH", "/api/configurations/{configuration}", {"name": "Mine"}, "configurations:write"),
    (
        "POST",
        "/api/configurations/{configuration}/revisions",
        {"base_revision": 1, "selection": {}},
        "configurations:write",
    ),
    ("GET", "/api/configurations/{configuration}/revisions/1", None, "configurations:read"),
    ("GET", "/api/orders", None, "orders:read"),
    ("POST", "/api/orders", {"configuration_id": "{configuration}"}, "orders:write"),
    ("GET", "/api/orders/{order}", None, "orders:read"),
    ("GET", "/api/orders/{order}/recheck", None, "orders:read"),
    ("POST", "/api/orders/{order}/reorder", None, "orders:write"),
]
OWN_RECORDS = [route for route in ROUTES if "{" in route[1] or route[1] == "/api/orders"]


def _call(client, anna, method, path, body):
    if isinstance(body, dict) and body.get("configuration_id") == "{configuration}":
        body = {"configuration_id": anna["configuration"]}
    return client.open(method, path.format(**anna), json=body)


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"] and problem["type"].startswith("/api/docs#")
    assert "<html" not in response.get_data(as_text=True).lower()
    return problem


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_every_route_works_for_its_owner(app, anna, method, path, body, scope):
    response = _call(ApiClient(app, anna["token"]), anna, method, path, body)
    assert response.status_code in (200, 201), response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_without_a_token_every_route_is_401(app, anna, method, path, body, scope):
    response = _call(ApiClient(app, None), anna, method, path, body)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "token",
    ["garbage", "cfg_0123456789ab_wrong", "cfg_short_x", "Basic dXNlcjpwYXNz"],
)
def test_bad_tokens_are_401(app, anna, token):
    assert_problem(ApiClient(app, token).get("/api/catalogs"), 401)


def test_a_right_prefix_with_a_wrong_secret_is_401(app, anna):
    prefix = anna["token"].split("_")[1]
    assert_problem(ApiClient(app, f"cfg_{prefix}_notthesecret").get("/api/catalogs"), 401)


@pytest.mark.parametrize(("method", "path", "body", "scope"), ROUTES)
def test_a_token_without_the_scope_is_403(app, anna, method, path, body, scope):
    with app.app_context():
        user = get_user(db.session, anna["id"])
        others = [s for s in api_tokens.allowed_scopes(user) if s != scope]
        token = gen_token(db.session, user, others)
    problem = assert_problem(_call(ApiClient(app, token), anna, method, path, body), 403)
    assert scope in problem["detail"]


@pytest.mark.parametrize(("method", "path", "body", "scope"), OWN_RECORDS)
def test_someone_elses_records_are_404_never_403(app, anna, mallory, method, path, body, scope):
    response = _call(ApiClient(app, mallory["token"]), anna, method, path, body)
    if path == "/api/orders" and method == "GET":
        assert response.get_json()["items"] == []
        return
    assert_problem(response, 404)
    assert "Anna" not in response.get_data(as_text=True)


def test_a_revoked_token_stops_working_at_once(app, anna, api):
    assert api.get("/api/catalogs").status_code == 200
    with app.app_context():
        user = get_user(db.session, anna["id"])
        (token,) = api_tokens.list_for(db.session, user)
        api_tokens.revoke(db.session, user, token.id)
    assert_problem(api.get("/api/catalogs"), 401)


def test_a_staff_token_keeps_to_staff_scopes(app):
    with app.app_context():
        staff = gen_user(db.session, role="staff")
        token = gen_token(db.session, staff)
    client = ApiClient(app, token)
    assert client.get("/api/catalogs").status_code == 200
    assert_problem(client.post("/api/configurations", {"catalog_id": "test-bike"}), 403)


def test_a_scope_the_role_lost_no_longer_works(app, anna, api):
    """A customer who became staff cannot keep placing orders with an old token."""
    with app.app_context():
        user = get_user(db.session, anna["id"])
        user.role = "staff"
        db.session.commit()
    problem = assert_problem(api.post("/api/orders", {"configuration_id": 1}), 403)
    assert "may not" in problem["detail"]


def test_the_session_cookie_is_never_enough(app, anna, client, auth):
    """Signed in on the pages, but no token: the API still says 401."""
    auth.signin("anna@example.com")
    assert_problem(client.get("/api/configurations"), 401)


def test_post_needs_no_csrf_token_with_a_bearer_token(api):
    response = api.post("/api/catalogs/test-bike/price", SELECTION)
    assert response.status_code == 200


def test_unknown_route_under_api_is_a_404_problem(api):
    assert_problem(api.get("/api/no/such/thing"), 404)


def test_wrong_method_is_a_405_problem(api):
    response = api.open("DELETE", "/api/catalogs")
    assert_problem(response, 405)
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_malformed_json_is_a_400_problem(api):
    response = api.post(
        "/api/catalogs/test-bike/price",
        data="{not json",
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 400)


def test_a_body_that_is_not_json_is_a_400_problem(api):
    response = api.post("/api/catalogs/test-bike/price", data="selection=frame")
    assert_problem(response, 400)


def test_a_huge_body_is_a_413_problem(api):
    selection = {f"feature{n}": "x" * 100 for n in range(1000)}  # about 110 KB
    assert_problem(api.post("/api/catalogs/test-bike/price", {"selection": selection}), 413)


def test_json_null_is_a_422_problem(api):
    response = api.post(
        "/api/catalogs/test-bike/price", data="null", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422)


def test_a_json_array_body_is_a_422_problem(api):
    assert_problem(api.post("/api/catalogs/test-bike/price", [1, 2]), 422)


def test_validation_errors_list_each_field(api):
    problem = assert_problem(api.post("/api/orders", {"configuration_id": -1, "extra": 1}), 422)
    assert set(problem["errors"]) == {"configuration_id", "extra"}


def test_huge_ids_are_404_not_a_crash(api):
    assert_problem(api.get(f"/api/configurations/{10**30}"), 404)


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/shop/no-such-line")
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.fixture
def limited_app(tmp_path):
    """Makes the shop with rate limits on and the given limits (on its own migrated SQLite
    database, the test bike loaded); each database is closed after the test."""
    from configurator.config import TestConfig
    from configurator.services import catalogs
    from configurator.store import make_engine
    from configurator.store.migrate import upgrade
    from configurator.web import create_app
    from tests.conftest import DATA

    engines = []

    def make(**limits):
        url = f"sqlite:///{tmp_path / f'limited-{len(engines)}.db'}"
        engine = make_engine(url)
        engines.append(engine)
        upgrade(engine)
        settings = {"DATABASE_URL": url, "DATABASE_ENGINE": engine, "RATELIMIT_ENABLED": True}
        app = create_app(TestConfig, {**settings, **limits})
        with app.app_context():
            catalogs.load_file(db.session, DATA / "bike.yaml")
        return app

    yield make
    for engine in engines:
        engine.dispose()


def test_too_many_failed_authentications_are_429(limited_app):
    """Guessing tokens from one address is slowed down (limits on for this app)."""
    app = limited_app(API_AUTH_FAILURE_LIMIT="3 per minute")
    client = ApiClient(app, "cfg_0123456789ab_guess")
    statuses = [client.get("/api/catalogs").status_code for _ in range(5)]
    assert statuses[:3] == [401, 401, 401]
    assert_problem(client.get("/api/catalogs"), 429)


def test_usage_is_limited_per_token(limited_app):
    app = limited_app(API_RATE_LIMIT="2 per minute")
    with app.app_context():
        first = gen_token(db.session, gen_user(db.session))
        second = gen_token(db.session, gen_user(db.session))
    busy = ApiClient(app, first)
    assert [busy.get("/api/catalogs").status_code for _ in range(2)] == [200, 200]
    assert_problem(busy.get("/api/catalogs"), 429)
    assert ApiClient(app, second).get("/api/catalogs").status_code == 200


def test_someone_elses_object_is_404_even_with_a_bad_body(app, anna, mallory):
    """The object is looked up before the body is read: no 422 that shows it was reached."""
    other = ApiClient(app, mallory["token"])
    url = f"/api/configurations/{anna['configuration']}"
    assert_problem(other.open("PATCH", url, json={"bogus": 1}), 404)
    assert_problem(other.post(f"{url}/revisions", {"bogus": 1}), 404)


def test_a_wrong_secret_with_a_real_prefix_does_not_use_up_that_tokens_allowance(limited_app):
    """Counting per prefix before checking the token let anyone lock a token out."""
    app = limited_app(API_RATE_LIMIT="2 per minute", API_AUTH_FAILURE_LIMIT="100 per minute")
    with app.app_context():
        token = gen_token(db.session, gen_user(db.session))
    prefix = token.rsplit("_", 1)[0]
    attacker = ApiClient(app, f"{prefix}_wrong-secret")
    attacker.client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    for _ in range(5):
        attacker.get("/api/catalogs")
    assert ApiClient(app, token).get("/api/catalogs").status_code == 200
