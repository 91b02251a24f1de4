"""Personal API tokens: stored hashed, scoped by role, revocable; the pages
and the command line that make them."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from api_factories import ApiClient

from configurator.cli import main
from configurator.services import api_tokens
from configurator.services.errors import NotFound
from configurator.store.tokens import ApiToken
from tests.helpers import gen_user

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def customer(session):
    return gen_user(session)


def test_the_raw_secret_is_never_stored(session, customer, db_engine):
    token, raw = api_tokens.create(session, customer, "ERP", ["catalog:read"])
    assert raw.startswith(f"cfg_{token.prefix}_") and len(raw) > 50
    with db_engine.connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM api_tokens")).one()
    assert raw not in [str(value) for value in row]
    assert raw.split("_", 2)[2] not in " ".join(str(value) for value in row)
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()


def test_each_token_is_different(session, customer):
    raws = {api_tokens.create(session, customer, f"t{n}", ["catalog:read"])[1] for n in range(5)}
    assert len(raws) == 5


def test_authenticate_finds_the_token_and_notes_its_use(session, customer):
    token, raw = api_tokens.create(session, customer, "ERP", ["catalog:read"], now=NOW)
    assert token.last_used_at is None
    found = api_tokens.authenticate(session, raw, now=NOW + timedelta(hours=1))
    assert found is not None and found.id == token.id and found.user.id == customer.id
    assert found.last_used_at == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # one character off
        lambda raw: raw.replace("cfg_", "xyz_"),
        lambda raw: "",
        lambda raw: raw.split("_", 2)[2],  # the secret alone
    ],
)
def test_anything_but_the_exact_token_fails(session, customer, mangle):
    _, raw = api_tokens.create(session, customer, "ERP", ["catalog:read"])
    assert api_tokens.authenticate(session, mangle(raw)) is None


def test_revoked_and_expired_tokens_fail(session, customer):
    revoked, raw_revoked = api_tokens.create(session, customer, "old", ["catalog:read"], now=NOW)
    api_tokens.revoke(session, customer, revoked.id, now=NOW)
    assert api_tokens.authenticate(session, raw_revoked, now=NOW) is None
    _, raw = api_tokens.create(
        session, customer, "short", ["catalog:read"], now=NOW, expires_at=NOW + timedelta(days=1)
    )
    assert api_tokens.authenticate(session, raw, now=NOW + timedelta(hours=23)) is not None
    assert api_tokens.authenticate(session, raw, now=NOW + timedelta(days=1)) is None


def test_scopes_beyond_the_role_are_refused(session, customer):
    with pytest.raises(api_tokens.ScopeNotAllowed, match="staff:quotes"):
        api_tokens.create(session, customer, "sneaky", ["catalog:read", "staff:quotes"])
    with pytest.raises(api_tokens.ScopeNotAllowed):
        api_tokens.create(session, customer, "made up", ["everything"])
    with pytest.raises(api_tokens.ScopeNotAllowed):
        api_tokens.create(session, customer, "none", [])
    staff = gen_user(session, role="staff")
    with pytest.raises(api_tokens.ScopeNotAllowed, match="orders:write"):
        api_tokens.create(session, staff, "staff orders", ["orders:write"])
    token, _ = api_tokens.create(session, staff, "desk", ["staff:quotes"])
    assert token.scope_list == ["staff:quotes"]
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1


@pytest.mark.parametrize("name", ["   ", "x" * 81, "ERP\x00", "a\x07b"])
def test_a_token_needs_a_plain_name(session, customer, name):
    with pytest.raises(api_tokens.InvalidTokenName):
        api_tokens.create(session, customer, name, ["catalog:read"])


def test_nobody_revokes_someone_elses_token(session, customer):
    token, raw = api_tokens.create(session, customer, "ERP", ["catalog:read"])
    with pytest.raises(NotFound):
        api_tokens.revoke(session, gen_user(session), token.id)
    assert api_tokens.authenticate(session, raw) is not None


def test_list_shows_only_ones_own_tokens(session, customer):
    api_tokens.create(session, customer, "mine", ["catalog:read"])
    api_tokens.create(session, gen_user(session), "theirs", ["catalog:read"])
    assert [t.name for t in api_tokens.list_for(session, customer)] == ["mine"]


# ------------------------------------------------------------------ pages


def _create_on_the_page(client, **fields):
    data = {"name": "ERP sync", "scopes": ["catalog:read", "orders:read"], "expires": ""}
    data.update(fields)
    return client.post("/account/tokens/", data=data)


def test_the_page_shows_the_secret_once_and_it_works(app, client, auth):
    auth.signup("erp@example.com")
    response = _create_on_the_page(client)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    raw = page.split('<code class="secret">')[1].split("</code>")[0]
    assert ApiClient(app, raw).get("/api/catalogs").status_code == 200
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert "ERP sync" in listing and raw not in listing


def test_the_page_refuses_scopes_beyond_the_role(client, auth):
    auth.signup("erp@example.com")
    response = _create_on_the_page(client, scopes=["staff:quotes"])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is not a valid choice" in page
    assert 'class="secret"' not in page


def test_revoking_on_the_page_stops_the_token(app, client, auth):
    auth.signup("erp@example.com")
    page = _create_on_the_page(client).get_data(as_text=True)
    raw = page.split('<code class="secret">')[1].split("</code>")[0]
    with app.app_context():
        from configurator.web.database import db

        (token,) = db.session.scalars(sa.select(ApiToken)).all()
    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 303
    assert "Revoked" in client.get("/account/tokens/").get_data(as_text=True)
    assert ApiClient(app, raw).get("/api/catalogs").status_code == 401


def test_a_token_needs_a_scope_on_the_page(client, auth):
    auth.signup("erp@example.com")
    response = _create_on_the_page(client, scopes=[])
    assert response.status_code == 400
    assert "Choose at least one scope." in response.get_data(as_text=True)


def test_someone_elses_token_cannot_be_revoked_on_the_page(app, client, auth):
    auth.signup("erp@example.com")
    _create_on_the_page(client)
    auth.signout()
    auth.signup("other@example.com")
    response = client.post("/account/tokens/1/revoke")
    assert response.status_code == 404


def test_the_token_pages_need_sign_in_and_csrf(client, raw_client, auth):
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and "/auth/signin" in response.headers["Location"]
    auth.signup("erp@example.com")
    forged = raw_client.post(
        "/account/tokens/", data={"name": "x", "scopes": ["catalog:read"], "expires": ""}
    )
    assert forged.status_code == 400


def test_the_account_menu_links_to_the_tokens(client, auth):
    auth.signup("erp@example.com")
    assert 'href="/account/tokens/"' in client.get("/account/tokens/").get_data(as_text=True)


# ------------------------------------------------------------ command line


@pytest.fixture
def cli_database(monkeypatch, database_url, db_engine, session):
    monkeypatch.setenv("DATABASE_URL", database_url)
    return session


def test_cli_creates_a_working_token(cli_database, capsys):
    user = gen_user(cli_database, "ops@example.com")
    status = main(["token", "create", "--email", "OPS@example.com", "--scope", "catalog:read",
                   "--scope", "orders:read", "--name", "ERP", "--expires-days", "30"])
    out, err = capsys.readouterr()
    assert status == 0
    raw = out.strip()
    cli_database.expire_all()
    token = api_tokens.authenticate(cli_database, raw)
    assert token is not None and token.user_id == user.id
    assert token.scope_list == ["catalog:read", "orders:read"] and token.expires_at is not None
    assert raw not in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--email", "nobody@example.com", "--scope", "catalog:read"], "no user"),
        (["--email", "ops@example.com", "--scope", "staff:quotes"], "cannot grant"),
        (["--email", "ops@example.com", "--scope", "x", "--expires-days", "0"], "at least 1"),
    ],
)
def test_cli_errors_are_one_line(cli_database, capsys, argv, fragment):
    gen_user(cli_database, "ops@example.com")
    status = main(["token", "create", *argv])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_cli_lists_and_revokes(cli_database, capsys):
    user = gen_user(cli_database, "ops@example.com")
    token, raw = api_tokens.create(cli_database, user, "ERP", ["catalog:read"])
    assert main(["token", "list", "--email", "ops@example.com"]) == 0
    listed = capsys.readouterr().out
    assert token.prefix in listed and raw not in listed and "active" in listed
    assert main(["token", "revoke", "--email", "ops@example.com", str(token.id)]) == 0
    cli_database.expire_all()
    assert api_tokens.authenticate(cli_database, raw) is None
