"""Personalization on the configurator page: suggestions among the options
still possible, with their reason, and "Same as last time"."""

import re

import pytest

from configurator.services import catalogs, customer_value
from configurator.web.database import db
from tests.conftest import DATA
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, PASSWORD, STEEL_BIKE, gen_order, gen_user


@pytest.fixture(autouse=True)
def fresh_models():
    customer_value.personalize.forget_trained()
    yield
    customer_value.personalize.forget_trained()


@pytest.fixture
def carla(app):
    """A customer who ordered the carbon bike twice; another one ordered aluminium."""
    with app.app_context():
        user = gen_user(db.session, "carla@example.com", name="Carla")
        for _ in range(2):
            gen_order(db.session, user, CARBON_BIKE)
        gen_order(db.session, gen_user(db.session), COMPLETE_BIKE)
        return user.id


def suggestion(html: str, feature: str) -> str | None:
    match = re.search(rf'<p class="suggestion small" id="suggestion-{feature}">(.*?)</p>', html, re.DOTALL)
    return re.sub(r"\s+", " ", match.group(1)) if match else None


def test_the_customers_usual_is_suggested(client, auth, carla):
    auth.signin("carla@example.com", PASSWORD)
    html = client.get("/shop/test-bike").get_data(as_text=True)
    frame = suggestion(html, "frame")
    assert frame is not None
    assert 'name="f.frame" value="carbon"' in frame
    assert "Suggested for you: Carbon" in frame and "(Your usual)" in frame


def test_suggestions_only_among_options_still_possible(client, auth, carla):
    auth.signin("carla@example.com", PASSWORD)
    html = client.post("/shop/test-bike", data={"f.brakes": "rim"}).get_data(as_text=True)
    frame = suggestion(html, "frame")
    # Carbon needs disc brakes: what others chose among the frames still possible.
    assert frame is not None and 'value="alu"' in frame
    assert "Your usual" not in frame
    assert suggestion(html, "brakes") is None  # picked already


def test_clicking_a_suggestion_picks_it(client, auth, carla):
    auth.signin("carla@example.com", PASSWORD)
    html = client.post("/shop/test-bike", data={"f.frame": "carbon"}).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="opt-frame-carbon"[^>]*checked', html)


def test_same_as_last_time_with_a_retired_option_shows_the_repair(client, auth, app):
    with app.app_context():
        user = gen_user(db.session, "stefan@example.com", name="Stefan")
        order = gen_order(db.session, user, STEEL_BIKE)
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")  # the steel frame is retired
        number = order.number
    auth.signin("stefan@example.com", PASSWORD)
    html = client.get("/shop/test-bike").get_data(as_text=True)
    link = f"/shop/test-bike?order={number}"
    assert f'href="{link}"' in html and "Same as last time" in html
    again = client.get(link).get_data(as_text=True)
    assert "no longer offered" in again
    assert "repaired to fit today" in again
    assert re.search(r'<input[^>]*id="opt-frame-alu"[^>]*checked', again)  # the cheapest repair


def test_same_as_last_time_from_a_saved_configuration(client, auth, anna):
    auth.signin("anna@example.com", PASSWORD)
    html = client.get("/shop/test-bike").get_data(as_text=True)
    assert "Same as last time" in html  # Anna's newest is her order (placed after her save)


def test_guests_get_no_same_as_last_time_but_suggestions(client, carla):
    html = client.get("/shop/test-bike").get_data(as_text=True)
    assert "Same as last time" not in html
    # Nothing picked: nothing but popularity could speak, and that is no reason (issue 14, 7).
    assert "Suggested for you" not in html
    html = client.post("/shop/test-bike", data={"f.brakes": "rim"}).get_data(as_text=True)
    frame = suggestion(html, "frame")
    assert frame is not None and "(Most chosen with Brakes: Rim brakes)" in frame
    assert "Your usual" not in html


def test_a_pick_in_an_unrelated_feature_suggests_nothing(client, carla):
    # Billing shares no rule with frame or brakes: no "Most chosen with Billing: ..." there.
    html = client.post("/shop/test-bike", data={"f.billing": "prepay"}).get_data(as_text=True)
    assert suggestion(html, "frame") is None and suggestion(html, "brakes") is None
    assert "Most chosen with Billing" not in html


def test_a_htmx_pick_sends_the_changed_suggestions(client, auth, carla):
    auth.signin("carla@example.com", PASSWORD)
    headers = {"HX-Request": "true", "HX-Target": "configurator"}
    response = client.post("/shop/test-bike", data={"f.frame": "alu"}, headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The frame is picked: its suggestion goes; the next open features get theirs.
    assert 'id="suggestion-frame"' not in html
    assert 'id="suggestion-brakes"' in html


def test_one_suggestion_per_feature_replaces_the_catalog_default(client, auth, carla):
    """The catalog suggests alu; Carla's usual is carbon: the page must not suggest both."""
    auth.signin("carla@example.com", PASSWORD)
    html = client.get("/shop/test-bike").get_data(as_text=True)
    alu = re.search(r'<label for="opt-frame-alu">(.*?)</label>', html, re.DOTALL).group(1)
    carbon = re.search(r'<label for="opt-frame-carbon">(.*?)</label>', html, re.DOTALL).group(1)
    assert "badge" not in alu
    assert "You chose this before" in carbon
    # One badge, one word for every kind of suggestion; the reason is its tooltip.
    assert '<span class="badge usual" title="You chose this before">Suggested' in carbon
    assert "Suggested for you</span>" not in html


def test_without_a_personal_suggestion_the_catalog_default_stays(client):
    html = client.get("/shop/test-bike").get_data(as_text=True)
    assert suggestion(html, "frame") is None  # nobody has any history yet
    alu = re.search(r'<label for="opt-frame-alu">(.*?)</label>', html, re.DOTALL).group(1)
    assert '<span class="badge" title="Our usual pick for this">Suggested' in alu


def test_a_first_configuration_is_no_earlier_choice_of_its_own(client, auth, app):
    # Issue 14, item 7: "You chose this before" on the options of the customer's first
    # configuration came from that very configuration.
    with app.app_context():
        from tests.helpers import gen_configuration

        user = gen_user(db.session, "first@example.com", name="First")
        first = gen_configuration(db.session, user, COMPLETE_BIKE, name="First bike").id
    auth.signin("first@example.com", PASSWORD)
    html = client.get(f"/account/configurations/{first}").get_data(as_text=True)
    assert 'class="badge usual"' not in html and "You chose this before" not in html
    # A second configuration: the first one is an earlier choice now.
    with app.app_context():
        from tests.helpers import gen_configuration

        owner = db.session.get(type(user), user.id)
        second = gen_configuration(db.session, owner, COMPLETE_BIKE, name="Second bike").id
    html = client.get(f"/account/configurations/{second}").get_data(as_text=True)
    assert 'class="badge usual"' in html


def test_options_are_in_the_same_order_on_the_shop_and_the_saved_page(client, auth, app):
    # Issue 14, item 12: usual options came first on one page and not on the other.
    with app.app_context():
        from tests.helpers import gen_configuration

        user = gen_user(db.session, "order@example.com", name="Order")
        gen_order(db.session, user, STEEL_BIKE)
        saved = gen_configuration(db.session, user, COMPLETE_BIKE, name="Alu").id
    auth.signin("order@example.com", PASSWORD)

    def frame_order(html: str) -> list[str]:
        return re.findall(r'id="opt-frame-(\w+)"', html)

    shop = frame_order(client.get("/shop/test-bike").get_data(as_text=True))
    account = frame_order(client.get(f"/account/configurations/{saved}").get_data(as_text=True))
    assert shop == account == ["alu", "carbon", "steel"]


def test_a_retired_option_reads_no_longer_offered_under_a_finished_heading(client, auth, app):
    # Issue 14, item 12: "no longer fits: no longer offered" and a heading that
    # stopped at "The catalog has changed since".
    with app.app_context():
        user = gen_user(db.session, "retired@example.com", name="Retired")
        number = gen_order(db.session, user, STEEL_BIKE).number
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")  # the steel frame is retired
    auth.signin("retired@example.com", PASSWORD)
    html = client.get(f"/shop/test-bike?order={number}").get_data(as_text=True)
    assert "The catalog has changed since then: some choices no longer fit" in html
    assert "no longer offered" in html and "no longer fits: no longer offered" not in html


TRANSLATED_BIKE = (DATA / "bike.yaml").read_text() + """
translations:
  vi:
    features:
      frame: {name: Khung, options: {alu: Nhôm, carbon: Các-bon, steel: Thép}}
      brakes: {name: Phanh, options: {rim: Phanh vành, disc_hydraulic: Phanh đĩa thủy lực}}
"""


def test_the_suggestion_and_its_reason_are_in_the_page_language(client, auth, app):
    """On a Vietnamese page the option suggested and why were the catalog's English
    ("Suggested for you: Carbon (Your usual)", "Most chosen with Brakes: Rim brakes")."""
    with app.app_context():
        catalogs.load_text(db.session, TRANSLATED_BIKE, "bike-vi.yaml")
        user = gen_user(db.session, "carla@example.com", name="Carla")
        for _ in range(2):
            gen_order(db.session, user, CARBON_BIKE)
        gen_order(db.session, gen_user(db.session), COMPLETE_BIKE)
        db.session.commit()
    vietnamese = {"Accept-Language": "vi"}
    auth.signin("carla@example.com", PASSWORD)
    html = client.get("/shop/test-bike", headers=vietnamese).get_data(as_text=True)
    frame = suggestion(html, "frame")
    assert frame is not None and "Các-bon" in frame and "Carbon" not in frame
    assert "(Lựa chọn quen thuộc của bạn)" in frame and "Your usual" not in frame
    auth.signout()
    guest = client.post("/shop/test-bike", data={"f.brakes": "rim"}, headers=vietnamese)
    frame = suggestion(guest.get_data(as_text=True), "frame")
    assert frame is not None and "(Được chọn nhiều nhất cùng Phanh: Phanh vành)" in frame
