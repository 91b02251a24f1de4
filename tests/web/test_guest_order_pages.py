"""A guest's order from the configurator (issue 17): the button, the review with the
e-mail and address form, refusals in the page, CSRF, the rate limit, and the order
appearing in the account once that address is signed up and confirmed."""

from __future__ import annotations

import re

import sqlalchemy as sa

from configurator.services import catalogs, verification
from configurator.store import User
from configurator.store.messages import Message
from configurator.store.models import Order
from configurator.web.database import db
from configurator.web.security import GUEST_ORDER_LIMIT
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE
from tests.web.test_rate_limit import limited_app

PICKS = {f"f.{key}": value for key, value in COMPLETE_BIKE.items()}
START = "/shop/test-bike/guest-order/start"
ORDER = "/shop/test-bike/guest-order"
GUEST = {"email": "gina@example.com", "name": "Gina Gast", "street": "Hauptstr. 1",
         "postcode": "10115", "city": "Berlin", "country": "de", "terms": "y"}


def start(client):
    response = client.post(START, data=PICKS)
    assert (response.status_code, response.headers["Location"]) == (303, ORDER)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_guest_sees_the_button_a_customer_does_not(client, auth, anna):
    page = client.post("/shop/test-bike", data=PICKS).get_data(as_text=True)
    assert 'id="summary-guest-order"' in page and f'formaction="{START}"' in page
    auth.signin()
    page = client.post("/shop/test-bike", data=PICKS).get_data(as_text=True)
    assert 'id="summary-guest-order"' not in page


def test_the_review_asks_for_e_mail_address_and_terms(client):
    start(client)
    page = client.get(ORDER).get_data(as_text=True)
    assert 'name="email"' in page and 'name="street"' in page and 'name="terms"' in page
    assert 'name="csrf_token"' in page and 'id="guest-total"' in page


def test_without_picks_the_review_sends_back_to_the_configurator(client):
    response = client.get(ORDER)
    assert (response.status_code, response.headers["Location"]) == (303, "/shop/test-bike")


def test_refusals_are_in_the_page_and_nothing_is_ordered(client, app):
    start(client)
    no_terms = client.post(ORDER, data=dict(GUEST, terms=""))
    assert no_terms.status_code == 400
    assert "Please accept the terms of sale" in no_terms.get_data(as_text=True)
    bad_email = client.post(ORDER, data=dict(GUEST, email="gina"))
    assert bad_email.status_code == 400
    assert "Please enter a valid e-mail address." in bad_email.get_data(as_text=True)
    no_street = client.post(ORDER, data=dict(GUEST, street=""))
    assert no_street.status_code == 400 and "Please fill in the address" in no_street.get_data(
        as_text=True)
    assert count(app, Order) == 0 and count(app, Message) == 0


def test_without_the_csrf_token_nothing_is_ordered(raw_client, app):
    raw_client.post(START, data=PICKS)
    assert raw_client.post(ORDER, data=GUEST).status_code == 400
    assert count(app, Order) == 0


def test_the_order_reaches_the_account_after_the_address_is_confirmed(client, auth, app):
    start(client)
    placed = client.post(ORDER, data=GUEST)
    assert (placed.status_code, placed.headers["Location"]) == (303, "/shop/guest-order/thanks")
    with app.app_context():
        order = db.session.scalars(sa.select(Order)).one()
        mail = db.session.scalars(sa.select(Message)).one()
        assert (mail.kind, mail.to_address) == ("order_confirmation", "gina@example.com")
    thanks = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert order.number in thanks and "gina@example.com" in thanks
    # Signed up, not confirmed: the order is not in the account.
    auth.signup("gina@example.com", name="Gina")
    assert order.number not in client.get("/account/orders").get_data(as_text=True)
    with app.app_context():
        link = db.session.scalar(sa.select(Message.action_url).where(
            Message.kind == "email_verification"))
        verification.confirm(db.session, link.removeprefix(verification.VERIFY_PATH))
        account = db.session.scalar(sa.select(User).where(User.email == "gina@example.com"))
        assert db.session.get(Order, order.id).owner_id == account.id
    assert order.number in client.get("/account/orders").get_data(as_text=True)
    timeline = client.get("/account/timeline").get_data(as_text=True)
    assert f"Your guest order {order.number} is now in your account" in timeline


def test_guest_orders_are_limited_per_client_address(app):
    client = limited_app(app).test_client()
    allowed = int(GUEST_ORDER_LIMIT.split()[0])
    start(client)
    tries = [client.post(ORDER, environ_base={"REMOTE_ADDR": "10.0.9.1"},
                         data=dict(GUEST, terms="")).status_code for _ in range(allowed + 1)]
    assert tries == [400] * allowed + [429]


def test_hostile_input_gets_an_answer_never_a_5xx(client):
    """The form fuzz test posts signed in; a guest's order form is fuzzed here."""
    from tests.security.test_form_fuzz import HOSTILE_VALUES, post

    start(client)
    failures = []
    for kind, value in HOSTILE_VALUES.items():
        for data in ({name: value for name in GUEST},
                     dict(GUEST, **{name: value for name in ("email", "name", "country")})):
            if failure := post(client, ORDER, data):
                failures.append((kind, failure))
        if failure := post(client, START, {name: value for name in PICKS}):
            failures.append(("start", kind, failure))
    assert failures == []


def submission_of(page: str) -> str:
    found = re.search(r'name="submission" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="submission" value="([^"]+)"', page) or re.search(
        r'id="submission" name="submission" type="hidden" value="([^"]+)"', page)
    assert found, "the review form carries its own token"
    return found.group(1)


def test_the_form_posted_twice_places_one_order_and_both_see_it(client, app):
    start(client)
    token = submission_of(client.get(ORDER).get_data(as_text=True))
    first = client.post(ORDER, data=dict(GUEST, submission=token))
    # The second post of the same form (a double click): the draft is gone by now.
    second = client.post(ORDER, data=dict(GUEST, submission=token))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == "/shop/guest-order/thanks"
    with app.app_context():
        order = db.session.scalars(sa.select(Order)).one()
        assert db.session.scalars(sa.select(Message)).one().kind == "order_confirmation"
    assert order.number in client.get("/shop/guest-order/thanks").get_data(as_text=True)
    # A new review of new picks has a new token and orders again.
    start(client)
    fresh = submission_of(client.get(ORDER).get_data(as_text=True))
    assert fresh != token
    assert client.post(ORDER, data=dict(GUEST, submission=fresh)).status_code == 303
    assert count(app, Order) == 2


def test_a_refused_post_keeps_the_forms_token(client):
    start(client)
    token = submission_of(client.get(ORDER).get_data(as_text=True))
    refused = client.post(ORDER, data=dict(GUEST, terms="", submission=token))
    assert refused.status_code == 400
    assert submission_of(refused.get_data(as_text=True)) == token


LIGHTS_IN_GERMANY = (DATA / "bike.yaml").read_text().replace("constraints:\n", """constraints:
  - id: lights-de
    if: customer.country == de
    then: extras == lights
    message: Bikes sold in Germany must be fitted with lights.
""", 1)


def test_a_rule_of_the_delivery_country_is_named_before_ordering(client, app):
    """The guest's configurator knows no country: a bike complete there lacked the lights
    Germany asks for, and the order was refused with "Finish the open choices first"."""
    with app.app_context():
        catalogs.load_text(db.session, LIGHTS_IN_GERMANY, "bike-de.yaml")
        db.session.commit()
    start(client)
    needs = "For delivery to this country, also choose: Extras."
    review = client.get(ORDER).get_data(as_text=True)  # Germany, the form's first country
    assert needs in review
    refused = client.post(ORDER, data=GUEST)
    assert refused.status_code == 400 and needs in refused.get_data(as_text=True)
    assert count(app, Order) == 0
    placed = client.post(ORDER, data=dict(GUEST, country="at"))
    assert placed.status_code == 303 and count(app, Order) == 1
