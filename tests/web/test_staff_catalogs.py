"""The catalogs page: administrators load a new version of a product line by
upload; a bad file is refused with every problem and where it is, and the
version in use stays; other roles may look but not load; CSRF is required."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest

from configurator.services import catalogs
from configurator.web.database import db
from tests.services.quote_factories import gen_staff

DATA = Path(__file__).resolve().parent.parent / "data"
BIKE_V1 = (DATA / "bike.yaml").read_bytes()
BIKE_V2 = (DATA / "bike-v2.yaml").read_bytes()


@pytest.fixture
def people(app):
    with app.app_context():
        for role in ("staff", "manager", "admin"):
            gen_staff(db.session, role, f"{role}@shop.example")
        gen_staff(db.session, "customer", "plain@example.com")


def sign_in(auth, email):
    auth.signout()
    response = auth.signin(email, "password123")
    assert response.status_code in (302, 303)


def upload(client, data: bytes, filename: str = "bike.yaml"):
    return client.post(
        "/staff/catalogs",
        data={"catalog_file": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def in_use(app) -> tuple[int, str, int]:
    """The version of the test bike the shop uses now: number, fingerprint, how many stored."""
    with app.app_context():
        version = catalogs.current(db.session, "test-bike")
        count = len(catalogs.versions(db.session, "test-bike"))
        return version.number, version.fingerprint, count


def url_in_nav(page: str) -> bool:
    return 'href="/staff/catalogs">Catalogs</a>' in page


def test_admin_sees_every_line_with_its_version(client, auth, people):
    sign_in(auth, "admin@shop.example")
    page = client.get("/staff/catalogs").get_data(as_text=True)
    assert 'id="catalog-test-bike"' in page
    assert "Test bike" in page
    assert 'id="catalog-upload"' in page and 'enctype="multipart/form-data"' in page
    assert url_in_nav(client.get("/staff/quotes").get_data(as_text=True))


def test_admin_uploads_a_new_version(app, client, auth, people):
    before_number, before_fingerprint, _ = in_use(app)
    sign_in(auth, "admin@shop.example")
    response = upload(client, BIKE_V2, "bike-v2.yaml")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"test-bike is now version {before_number + 1}." in page
    number, fingerprint, count = in_use(app)
    assert number == before_number + 1 and fingerprint != before_fingerprint
    assert count == 2
    with app.app_context():
        current = catalogs.current(db.session, "test-bike")
        assert current.declared_version == 2
        assert current.source_path == "bike-v2.yaml"
    # The old version is listed as an older one.
    assert f"{before_number} (declared 1)" in page
    # The same file again is not stored twice.
    response = upload(client, BIKE_V2, "bike-v2.yaml")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"test-bike unchanged: same as version {number}." in page
    assert in_use(app) == (number, fingerprint, 2)


BROKEN = {
    "syntax": (
        BIKE_V1.replace(b"  - id: brakes\n", b"  - id: brakes\n   bad: [\n", 1),
        ["line 17, column 4", "not valid YAML"],
    ),
    "unknown option in a rule": (
        BIKE_V1.replace(b"then: brakes in [disc_hydraulic]", b"then: brakes in [disc_pneumatic]"),
        ["constraint &#39;carbon-needs-disc&#39; (#1)", "unknown option &#39;disc_pneumatic&#39;"],
    ),
    "not UTF-8": (
        BIKE_V1.replace(b"name: Test bike", b"name: Test b\xffke"),
        [f"not UTF-8 text (byte {BIKE_V1.index(b'name: Test bike') + 13} cannot be decoded)"],
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_is_refused_with_where_and_the_version_in_use_stays(
    app, client, auth, people, case
):
    data, expected = BROKEN[case]
    before = in_use(app)
    sign_in(auth, "admin@shop.example")
    response = upload(client, data, "broken.yaml")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="upload-problems"' in page
    assert "broken.yaml" in page
    for text in expected:
        assert text in page, text
    assert in_use(app) == before
    # The shop still configures the bike with the version in use.
    assert client.get("/shop/test-bike").status_code == 200


def test_a_too_large_or_missing_file_is_refused(app, client, auth, people):
    before = in_use(app)
    sign_in(auth, "admin@shop.example")
    response = upload(client, BIKE_V2 + b"#" * (2 * 1024 * 1024), "huge.yaml")
    assert response.status_code == 413
    assert "larger than 2 MiB" in response.get_data(as_text=True)
    response = client.post("/staff/catalogs", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a catalog file" in response.get_data(as_text=True)
    assert in_use(app) == before


@pytest.mark.parametrize(
    "email", ["staff@shop.example", "manager@shop.example", "plain@example.com", None]
)
def test_only_an_admin_may_upload(app, client, auth, people, email):
    before = in_use(app)
    if email:
        sign_in(auth, email)
    response = upload(client, BIKE_V2, "bike-v2.yaml")
    if email is None:
        assert response.status_code == 302 and "/auth/signin" in response.headers["Location"]
    else:
        assert response.status_code in (403, 404)
    assert in_use(app) == before


@pytest.mark.parametrize("email", ["staff@shop.example", "manager@shop.example"])
def test_sellers_may_look_but_get_no_upload_form(client, auth, people, email):
    sign_in(auth, email)
    response = client.get("/staff/catalogs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="catalog-test-bike"' in page
    assert 'id="catalog-upload"' not in page
    assert not url_in_nav(page)


def test_customers_get_404_and_guests_sign_in(client, auth, people):
    assert client.get("/staff/catalogs").status_code == 302
    sign_in(auth, "plain@example.com")
    assert client.get("/staff/catalogs").status_code == 404


def test_an_upload_without_the_csrf_token_is_refused(app, client, auth, people):
    before = in_use(app)
    sign_in(auth, "admin@shop.example")
    response = client.post(
        "/staff/catalogs",
        data={"catalog_file": (BytesIO(BIKE_V2), "bike-v2.yaml")},
        content_type="multipart/form-data",
        headers={"X-CSRFToken": ""},  # the test client would add a valid one
    )
    assert response.status_code == 400
    assert "Your page had expired, so nothing was changed." in response.get_data(as_text=True)
    assert in_use(app) == before
