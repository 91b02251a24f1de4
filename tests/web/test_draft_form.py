"""The form editor of a draft: fields read from the YAML and written back into
it (comments and layout kept), the answer carrying the new YAML and the live
check, a refused value explained beside its field, a rule read as it is typed
with its first problem underlined at its place, tables as editable grids."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from configurator.services import catalogs
from configurator.services.workbench import drafts
from configurator.store.models import User
from configurator.web.database import db
from tests.services.quote_factories import gen_staff
from tests.services.workbench_factories import BIKE_TEXT

FORM_URL = "/staff/catalogs/test-bike/draft/form"
HTMX = {"HX-Request": "true"}
TABLE_TEXT = BIKE_TEXT + (
    "  - id: frame-packaging\n"
    "    table:\n"
    "      features: [frame, packaging]\n"
    "      allow: [[alu, box], [carbon, box], [steel, pallet]]\n"
    "    message: Each frame ships its own way.\n"
)


@pytest.fixture
def people(app):
    with app.app_context():
        gen_staff(db.session, "staff", "staff@shop.example")
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")


@pytest.fixture
def manager_client(client, auth, people):
    auth.signin("catalogs@shop.example")
    return client


def draft_text(app) -> str | None:
    with app.app_context():
        draft = drafts.find(db.session, "test-bike")
        return draft.source_text if draft else None


def save_draft(app, text: str) -> None:
    with app.app_context():
        manager = db.session.scalar(sa.select(User).where(User.email == "catalogs@shop.example"))
        drafts.save(db.session, "test-bike", text, manager)


def test_the_form_shows_features_options_rules_and_the_yaml(manager_client):
    page = manager_client.get(FORM_URL).get_data(as_text=True)
    assert 'id="feature-frame"' in page and 'aria-label="Price of frame=carbon"' in page
    assert 'value="640.00"' in page
    assert 'id="form-yaml"' in page and "catalog: test-bike" in page
    assert 'id="draft-check"' in page and "valid configurations" in page
    assert 'aria-label="Rule carbon-needs-disc: then"' in page
    assert '<span class="tok-feature">brakes</span>' in page


def test_an_option_price_edited_in_the_form_is_written_into_the_yaml(app, manager_client):
    response = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "option", "feature": "frame", "option": "carbon", "field": "price", "value": "700",
    })
    assert response.status_code == 200
    answer = response.get_data(as_text=True)
    assert "Saved" in answer
    assert re.search(r'<textarea id="form-yaml" name="text" hx-swap-oob="true"[^>]*>[^<]*\{id: carbon, name: Carbon, price: 700.00\}',
                     answer)
    assert 'id="draft-check" aria-live="polite" hx-swap-oob="true"' in answer
    text = draft_text(app)
    # Only the price changed: the rest of the text (order, flow style) is as it was.
    assert text == BIKE_TEXT.replace("{id: carbon, name: Carbon, price: 640.00}",
                                     "{id: carbon, name: Carbon, price: 700.00}")
    with app.app_context():
        assert catalogs.current(db.session, "test-bike").number == 1  # the shop keeps version 1


def test_comments_survive_an_edit(app, manager_client):
    commented = BIKE_TEXT.replace("features:\n", "features:\n  # the frame comes first\n", 1)
    save_draft(app, commented)
    manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "option", "feature": "frame", "option": "alu", "field": "name", "value": "Alu",
    })
    text = draft_text(app)
    assert "  # the frame comes first\n" in text and "{id: alu, name: Alu, price: 120.00}" in text


@pytest.mark.parametrize(("field", "value", "written"), [
    ("cost", "55.5", "cost: 55.50"),
    ("image", "/static/carbon.png", "image: /static/carbon.png"),
    ("attributes", "weight_g: 900, colour: black", "attributes: {weight_g: 900, colour: black}"),
    ("name.fa", "کربن", "carbon: کربن"),
])
def test_each_option_field_is_written(app, manager_client, field, value, written):
    response = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "option", "feature": "frame", "option": "carbon", "field": field, "value": value,
    })
    assert response.status_code == 200
    text = draft_text(app)
    assert written in text
    check = drafts.check_text(text, "test-bike")
    assert check.releasable, check.problems


def test_a_bad_price_is_refused_beside_its_field_and_changes_nothing(app, manager_client):
    response = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "option", "feature": "frame", "option": "carbon", "field": "price", "value": "lots",
    })
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True) and "12.50" in response.get_data(as_text=True)
    assert draft_text(app) is None


@pytest.mark.parametrize("data", [
    {"target": "option", "feature": "frame", "option": "titanium", "field": "price", "value": "1"},
    {"target": "feature", "feature": "wheels", "field": "name", "value": "Wheels"},
    {"target": "rule", "index": "99", "field": "then", "value": "frame"},
    {"target": "rule", "index": "0", "field": "require", "value": "frame"},
    {"target": "nonsense", "field": "name", "value": "x"},
    {"target": "feature", "feature": "frame", "field": "choose", "value": "lots"},
    {"target": "feature", "feature": "frame", "field": "add-option", "value": "Bad Id"},
    {"target": "option", "feature": "frame", "option": "alu", "field": "name.english!", "value": "x"},
])
def test_edits_the_draft_cannot_take_are_refused_with_a_reason(app, manager_client, data):
    response = manager_client.post(FORM_URL, headers=HTMX, data=data)
    assert response.status_code == 400
    assert 'class="problem" role="alert"' in response.get_data(as_text=True)
    assert draft_text(app) is None


def test_a_rule_is_read_as_typed_with_the_unknown_option_underlined(manager_client):
    response = manager_client.post(FORM_URL + "/rule", headers=HTMX, data={
        "value": "brakes in [disc_hydraulic, drum]", "field_id": "rule-view-0-then",
    })
    assert response.status_code == 200
    view = response.get_data(as_text=True)
    assert 'id="rule-view-0-then"' in view
    assert '<mark class="rule-error" data-column="28"' in view and ">drum</mark>" in view
    assert "feature &#39;brakes&#39; has no option &#39;drum&#39;" in view
    assert '<span class="tok-option">disc_hydraulic</span>' in view


def test_a_rule_syntax_error_is_underlined_at_its_column(manager_client):
    view = manager_client.post(FORM_URL + "/rule", headers=HTMX, data={
        "value": "frame == carbon brakes == rim", "field_id": "rule-view-0-if",
    }).get_data(as_text=True)
    assert '<mark class="rule-error" data-column="17"' in view and ">brakes</mark>" in view
    assert "column 17: expected" in view
    missing = manager_client.post(FORM_URL + "/rule", headers=HTMX, data={
        "value": "frame ==", "field_id": "<script>",
    }).get_data(as_text=True)
    assert 'class="rule-error rule-missing"' in missing and 'id="rule-view"' in missing


def test_a_rule_saved_from_the_form_shows_in_the_check(app, manager_client):
    response = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "rule", "index": "0", "field": "then", "value": "brakes in [drum]",
    })
    assert response.status_code == 200
    assert "then: brakes in [drum]" in draft_text(app)
    assert 'id="draft-problems"' in response.get_data(as_text=True)


def test_a_table_is_an_editable_grid(app, manager_client):
    save_draft(app, TABLE_TEXT)
    page = manager_client.get(FORM_URL).get_data(as_text=True)
    assert 'id="table-3"' in page and 'aria-label="Row 3, packaging"' in page
    response = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "table", "index": "3", "row": "2", "column": "1", "field": "cell", "value": "box",
    })
    assert response.status_code == 200
    assert "allow: [[alu, box], [carbon, box], [steel, box]]" in draft_text(app)
    refused = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "table", "index": "3", "row": "0", "column": "1", "field": "cell", "value": "crate",
    })
    assert refused.status_code == 400
    added = manager_client.post(FORM_URL, data={"target": "table", "index": "3", "field": "add-row"})
    assert added.status_code == 303
    assert "[steel, box], [steel, box]]" in draft_text(app)
    manager_client.post(FORM_URL, data={"target": "table", "index": "3", "row": "0", "field": "remove-row"})
    assert "allow: [[carbon, box], [steel, box], [steel, box]]" in draft_text(app)


def test_options_are_added_and_removed_with_the_buttons(app, manager_client):
    response = manager_client.post(FORM_URL, data={
        "target": "feature", "feature": "extras", "field": "add-option", "value": "kickstand",
    })
    assert response.status_code == 303
    assert "      - {id: kickstand, name: kickstand, price: 0.00}\n" in draft_text(app)
    manager_client.post(FORM_URL, data={"target": "option", "feature": "extras", "option": "bell",
                                        "field": "remove"})
    assert "id: bell" not in draft_text(app)


def test_sellers_see_the_form_read_only_and_cannot_edit(client, auth, people, app):
    auth.signin("staff@shop.example")
    page = client.get(FORM_URL).get_data(as_text=True)
    assert 'aria-label="Price of frame=carbon"' in page and "readonly" in page
    assert 'hx-post="' + FORM_URL + '"' not in page
    response = client.post(FORM_URL, headers=HTMX, data={
        "target": "option", "feature": "frame", "option": "carbon", "field": "price", "value": "1",
    })
    assert response.status_code == 403
    assert draft_text(app) is None


def test_a_draft_that_is_not_yaml_says_so_in_the_form(app, manager_client):
    save_draft(app, "catalog: test-bike\nfeatures: [\n")
    page = manager_client.get(FORM_URL).get_data(as_text=True)
    assert 'id="form-problem"' in page and "does not parse" in page


def test_a_rule_is_added_empty_shown_as_a_problem_and_removed(app, manager_client):
    response = manager_client.post(FORM_URL, data={"target": "rule", "field": "add", "value": "forbid"})
    assert response.status_code == 303
    text = draft_text(app)
    assert text.endswith("  - id: rule-4\n    forbid: ''\n    message: ''\n")
    check = drafts.check_text(text, "test-bike")
    assert not check.releasable and any("empty" in problem.text for problem in check.problems)
    page = manager_client.get(FORM_URL).get_data(as_text=True)
    assert 'aria-label="Rule rule-4: forbid"' in page and "the rule is empty" in page
    manager_client.post(FORM_URL, data={"target": "rule", "index": "3", "field": "remove"})
    assert draft_text(app) == BIKE_TEXT
    refused = manager_client.post(FORM_URL, headers=HTMX, data={"target": "rule", "field": "add", "value": "maybe"})
    assert refused.status_code == 400


def test_a_feature_is_added_and_removed_with_the_buttons(app, manager_client):
    page = manager_client.get(FORM_URL).get_data(as_text=True)
    assert 'id="add-feature"' in page and '<option value="delivery">delivery</option>' in page
    assert "Remove feature frame" in page
    response = manager_client.post(FORM_URL, data={
        "target": "feature", "field": "add", "feature": "saddle", "value": "Saddle",
        "dimension": "product", "choose": "optional", "option": "comfort",
    })
    assert response.status_code == 303 and response.headers["Location"].endswith("#feature-saddle")
    text = draft_text(app)
    assert text == BIKE_TEXT.replace("constraints:\n", (
        "  - id: saddle\n    name: Saddle\n    dimension: product\n    choose: optional\n"
        "    options:\n      - {id: comfort, name: comfort, price: 0.00}\n"
        "constraints:\n"), 1)
    page = manager_client.get(FORM_URL).get_data(as_text=True)
    assert 'id="feature-saddle"' in page and 'aria-label="Price of saddle=comfort"' in page
    removed = manager_client.post(FORM_URL, data={"target": "feature", "feature": "saddle", "field": "remove"})
    assert removed.status_code == 303
    assert draft_text(app) == BIKE_TEXT


def test_a_feature_a_rule_uses_is_not_removed_and_the_rule_is_named(app, manager_client):
    response = manager_client.post(FORM_URL, data={"target": "feature", "feature": "brakes", "field": "remove"},
                                   follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Feature &#39;brakes&#39; is still used by rule carbon-needs-disc" in page
    assert draft_text(app) is None
    refused = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "feature", "field": "add", "feature": "frame", "value": "Frame again",
    })
    assert refused.status_code == 400 and "already has a feature" in refused.get_data(as_text=True)
    assert draft_text(app) is None


def test_sellers_cannot_add_or_remove_features(client, auth, people, app):
    auth.signin("staff@shop.example")
    page = client.get(FORM_URL).get_data(as_text=True)
    assert 'id="add-feature"' not in page and "Remove feature" not in page
    for data in ({"target": "feature", "field": "add", "feature": "saddle"},
                 {"target": "feature", "field": "remove", "feature": "extras"}):
        assert client.post(FORM_URL, data=data).status_code == 403
    assert draft_text(app) is None


TYPED_TEXT = BIKE_TEXT.replace(
    "{id: carbon, name: Carbon, price: 640.00}",
    "{id: carbon, name: Carbon, price: 640.00, attributes: {weight_g: 950, colour: black, waterproof: true}}")


def test_each_attribute_has_the_input_of_its_type(app, manager_client):
    save_draft(app, TYPED_TEXT)
    page = manager_client.get(FORM_URL).get_data(as_text=True)
    number = re.search(r'<input type="number" name="value" value="950" aria-label="Attribute weight_g of '
                       r'frame=carbon"[^>]*step="any"', page)
    assert number and 'aria-label="Attribute colour of frame=carbon"' in page
    checkbox = re.search(r'<input type="checkbox" name="value" value="true" aria-label="Attribute waterproof of '
                         r'frame=carbon" checked[^>]*hx-target="#status-attribute-frame-carbon-waterproof"', page)
    assert checkbox and 'id="status-attribute-frame-carbon-waterproof"' in page


def test_an_unchecked_box_writes_false_and_a_bad_number_is_refused_at_its_field(app, manager_client):
    save_draft(app, TYPED_TEXT)
    unchecked = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "option", "feature": "frame", "option": "carbon", "field": "attribute.waterproof"})
    assert unchecked.status_code == 200 and "waterproof: false}" in draft_text(app)
    refused = manager_client.post(FORM_URL, headers=HTMX, data={
        "target": "option", "feature": "frame", "option": "carbon", "field": "attribute.weight_g", "value": "heavy"})
    assert refused.status_code == 400
    answer = refused.get_data(as_text=True)
    assert 'role="alert"' in answer and "is a number, such as 1800 or 2.5" in answer
    assert "weight_g: 950," in draft_text(app)


def test_an_attribute_is_added_with_its_type_by_the_button(app, manager_client):
    response = manager_client.post(FORM_URL, data={
        "target": "option", "feature": "frame", "option": "alu", "field": "add-attribute", "value": "waterproof",
        "kind": "boolean"})
    assert response.status_code == 303
    assert "{id: alu, name: Aluminium, price: 120.00, attributes: {waterproof: false}}" in draft_text(app)


def test_the_live_rule_check_speaks_persian(manager_client):
    persian = dict(HTMX, **{"Accept-Language": "fa"})
    unknown = manager_client.post(FORM_URL + "/rule", headers=persian, data={
        "value": "brakes in [disc_hydraulic, drum]", "field_id": "rule-view-0-then",
    }).get_data(as_text=True)
    assert "ستون ۲۸: ویژگی &#39;brakes&#39; گزینه‌ای به نام &#39;drum&#39; ندارد" in unknown
    assert "has no option" not in unknown and "column" not in unknown.replace("data-column", "")
    empty = manager_client.post(FORM_URL + "/rule", headers=persian, data={
        "value": "   ", "field_id": "rule-view-0-if"}).get_data(as_text=True)
    assert "ستون ۱: قاعده خالی است" in empty and "the rule is empty" not in empty
    broken = manager_client.post(FORM_URL + "/rule", headers=persian, data={
        "value": "frame == ", "field_id": "rule-view-0-if"}).get_data(as_text=True)
    assert ("ستون ۹: پس از &#39;==&#39; انتظار شناسهٔ یک گزینه می\u200cرفت، ولی پایان قاعده آمده"
            in broken)
    assert "expected" not in broken and "end of the rule" not in broken
    alternatives = manager_client.post(FORM_URL + "/rule", headers=dict(HTMX, **{
        "Accept-Language": "vi"}), data={"value": "frame == steel brakes",
                                         "field_id": "rule-view-0-if"}).get_data(as_text=True)
    assert "cột 16: sau &#39;steel&#39; cần có" in alternatives and " hoặc " in alternatives
    assert "expected" not in alternatives

