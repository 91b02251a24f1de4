"""The staff dashboard (/staff/insights): staff only, what it shows, and the
tier-gated options of a demo catalog on the configurator page."""

import re
from decimal import Decimal

import pytest

from configurator.config import REPO_ROOT
from configurator.services import catalogs, customer_value
from configurator.services.customer_value.tiers import parse_tier_config
from configurator.store.models import User
from configurator.web.database import db
from tests.helpers import PASSWORD, gen_user

ROUTES = [
    ("get", "/staff/insights/"),
    ("get", "/staff/insights/customers/{anna}"),
    ("post", "/staff/insights/recompute"),
]


@pytest.fixture
def staff(app):
    with app.app_context():
        return gen_user(db.session, "seller@example.com", role="staff", name="Sam Seller").id


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_guests_are_sent_to_sign_in(client, anna, method, path):
    response = getattr(client, method)(path.format(anna=anna["id"]))
    assert response.status_code == 302
    assert "/auth/signin" in response.headers["Location"]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_customers_get_a_404(client, auth, anna, method, path):
    auth.signin("anna@example.com", PASSWORD)
    response = getattr(client, method)(path.format(anna=anna["id"]))
    assert response.status_code == 404
    assert "185.00" not in response.get_data(as_text=True)


def test_staff_see_customers_by_value(client, auth, app, anna, staff):
    auth.signin("seller@example.com", PASSWORD)
    page = client.get("/staff/insights/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Anna" in html and "185.00" in html  # valued when her order was placed
    assert f"/staff/insights/customers/{anna['id']}" in html
    assert "No open quotes." in html
    assert 'href="/staff/insights/"' in html  # the nav link staff get
    assert client.get("/staff/insights/?sort=bogus").status_code == 200


def test_staff_see_a_customers_value_and_needs(client, auth, anna, staff):
    auth.signin("seller@example.com", PASSWORD)
    html = client.get(f"/staff/insights/customers/{anna['id']}").get_data(as_text=True)
    assert "Needs profile" in html
    # Anna saved one configuration and ordered one (its own configuration too):
    # the aluminium frame is in all of them.
    assert re.search(r"Aluminium\s*<span class=\"muted\">100.0 %, ordered 1×", html)
    assert "185.00" in html
    assert client.get("/staff/insights/customers/999999").status_code == 404
    assert client.get(f"/staff/insights/customers/{staff}").status_code == 404  # staff are not customers


def test_recompute_button_needs_csrf_and_reports(client, raw_client, auth, app, anna, staff):
    auth.signin("seller@example.com", PASSWORD)
    response = client.post("/staff/insights/recompute", follow_redirects=True)
    assert response.status_code == 200
    assert "customers valued" in response.get_data(as_text=True)
    assert raw_client.post("/staff/insights/recompute").status_code in (400, 302)


def test_customers_do_not_get_the_nav_link(client, auth, anna):
    auth.signin("anna@example.com", PASSWORD)
    assert "/staff/insights/" not in client.get("/shop/").get_data(as_text=True)


# ----------------------------------------------------- tier-gated options on the page


def white_glove_input(html: str) -> str:
    match = re.search(r"<input[^>]*id=\"opt-delivery-white_glove\"[^>]*>", html)
    assert match, "the configurator lists white-glove delivery"
    return match.group(0)


def test_tier_gated_delivery_appears_on_the_configurator_when_gold(client, auth, app):
    with app.app_context():
        catalogs.load_file(db.session, REPO_ROOT / "catalog" / "city-bike.yaml")
        customer = gen_user(db.session, "frida@example.com", country="fr")
        customer_id = customer.id
    auth.signin("frida@example.com", PASSWORD)
    assert "disabled" in white_glove_input(client.get("/shop/city-bike").get_data(as_text=True))

    with app.app_context():
        db.session.get(User, customer_id).tier = "gold"
        db.session.commit()
    assert "disabled" not in white_glove_input(client.get("/shop/city-bike").get_data(as_text=True))

    # The recomputation (no orders: no tier) takes the benefit away again.
    config = parse_tier_config(
        (REPO_ROOT / "config" / "tiers.yaml").read_text(encoding="utf-8"), "tiers.yaml"
    )
    with app.app_context():
        report = customer_value.valuation.recompute_all(db.session, config=config)
        assert (customer_id, "gold", None) in report.changes
        assert db.session.get(User, customer_id).tier is None
        assert customer_value.valuation.customer_figures(
            db.session, db.session.get(User, customer_id), config=config
        ).revenue == Decimal("0.00")
    assert "disabled" in white_glove_input(client.get("/shop/city-bike").get_data(as_text=True))


def test_customers_are_ordered_by_value_not_by_text(client, auth, app, anna, staff):
    """1,110.00 comes before 185.00 (SQLite keeps money as text, where "1" < "8")."""
    from tests.helpers import gen_order

    with app.app_context():
        big = gen_user(db.session, "big@example.com", name="Bertha Big")
        for _ in range(6):
            gen_order(db.session, big)
    auth.signin("seller@example.com", PASSWORD)
    html = client.get("/staff/insights/").get_data(as_text=True)
    section = html[html.index("Customers by value") : html.index("Slipping away")]
    assert "1,110.00" in section
    assert section.index("Bertha Big") < section.index("Anna")


@pytest.mark.parametrize("role", ["staff", "manager", "admin"])
def test_every_seller_role_sees_the_dashboard(client, auth, app, role):
    with app.app_context():
        gen_user(db.session, f"{role}@shop.example", role=role)
    auth.signin(f"{role}@shop.example", PASSWORD)
    assert client.get("/staff/insights/").status_code == 200


def test_whom_to_call_today_links_the_slipping_account_and_its_decision_maker(client, auth, app,
                                                                           staff):
    from datetime import timedelta

    from configurator.services import orders
    from configurator.store.types import utcnow
    from tests.helpers import gen_configuration
    from tests.services.quote_factories import gen_account

    with app.app_context():
        account, contact = gen_account(db.session, contact_email="eva@acme.example")
        configuration = gen_configuration(db.session, contact)
        orders.place(db.session, contact, configuration.id, now=utcnow() - timedelta(days=400))
        db.session.commit()
        account_id, contact_id = account.id, contact.id
    auth.signin("seller@example.com", PASSWORD)
    html = client.get("/staff/insights/").get_data(as_text=True)
    calls = html.split('id="call-today"')[1].split("</section>")[0]
    assert "no order for 400 days: slipping away" in calls
    assert f'href="/staff/accounts/{account_id}"' in calls
    assert f'href="/staff/insights/customers/{contact_id}"' in calls
    assert 'href="mailto:eva@acme.example"' in calls
