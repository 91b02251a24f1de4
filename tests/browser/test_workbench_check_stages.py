"""The live check in stages in a real browser: a catalog manager adds a rule in the
YAML editor, the findings it causes (a dead option) show at once with "counting…",
and the count follows by itself when the full check is done. The full check is held
in its worker until the test lets it go, as a big catalog's count would take seconds."""

import re

import pytest
from playwright.sync_api import expect

from configurator.services.workbench import background_check
from configurator.web.database import db
from tests.browser.waits import htmx_answer
from tests.services.held_checks import count_held_check, warm_checks
from tests.services.quote_factories import gen_staff
from tests.services.workbench_factories import BIKE_TEXT

pytestmark = pytest.mark.browser
SLOW = 30_000  # ms: a loaded machine


@pytest.fixture
def catalog_manager(app):
    warm_checks()
    with app.app_context():
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")


def test_the_findings_show_first_and_the_count_follows(page, catalog_manager, app, tmp_path):
    page.goto("/auth/signin")
    page.get_by_label("Email").fill("catalogs@shop.example")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    page.goto("/staff/catalogs/test-bike/draft")
    expect(page.locator("#draft-count")).to_contain_text("valid configurations")

    go = tmp_path / "count"
    answers = app.extensions["draft_checks"].answers
    app.extensions["draft_checks"] = background_check.DraftChecks(
        answers, background_check.pool, count_held_check, str(go), 120)
    app.config["DRAFT_CHECK_WAIT"] = 0.8
    with htmx_answer(page):
        page.locator("#draft-text").fill(BIKE_TEXT.replace(
            "  - id: courier-no-pallet", "  - id: no-steel\n    forbid: frame == steel\n  - id: courier-no-pallet"))
    expect(page.locator("#draft-counting")).to_contain_text("Counting", timeout=SLOW)
    expect(page.locator("#draft-findings")).to_contain_text("dead option frame=steel")
    expect(page.locator("#draft-count")).to_have_count(0)  # no count of an older text shown as this one's

    go.touch()  # the count is done: the panel, asking by itself, shows it
    expect(page.locator("#draft-count")).to_contain_text("valid configurations", timeout=SLOW)
    expect(page.locator("#draft-counting")).to_have_count(0)
    expect(page.locator("#draft-findings")).to_contain_text("dead option frame=steel")
