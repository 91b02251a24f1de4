"""The account's lists page by page (newer/older links), renaming a saved
configuration, and who may do either."""

import collections
import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from configurator.services import orders, timeline
from configurator.services.configuring import configurations
from configurator.store.models import Configuration, Interaction, User
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, STEEL_BIKE

START = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
OLDER = re.compile(r'<a rel="next" href="([^"]+)">Older')
NEWER = re.compile(r'<a rel="prev" href="([^"]+)"><span class="mirror" aria-hidden="true">&larr;</span> Newer')


def link(pattern, page):
    found = pattern.search(page)
    return html.unescape(found.group(1)) if found else None


def walk(client, url, row_pattern):
    """Follow the Older links from `url`; the rows of each page."""
    pages = []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(re.findall(row_pattern, page))
        url = link(OLDER, page)
        assert len(pages) < 20
    return pages


@pytest.fixture
def many(app, anna):
    """Anna with 25 more configurations (4 sharing each second), 21 orders in
    all, and a configuration with 22 revisions."""
    with app.app_context():
        owner = db.session.get(User, anna["id"])
        made = [
            configurations.create(
                db.session,
                owner,
                "test-bike",
                f"Bike {i:02d}",
                COMPLETE_BIKE,
                now=START + timedelta(seconds=i // 4),
            )
            for i in range(25)
        ]
        for configuration in made[:20]:
            orders.place(db.session, owner, configuration.id)
        revised = made[-1]
        for base in range(1, 22):
            configurations.revise(
                db.session, owner, revised.id, base, STEEL_BIKE if base % 2 else COMPLETE_BIKE
            )
        return {"revised": revised.id}


def test_my_configurations_page_through_every_row_once(client, auth, anna, many):
    auth.signin()
    pages = walk(client, "/account/configurations", r'/account/configurations/\d+">([^<]+)</a>')
    names = [html.unescape(name) for page in pages for name in page]
    assert [len(page) for page in pages] == [20, 7]
    expected = [f"Bike {i:02d}" for i in range(25)] + ["Anna's bike", "My bike"]  # gen_order's
    assert sorted(names) == sorted(expected)
    assert names[0] == "Bike 24"  # the one with 22 revisions was changed last


def test_the_newer_link_goes_back(client, auth, anna, many):
    auth.signin()
    first = client.get("/account/configurations").get_data(as_text=True)
    assert link(NEWER, first) is None and "Newest" not in first
    second = client.get(link(OLDER, first)).get_data(as_text=True)
    again = client.get(link(NEWER, second)).get_data(as_text=True)
    row = r'/account/configurations/\d+">([^<]+)</a>'
    assert re.findall(row, again) == re.findall(row, first)


def test_my_orders_page(client, auth, anna, many):
    auth.signin()
    pages = walk(client, "/account/orders", r'/account/orders/([A-Z0-9-]+)">')
    numbers = [number for page in pages for number in page]
    assert [len(page) for page in pages] == [20, 1]
    assert len(set(numbers)) == 21 and anna["order"] in numbers


def test_timeline_pages(client, auth, anna, many, app):
    auth.signin()
    pages = walk(client, "/account/timeline", r'<li class="event kind-(\w+)">')
    kinds = [kind for page in pages for kind in page]
    with app.app_context():
        stored = db.session.scalar(
            sa.select(sa.func.count()).where(Interaction.customer_id == anna["id"])
        )
    assert len(kinds) == stored
    assert [len(page) for page in pages[:-1]] == [20] * (len(pages) - 1)
    assert 0 < len(pages[-1]) <= 20
    counts = collections.Counter(kinds)
    assert (counts["saved"], counts["changed"], counts["ordered"]) == (27, 21, 21)
    assert kinds[-4:] == ["saved"] * 4  # Bike 00-03, saved in the same, oldest second


def test_the_revision_list_pages_and_offers_what_changed(client, auth, anna, many):
    auth.signin()
    url = f"/account/configurations/{many['revised']}"
    page = client.get(url).get_data(as_text=True)
    first = [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", page)]
    assert first == list(range(22, 2, -1))
    assert "diff?a=21&amp;b=22" in page  # "What changed" for each revision
    assert 'type="number"' in page and 'max="22"' in page
    older = link(OLDER, page)
    assert older.startswith(f"{url}?revisions=")
    rest = client.get(older).get_data(as_text=True)
    assert [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", rest)] == [2, 1]


@pytest.mark.parametrize(
    "path",
    [
        "/account/configurations?cursor=garbage",
        "/account/orders?cursor=garbage",
        "/account/timeline?cursor=eyJ4Ijox",
        "/account/configurations/{configuration}?revisions=garbage",
    ],
)
def test_a_broken_page_link_gets_a_clear_400(client, auth, anna, path):
    auth.signin()
    response = client.get(path.format(**anna))
    assert response.status_code == 400
    assert "This page link is not valid any more" in response.get_data(as_text=True)


# -------------------------------------------------------------------- rename


def stored_name(app, configuration_id):
    with app.app_context():
        return db.session.get(Configuration, configuration_id).name


def test_rename_through_the_form(client, auth, anna, app):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/rename"
    form = client.get(url).get_data(as_text=True)
    assert 'name="csrf_token"' in form and 'value="Anna&#39;s bike"' in form

    response = client.post(url, data={"name": "  Weekend   bike "})

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Renamed to" in page and "<h1>Weekend bike</h1>" in page
    assert "revision 1 saved" in page  # still one revision
    assert "Renamed a configuration</strong>: Anna&#39;s bike → Weekend bike" in client.get(
        "/account/timeline"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Give the configuration a name."),
        ("z" * 121, "A name can have at most 120 characters; this one has 121."),
    ],
)
def test_a_bad_name_shows_the_form_again_with_why(client, auth, anna, app, name, message):
    auth.signin()
    response = client.post(
        f"/account/configurations/{anna['configuration']}/rename", data={"name": name}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body and 'class="field-error"' in body
    assert stored_name(app, anna["configuration"]) == "Anna's bike"


def test_another_customer_cannot_rename_or_see_the_form(client, auth, anna, mallory, app):
    auth.signin("mallory@example.com")
    url = f"/account/configurations/{anna['configuration']}/rename"
    assert client.get(url).status_code == 404
    response = client.post(url, data={"name": "Mine"})
    assert response.status_code == 404 and "Anna" not in response.get_data(as_text=True)
    assert stored_name(app, anna["configuration"]) == "Anna's bike"


def test_a_guest_is_sent_to_sign_in(client, anna):
    url = f"/account/configurations/{anna['configuration']}/rename"
    for response in (client.get(url), client.post(url, data={"name": "Mine"})):
        assert response.status_code == 302 and "/auth/signin" in response.headers["Location"]


def test_rename_without_the_csrf_token_changes_nothing(raw_client, anna, app):
    raw_client.post("/auth/signin", data={"email": "anna@example.com", "password": "password123"})
    response = raw_client.post(
        f"/account/configurations/{anna['configuration']}/rename", data={"name": "Forged"}
    )
    assert response.status_code == 400
    assert stored_name(app, anna["configuration"]) == "Anna's bike"
    with app.app_context():
        owner = db.session.get(User, anna["id"])
        kinds = [e.kind for e in timeline.page_for(db.session, owner, owner.id).items]
    assert "renamed" not in kinds
