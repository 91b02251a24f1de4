"""The catalog workbench in Persian: version numbers, draft and release times in Persian
digits and the Jalali calendar (the Gregorian time on hover)."""

import re

from configurator.web.database import db
from tests.services.quote_factories import gen_staff

LATIN_DATE = re.compile(r"\b20\d\d-\d\d-\d\d \d\d:\d\d\b")


def visible(page: str) -> str:
    """The page's text without tags and attribute values (the Gregorian title on hover)."""
    return re.sub(r"<[^>]+>", " ", page)


def test_workbench_times_and_numbers_are_persian(app, client, auth):
    from tests.services.workbench_factories import DRAFT_TEXT

    with app.app_context():
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")
    client.get("/language/fa")
    auth.signin("catalogs@shop.example")
    client.post("/staff/catalogs/test-bike/draft", data={"text": DRAFT_TEXT})
    for path in ("/staff/catalogs", "/staff/catalogs/test-bike/draft",
                 "/staff/catalogs/test-bike/release"):
        page = client.get(path).get_data(as_text=True)
        text = visible(page)
        assert not LATIN_DATE.search(text), path
        assert re.search(r"۱۴۰[۵-۹]/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}", text), path
        assert re.search(r'title="20\d\d-\d\d-\d\d \d\d:\d\d', page), path
    catalogs = client.get("/staff/catalogs").get_data(as_text=True)
    assert "<td>۱</td>" in catalogs  # the version in use, in Persian digits
