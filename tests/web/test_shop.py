"""The shop: product lines and the configurator, as page and as htmx fragment."""

import re

from configurator.config import REPO_ROOT
from configurator.services import catalogs
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE

HTMX = {"HX-Request": "true"}


def picks(selection):
    return {f"f.{key}": value for key, value in selection.items()}


def test_index_lists_product_lines(client):
    page = client.get("/shop/").get_data(as_text=True)
    assert "Test bike" in page and "/shop/test-bike" in page


def test_the_catalog_description_is_shown(client, app):
    with app.app_context():
        catalogs.load_file(db.session, REPO_ROOT / "catalog" / "coffee-subscription.yaml")
    text = "Freshly roasted coffee to your taste"
    assert text in client.get("/shop/").get_data(as_text=True)
    assert text in client.get("/shop/coffee-subscription").get_data(as_text=True)


def test_configurator_page_groups_by_dimension(client):
    page = client.get("/shop/test-bike").get_data(as_text=True)
    for heading in ("Product", "Packaging", "Delivery", "Billing"):
        assert f">{heading}</h2>" in page
    assert "htmx.min.js" in page and "X-CSRFToken" in page


def test_unknown_product_line_is_a_404(client):
    response = client.get("/shop/spaceship")
    assert response.status_code == 404 and "spaceship" in response.get_data(as_text=True)


def test_an_htmx_pick_returns_only_the_fragment(client):
    response = client.post(
        "/shop/test-bike", data=picks({"frame": "alu", "brakes": "rim"}), headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith("{#") or body.lstrip().startswith("<form")
    assert "<html" not in body
    assert re.search(r'id="opt-frame-carbon"[^>]*disabled', body)
    assert "Carbon frames only take hydraulic disc brakes." in body
    assert "Switch brakes to Hydraulic disc, +640.00" in body
    assert "150.00 EUR" in body


def test_without_javascript_a_pick_returns_the_full_page(client):
    response = client.post("/shop/test-bike", data=picks({"frame": "alu"}))
    body = response.get_data(as_text=True)
    assert "<html" in body and 'value="alu" checked' in body
    assert "Update price and choices" in body  # the no-JavaScript submit button


def test_repair_button(client):
    data = dict(picks({"frame": "alu", "brakes": "rim"}), action="repair:frame=carbon")
    body = client.post("/shop/test-bike", data=data, headers=HTMX).get_data(as_text=True)
    assert 'value="carbon" checked' in body and 'value="disc_hydraulic" checked' in body
    assert "Switched to Carbon." in body


def test_complete_the_rest_at_the_lowest_price(client):
    body = client.post(
        "/shop/test-bike", data=dict(picks({"frame": "carbon"}), action="complete"), headers=HTMX
    ).get_data(as_text=True)
    assert "Complete: ready to order." in body and "825.00 EUR" in body


def test_tampered_form_gives_a_clear_message(client):
    data = {"f.frame": ["alu", "carbon"], "f.brakes": "drum", "f.warp": "9"}
    response = client.post("/shop/test-bike", data=data, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "Frame takes one option" in body
        and "no option &#39;drum&#39;" in body
        and "&#39;warp&#39;" in body
    )


def test_guest_business_rules_for_signed_in_consumers(client, auth, anna):
    auth.signin()
    body = client.post("/shop/test-bike", data={}, headers=HTMX).get_data(as_text=True)
    assert re.search(r'id="opt-billing-invoice_60"[^>]*disabled', body)
    assert "Not available for your account." in body


def test_save_a_configuration(client, auth, anna):
    auth.signin()
    response = client.post(
        "/shop/test-bike/save", data=dict(picks(COMPLETE_BIKE), name="Weekend"), headers=HTMX
    )
    assert response.headers["HX-Redirect"].startswith("/account/configurations/")
    page = client.get(response.headers["HX-Redirect"]).get_data(as_text=True)
    assert "Weekend" in page and "Saved “Weekend” as revision 1." in page


def test_personal_defaults_are_suggested_not_picked(client, auth, anna):
    auth.signin()
    page = client.get("/shop/test-bike").get_data(as_text=True)
    assert "You chose this before" in page and "nothing is picked for you" in page
    assert "checked" not in page.split('id="opt-frame-alu"')[1].split(">")[0]


def test_a_full_multi_select_explains_itself_and_its_repair(client):
    body = client.post(
        "/shop/test-bike", data=picks({"extras": ["bell", "rack"]}), headers=HTMX
    ).get_data(as_text=True)
    assert "Extras takes at most 2 options." in body
    assert "Pick Lights, also removes Rack, +15.00" in body
    assert 'aria-label="Pick Lights, also removes Rack, +15.00"' in body
    assert "Pick Carbon: Pick" not in body


def test_starting_from_a_configuration_of_another_product_line_says_so(client, auth, anna, app):
    with app.app_context():
        catalogs.load_file(db.session, REPO_ROOT / "catalog" / "standing-desk.yaml")
    auth.signin()
    for query in (f"from={anna['configuration']}", f"order={anna['order']}"):
        page = client.get(f"/shop/standing-desk?{query}").get_data(as_text=True)
        assert "is a test bike, not a standing desk" in page
        assert "still fits" not in page and "unknown option" not in page
