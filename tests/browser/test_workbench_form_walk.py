"""The form editor of a draft in a real browser: a catalog manager edits an
option's price in the form and sees the YAML beside it and the live check
follow; a typo in a rule is underlined at its place as it is typed, and the
fixed rule is saved into the YAML."""

import re

import pytest
from playwright.sync_api import expect

from configurator.services.workbench import drafts
from configurator.web.database import db
from tests.browser.waits import htmx_answer
from tests.services.held_checks import warm_checks
from tests.services.quote_factories import gen_staff

pytestmark = pytest.mark.browser


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


def test_edit_a_price_and_a_rule_in_the_form(page, catalog_manager, app):
    sign_in(page, "catalogs@shop.example")
    page.goto("/staff/catalogs/test-bike/draft")
    page.get_by_role("link", name="Form editor").click()
    yaml_view = page.locator("#form-yaml")
    expect(yaml_view).to_have_value(re.compile(r"\{id: carbon, name: Carbon, price: 640.00\}"))

    price = page.get_by_label("Price of frame=carbon", exact=True)
    with htmx_answer(page):
        price.fill("700")
        price.press("Tab")
    expect(page.locator("#status-feature-frame")).to_contain_text("Saved")
    expect(yaml_view).to_have_value(re.compile(r"\{id: carbon, name: Carbon, price: 700.00\}"))
    expect(page.locator("#draft-usable")).to_contain_text("valid configurations")

    rule = page.get_by_label("Rule carbon-needs-disc: then")
    with htmx_answer(page):
        rule.fill("brakes in [disc_hydraulic, drum]")
    typo = page.locator("#rule-view-0-then mark.rule-error")
    expect(typo).to_have_text("drum")
    expect(typo).to_have_attribute("data-column", "28")
    expect(page.locator("#rule-view-0-then .rule-problem")).to_contain_text("has no option 'drum'")

    with htmx_answer(page):
        rule.fill("brakes in [disc_hydraulic, rim]")
    expect(page.locator("#rule-view-0-then mark.rule-error")).to_have_count(0)
    with htmx_answer(page):
        rule.press("Tab")  # leaving the field saves it
    expect(page.locator("#status-rule-0")).to_contain_text("Saved")
    expect(yaml_view).to_have_value(re.compile(r"then: brakes in \[disc_hydraulic, rim\]"))
    with app.app_context():
        text = drafts.find(db.session, "test-bike").source_text
    assert "price: 700.00}" in text and "then: brakes in [disc_hydraulic, rim]" in text


def test_a_slow_check_says_checking_and_the_answer_follows(page, catalog_manager, app, tmp_path):
    """The check workers are held by jobs that wait, as big catalogs' checks would hold them."""
    from tests.services.held_checks import checks_held
    from tests.services.workbench_factories import BIKE_TEXT

    sign_in(page, "catalogs@shop.example")
    page.goto("/staff/catalogs/test-bike/draft")
    expect(page.locator("#draft-usable")).to_be_visible()
    app.config["DRAFT_CHECK_WAIT"] = 0.05
    with checks_held(tmp_path):
        with htmx_answer(page):
            page.locator("#draft-text").fill(BIKE_TEXT.replace("then: brakes in [disc_hydraulic]",
                                                               "then: brakes in [drum]"))
        expect(page.locator("#draft-checking")).to_contain_text("Checking")
    # The panel asks again by the text's fingerprint by itself and shows the answer: the rule's problem at its line.
    expect(page.locator("#draft-problems")).to_contain_text("drum", timeout=20_000)
    expect(page.locator("#draft-checking")).to_have_count(0)
