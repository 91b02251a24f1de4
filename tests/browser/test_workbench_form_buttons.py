"""The form editor's add and remove buttons in a real browser: a catalog manager
adds a feature and an option, gives the option a yes/no attribute and ticks it,
then removes the option and the feature; the YAML beside the form and the live
check follow each step, and a feature a rule still uses is not removed."""

import re

import pytest
from playwright.sync_api import expect

from configurator.services.workbench import drafts
from configurator.web.database import db
from tests.browser.waits import htmx_answer, settled
from tests.services.held_checks import warm_checks
from tests.services.quote_factories import gen_staff
from tests.services.workbench_factories import BIKE_TEXT

pytestmark = pytest.mark.browser

FORM_URL = "/staff/catalogs/test-bike/draft/form"


@pytest.fixture
def catalog_manager(app):
    warm_checks()  # the check workers started: the first page would wait for them longer than a navigation may
    with app.app_context():
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")


def sign_in(page, email):
    page.goto("/auth/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def stored_text(app) -> str | None:
    with app.app_context():
        draft = drafts.find(db.session, "test-bike")
        return draft.source_text if draft else None


def test_add_and_remove_a_feature_and_an_option_with_the_buttons(page, catalog_manager, app):
    sign_in(page, "catalogs@shop.example")
    page.goto(FORM_URL)
    yaml_view = page.locator("#form-yaml")

    # A feature: id, name, dimension, choose and its first option.
    adding = page.locator("#add-feature")
    adding.get_by_label("New feature id").fill("saddle")
    adding.get_by_label("Name").fill("Saddle")
    adding.get_by_label("Dimension").select_option("product")
    adding.get_by_label("Choose").fill("optional")
    adding.get_by_label("First option id").fill("comfort")
    adding.get_by_role("button", name="Add a feature").click()
    saddle = page.locator("#feature-saddle")
    expect(saddle).to_be_visible()
    expect(saddle.get_by_label("Price of saddle=comfort", exact=True)).to_have_value("0.00")
    expect(yaml_view).to_have_value(re.compile(r"- id: saddle\n    name: Saddle\n.*\{id: comfort, name: comfort, "
                                               r"price: 0\.00\}", re.S))
    expect(page.locator("#draft-usable")).to_be_visible()

    # An option of that feature.
    saddle.get_by_label("New option id").fill("racing")
    saddle.get_by_role("button", name="Add option to saddle").click()
    racing = page.locator("#option-saddle-racing")
    expect(racing).to_be_visible()
    expect(yaml_view).to_have_value(re.compile(r"\{id: racing, name: racing, price: 0\.00\}"))

    # A yes/no attribute of the new option, added off and then ticked (saved as the box changes).
    racing.get_by_label("New attribute of saddle=racing", exact=True).fill("waterproof")
    racing.get_by_label("Type of the new attribute of saddle=racing").select_option("boolean")
    racing.get_by_role("button", name="Add attribute").click()
    settled(page)
    box = page.get_by_label("Attribute waterproof of saddle=racing")
    expect(box).not_to_be_checked()
    expect(yaml_view).to_have_value(re.compile(r"\{id: racing, name: racing, price: 0\.00, "
                                               r"attributes: \{waterproof: false\}\}"))
    with htmx_answer(page):
        box.check()
    expect(page.locator("#status-attribute-saddle-racing-waterproof")).to_contain_text("Saved")
    expect(yaml_view).to_have_value(re.compile(r"attributes: \{waterproof: true\}\}"))

    # Remove the option (the button of its own row), then the feature.
    page.locator("#option-saddle-racing").get_by_role("button", name="Remove", exact=True).click()
    expect(page.locator("#option-saddle-racing")).to_have_count(0)
    expect(yaml_view).not_to_have_value(re.compile("racing"))
    page.locator("#feature-saddle").get_by_role("button", name="Remove feature saddle").click()
    expect(page.locator("#feature-saddle")).to_have_count(0)
    expect(yaml_view).not_to_have_value(re.compile("saddle"))
    expect(page.locator("#draft-usable")).to_be_visible()
    assert stored_text(app) == BIKE_TEXT  # added, then removed: the text as it was


def test_a_feature_a_rule_uses_stays_and_the_rule_is_named(page, catalog_manager, app):
    sign_in(page, "catalogs@shop.example")
    page.goto(FORM_URL)
    page.locator("#feature-brakes").get_by_role("button", name="Remove feature brakes").click()
    expect(page.locator("#messages")).to_contain_text("Feature 'brakes' is still used by rule carbon-needs-disc")
    expect(page.locator("#feature-brakes")).to_be_visible()
    assert stored_text(app) is None
