"""My configurations, revisions and diffs, orders, reorder, timeline."""

import re

import sqlalchemy as sa

from configurator.services import catalogs
from configurator.store import Revision, session_factory
from configurator.web.database import db
from tests.conftest import DATA
from tests.helpers import CARBON_BIKE, STEEL_BIKE

HTMX = {"HX-Request": "true"}
# The checkout's form: a new address in Vienna, the terms accepted.
ORDER_FORM = {"address": "new", "name": "Anna", "street": "Weg 1", "postcode": "1010",
              "city": "Wien", "country": "at", "terms": "y"}


def picks(selection, **extra):
    data = {f"f.{key}": value for key, value in selection.items()}
    data.update(extra)
    return data


def test_lists(client, auth, anna):
    auth.signin()
    assert "Anna&#39;s bike" in client.get("/account/configurations").get_data(as_text=True)
    assert anna["order"] in client.get("/account/orders").get_data(as_text=True)


def test_save_a_new_revision_and_compare(client, auth, anna):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}"
    response = client.post(f"{url}/save", data=picks(CARBON_BIKE, base_revision=1))
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Saved as revision 2." in page and "Save as revision 3" in page
    diff = client.get(f"{url}/diff?a=1&b=2", headers=HTMX).get_data(as_text=True)
    assert "Aluminium" in diff and "Carbon" in diff and "+640.00" in diff


def test_two_tabs_the_second_save_is_refused_and_nothing_is_lost(client, auth, anna):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/save"
    assert client.post(url, data=picks(STEEL_BIKE, base_revision=1)).status_code == 303  # tab A
    response = client.post(url, data=picks(CARBON_BIKE, base_revision=1), headers=HTMX)  # tab B
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Revision 2 was saved meanwhile" in body
    assert 'value="carbon" checked' in body  # tab B's picks are still on the page
    assert 'name="base_revision" value="2"' in body
    assert client.post(url, data=picks(CARBON_BIKE, base_revision=2)).status_code == 303
    page = client.get(f"/account/configurations/{anna['configuration']}").get_data(as_text=True)
    assert "Saved as revision 3." in page


def test_order_from_the_configurator_goes_through_the_review(client, auth, anna):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/order"
    response = client.post(url, data=picks(CARBON_BIKE, base_revision=1), headers=HTMX)
    location = response.headers["HX-Redirect"]
    assert location.endswith(f"/account/configurations/{anna['configuration']}/checkout")
    review = client.get(location).get_data(as_text=True)
    assert "Review your order" in review and "Carbon" in review and "825.00" in review
    assert "revision 2" in review  # the unsaved picks were saved for the review
    placed = client.post(location, data=dict(ORDER_FORM, revision="2"))
    assert placed.status_code == 303
    page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "is placed" in page and "Carbon" in page and "825.00" in page
    assert "VAT 20%" in page and "687.50" in page and "1010 Wien" in page


def test_an_incomplete_configuration_cannot_be_ordered(client, auth, anna):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/order"
    response = client.post(url, data=picks({"frame": "alu"}, base_revision=1), headers=HTMX)
    assert response.status_code == 409
    assert "Only complete configurations can be ordered" in response.get_data(as_text=True)


def test_a_refused_order_keeps_no_new_revision(client, auth, anna, app):
    """Saving the picks and placing the order are one use case: when the order is
    refused, the picks are not left behind as a revision either."""
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/order"
    response = client.post(url, data=picks({"frame": "steel"}, base_revision=1), headers=HTMX)
    assert response.status_code == 409
    assert 'name="base_revision" value="1"' in response.get_data(as_text=True)
    with session_factory(db.engine_for(app))() as other:
        numbers = other.scalars(
            sa.select(Revision.number).where(Revision.configuration_id == anna["configuration"])
        )
        assert list(numbers) == [1]


def test_reorder_after_a_price_change(client, auth, anna, app):
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")
    auth.signin()
    url = f"/account/orders/{anna['order']}/reorder"
    page = client.get(url).get_data(as_text=True)
    assert "Everything you ordered is still available" in page and "185.00" in page
    response = client.post(url)
    assert response.status_code == 303
    assert "is placed" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_reorder_of_a_retired_option_offers_the_repair(client, auth, anna, app):
    auth.signin()
    response = client.post(
        f"/account/configurations/{anna['configuration']}/order",
        data=picks(STEEL_BIKE, base_revision=1),
    )
    response = client.post(response.headers["Location"], data=dict(ORDER_FORM, revision="2"))
    number = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")
    page = client.get(f"/account/orders/{number}/reorder").get_data(as_text=True)
    assert "no longer fits" in page and "Steel" in page
    assert "Review the repaired configuration" in page
    repaired = client.get(f"/shop/test-bike?order={number}").get_data(as_text=True)
    assert "repaired to fit today" in repaired and 'value="alu" checked' in repaired
    refused = client.post(f"/account/orders/{number}/reorder", follow_redirects=True)
    assert "no longer fits" in refused.get_data(as_text=True)


def test_opening_an_outdated_configuration_shows_what_changed(client, auth, anna, app):
    with app.app_context():
        catalogs.load_file(db.session, DATA / "bike-v2.yaml")
    auth.signin()
    page = client.get(f"/account/configurations/{anna['configuration']}").get_data(as_text=True)
    assert "Everything still fits today" in page


def test_timeline(client, auth, anna):
    auth.signin()
    client.get("/shop/test-bike")
    page = client.get("/account/timeline").get_data(as_text=True)
    for label in (
        "Viewed a product line",
        "Saved a configuration",
        "Placed an order",
        "Created an account",
    ):
        assert label in page


def test_timeline_says_each_thing_once_and_groups_repeated_views(client, auth, anna, app):
    from datetime import timedelta

    from configurator.services import timeline
    from configurator.store import User
    from configurator.store.types import utcnow

    with app.app_context():
        user = db.session.get(User, anna["id"])
        for hours in (5, 3, 1):
            timeline.record_view(db.session, user, "test-bike", "Test bike", utcnow() - timedelta(hours=hours))
    auth.signin()
    page = client.get("/account/timeline").get_data(as_text=True)
    assert "Created an account</strong>:" not in page and "Created an account</strong>" in page
    assert page.count("Viewed a product line</strong>") == 1 and "(3 times, the latest shown)" in page


def test_after_a_conflict_the_header_says_the_picks_are_not_saved(client, auth, anna):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/save"
    client.post(url, data=picks(STEEL_BIKE, base_revision=1))  # tab A
    fragment = client.post(url, data=picks(CARBON_BIKE, base_revision=1), headers=HTMX)  # tab B
    body = fragment.get_data(as_text=True)
    assert re.search(r'id="revision-status"[^>]*hx-swap-oob="true"', body)
    assert "Your picks below are not saved." in body and "save your picks as revision 3" in body
    page = client.post(url, data=picks(CARBON_BIKE, base_revision=1)).get_data(as_text=True)  # no JS
    assert page.count('id="revision-status"') == 1 and "Your picks below are not saved." in page
    assert "revision 2 saved" not in page


def test_after_a_conflict_the_newer_revision_is_compared_with_the_unsaved_picks(client, auth, anna):
    # Issue 14, item 11: no way to compare the revision another tab saved with the picks here.
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/save"
    client.post(url, data=picks(STEEL_BIKE, base_revision=1))  # tab A saves revision 2
    body = client.post(url, data=picks(CARBON_BIKE, base_revision=1), headers=HTMX).get_data(as_text=True)
    table = body[body.index('id="conflict-diff"'):body.index("</table>", body.index('id="conflict-diff"'))]
    assert "Revision 2 next to your unsaved picks" in table
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert "Frame Steel Carbon" in rows
    same = client.post(url, data=picks(STEEL_BIKE, base_revision=1), headers=HTMX).get_data(as_text=True)
    assert "Your unsaved picks are the same as revision 2." in same
