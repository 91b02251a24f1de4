"""The picture of the configured product in the shop: served as one strict SVG,
beside the configurator, changed by a pick's htmx response, and on saved
configurations and orders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from configurator.services import catalogs, orders
from configurator.services.configuring import configurations
from configurator.web.database import db
from tests.helpers import gen_user

CITY_BIKE = Path(__file__).parents[2] / "catalog" / "city-bike.yaml"
HTMX_PICK = {"HX-Request": "true", "HX-Target": "configurator", "HX-Trigger": "configurator"}
PICTURE = re.compile(r'<figure class="picture[^"]*" id="picture">\s*<img src="([^"]+)"[^>]*alt="([^"]*)"')


@pytest.fixture
def city_bike(app):
    """The demo city bike, whose options carry images."""
    with app.app_context():
        return {"number": catalogs.load_file(db.session, CITY_BIKE).version.number}


def picture_of(html: str) -> tuple[str, str]:
    """(src, alt) of the configurator's picture."""
    found = PICTURE.search(html)
    assert found, "no picture on the page"
    return found.group(1).replace("&amp;", "&"), found.group(2)


def test_the_picture_is_one_svg_with_a_strict_content_type(client, city_bike):
    url = f"/shop/city-bike/picture/{city_bike['number']}.svg?f.frame=carbon_sport&f.accessories=bell"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    svg = response.get_data(as_text=True)
    assert 'data-option="carbon_sport"' in svg and 'data-option="bell"' in svg
    assert "<script" not in svg


def test_unknown_picks_and_versions_are_no_error(client, city_bike):
    response = client.get(f"/shop/city-bike/picture/{city_bike['number']}.svg?f.frame=nope&f.zzz=1")
    assert response.status_code == 200 and "data-option" not in response.get_data(as_text=True)
    assert client.get("/shop/city-bike/picture/999.svg").status_code == 404
    assert client.get(f"/shop/city-bike/picture/{2**40}.svg").status_code == 404
    assert client.get("/shop/no-such-line/picture/1.svg").status_code == 404


def test_the_configurator_shows_the_picture_and_a_pick_changes_it(client, city_bike):
    page = client.get("/shop/city-bike").get_data(as_text=True)
    before, alt = picture_of(page)
    assert before.startswith(f"/shop/city-bike/picture/{city_bike['number']}.svg")
    assert "nothing picked yet" in alt
    response = client.post("/shop/city-bike", data={"f.frame": "carbon_sport"}, headers=HTMX_PICK)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    after, alt = picture_of(fragment)  # in the summary, which the pick swaps out of band
    assert 'id="summary" aria-label="Price and status" hx-swap-oob="true"' in fragment
    assert after != before and "f.frame=carbon_sport" in after
    assert "Carbon sport" in alt
    assert 'data-option="carbon_sport"' in client.get(after).get_data(as_text=True)


def test_a_catalog_without_images_shows_no_picture(client):
    assert 'id="picture"' not in client.get("/shop/test-bike").get_data(as_text=True)


def test_saved_configurations_and_orders_show_their_picture(client, auth, app, city_bike):
    with app.app_context():
        owner = gen_user(db.session, "anna@example.com", name="Anna")
        version = catalogs.current(db.session, "city-bike")
        picks = dict(catalogs.engine_catalog(version).complete({}, customer=owner.facts()).selections)
        saved = configurations.create(db.session, owner, "city-bike", "Mine", picks)
        order = orders.place(db.session, owner, saved.id)
        saved_id, number = saved.id, order.number
    auth.signin()
    frame = picks["frame"]
    src, _alt = picture_of(client.get(f"/account/configurations/{saved_id}").get_data(as_text=True))
    assert f"f.frame={frame}" in src
    src, alt = picture_of(client.get(f"/account/orders/{number}").get_data(as_text=True))
    assert f"f.frame={frame}" in src and alt.startswith("Picture of the order")
    assert client.get(src).status_code == 200


def test_the_pdf_renderer_composes_pictures_in_process_and_nothing_else(app, city_bike):
    from configurator.web.pdf import BASE_URL, StaticFiles

    fetcher = StaticFiles(app.static_folder)
    with app.test_request_context():
        url = f"{BASE_URL}shop/city-bike/picture/{city_bike['number']}.svg?f.frame=carbon_sport"
        answer = fetcher.fetch(url)
        assert answer.headers["Content-Type"] == "image/svg+xml"
        assert b'data-option="carbon_sport"' in answer.read()
        with pytest.raises(ValueError):
            fetcher.fetch(f"{BASE_URL}shop/city-bike/picture/999.svg")
        with pytest.raises(ValueError):
            fetcher.fetch(f"https://elsewhere.example/shop/city-bike/picture/{city_bike['number']}.svg")


def test_a_pdf_with_a_picture_draws_it(app, city_bike):
    from configurator.web.pdf import html_to_pdf

    url = f"/shop/city-bike/picture/{city_bike['number']}.svg?f.frame=carbon_sport&f.size=m"
    with app.test_request_context():
        blank = html_to_pdf("<p>Line</p>")
        drawn = html_to_pdf(f'<p>Line</p><img src="{url}" width="400" height="300" alt="">')
    assert drawn.startswith(b"%PDF") and len(drawn) > len(blank) + 500
