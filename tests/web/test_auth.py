"""Sign up, sign in, sign out; a guest's picks survive signing in."""

from configurator.services.configuring import configurations
from configurator.store import User
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE


def sign_up(client, email="new@example.com", password="password123"):
    return client.post("/auth/signup", data={
        "email": email, "password": password, "confirm": password, "name": "New Customer",
        "country": "de"})


def test_sign_up_asks_to_confirm_the_address(client, app):
    response = sign_up(client)
    assert (response.status_code, response.headers["Location"]) == (302, "/auth/signup/sent")
    page = client.get("/auth/signup/sent").get_data(as_text=True)
    assert "Check your e-mail" in page and "Sign out" not in page
    with app.app_context():
        user = db.session.query(User).filter_by(email="new@example.com").one()
        assert user.country == "de" and user.check_password("password123")
        assert user.email_verified_at is None
    # Usable before the address is confirmed, with its password.
    assert client.post("/auth/signin", data={
        "email": "new@example.com", "password": "password123"}).status_code == 302


def test_sign_up_with_a_known_address_answers_as_with_a_new_one(client, anna):
    known, new = sign_up(client, "anna@example.com"), sign_up(client, "fresh@example.com")
    assert (known.status_code, known.headers["Location"]) == (
        new.status_code, new.headers["Location"])
    response = sign_up(client, "x@example.com", password="short")
    assert response.status_code == 400 and "at least 8" in response.get_data(as_text=True)


def test_sign_in_and_out(client, auth, anna):
    bad = auth.signin(password="wrong-password")
    assert bad.status_code == 400 and "Wrong email or password" in bad.get_data(as_text=True)
    assert auth.signin().status_code == 302
    assert client.get("/account/orders").status_code == 200
    auth.signout()
    assert client.get("/account/orders").status_code == 302


def test_next_must_stay_on_this_site(client, auth, anna):
    response = client.post(
        "/auth/signin?next=https://evil.example/",
        data={"email": "anna@example.com", "password": "password123"},
    )
    assert response.headers["Location"] == "/shop/"


def test_a_guests_save_is_finished_after_sign_in(client, auth, anna, app):
    form = {f"f.{k}": v for k, v in COMPLETE_BIKE.items()}
    response = client.post("/shop/test-bike/save", data=dict(form, name="Guest bike"))
    assert response.status_code == 303 and "/auth/signin" in response.headers["Location"]
    response = auth.signin()
    assert "/account/configurations/" in response.headers["Location"]
    with app.app_context():
        user = db.session.get(User, anna["id"])
        names = [row.configuration.name for row in configurations.list_for(db.session, user)]
    assert "Guest bike" in names


def test_a_guests_draft_is_kept_when_signing_up(client, auth):
    client.post("/shop/test-bike", data={"f.frame": "carbon"})
    auth.signup()
    page = client.get("/shop/test-bike").get_data(as_text=True)
    assert 'value="carbon" checked' in page


def test_sign_up_fields_are_described_only_by_an_error(client):
    page = client.get("/auth/signup").get_data(as_text=True)
    assert 'aria-describedby="None"' not in page and 'aria-invalid="false"' in page


def test_sign_up_offers_every_country_by_name_in_the_page_language(client, auth):
    page = client.get("/auth/signup").get_data(as_text=True)
    assert '<select' in page and '<option value="de">Germany</option>' in page
    assert '<option value="is">Iceland</option>' in page and 'value="zz"' not in page
    assert page.index(">Austria<") < page.index(">Germany<") < page.index(">Switzerland<")
    vietnamese = client.get("/auth/signup", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<option value="de">Đức</option>' in vietnamese
    refused = auth.signup(country="xx")
    assert refused.status_code == 400


def test_sign_up_without_a_country_is_fine(client, auth, app):
    assert auth.signup(email="nowhere@example.com", country="").status_code == 302
    with app.app_context():
        assert db.session.query(User).filter_by(email="nowhere@example.com").one().country is None
