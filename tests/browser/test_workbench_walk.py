"""The catalog workbench in a real browser: a catalog manager edits a price
and a rule in the draft, sees the live error at its line, fixes it, releases
with the impact list in view, and rolls back."""

import re

import pytest
from playwright.sync_api import expect

from configurator.services import catalogs
from configurator.web.database import db
from tests.browser.waits import htmx_answer
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user
from tests.services.held_checks import warm_checks
from tests.services.quote_factories import gen_staff
from tests.services.workbench_factories import BIKE_TEXT, line_of

pytestmark = pytest.mark.browser

PRICED = BIKE_TEXT.replace("{id: carbon, name: Carbon, price: 640.00}",
                           "{id: carbon, name: Carbon, price: 700.00}")
BROKEN_RULE = PRICED.replace("then: brakes in [disc_hydraulic]", "then: brakes in [drum]")
FIXED_RULE = PRICED.replace("then: brakes in [disc_hydraulic]", "then: brakes in [disc_hydraulic, rim]")


@pytest.fixture
def history(app):
    """A catalog manager, and a customer with a saved carbon bike."""
    warm_checks()  # the check workers started: the first page would wait for them longer than a navigation may
    with app.app_context():
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")
        anna = gen_user(db.session, "anna@example.com", name="Anna")
        gen_configuration(db.session, anna, dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic"),
                          name="Anna's carbon bike")


def sign_in(page, email):
    page.goto("/auth/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def test_edit_a_price_and_a_rule_release_and_roll_back(page, history, app):
    sign_in(page, "catalogs@shop.example")
    page.get_by_role("link", name="Catalogs", exact=True).click()
    page.locator("#catalog-test-bike").get_by_role("link", name="Edit").click()
    editor = page.locator("#draft-text")
    expect(editor).to_have_value(re.compile("catalog: test-bike"))

    with htmx_answer(page):
        editor.fill(BROKEN_RULE)
    line = line_of(BROKEN_RULE, "- id: carbon-needs-disc")
    problem = page.locator(f'#draft-problems .finding[data-line="{line}"]')
    expect(problem).to_contain_text(f"Line {line}")
    expect(problem).to_contain_text("drum")

    with htmx_answer(page):
        editor.fill(FIXED_RULE)
    expect(page.locator("#draft-usable")).to_contain_text("valid configurations")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#messages")).to_contain_text("Draft saved")

    page.get_by_role("link", name="Release, diff and history").click()
    expect(page.locator("#release-diff")).to_contain_text("700.00")
    expect(page.locator("#release-diff")).to_contain_text("carbon-needs-disc")
    impact = page.locator("#impact-list")
    expect(impact).to_contain_text("Anna's carbon bike")
    expect(impact).to_contain_text("price changes")
    page.get_by_label("Release note").fill("Carbon costs more; carbon frames may take rim brakes.")
    page.get_by_role("button", name="Release", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("version 2 is released")
    expect(page.locator("#release-log")).to_contain_text("Carbon costs more")

    page.get_by_label(re.compile("Roll back version 2")).fill("Price not yet announced.")
    page.get_by_role("button", name="Roll back").click()
    expect(page.locator("#messages")).to_contain_text("back at version 1")
    expect(page.locator("#versions")).to_contain_text("withdrawn")
    with app.app_context():
        assert catalogs.current(db.session, "test-bike").number == 1
