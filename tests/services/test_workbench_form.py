"""The form editor's service: fields read from a draft's YAML and each edit
written back into it by a round trip that keeps comments, key order and flow
style; a refused edit changes nothing; a rule read as typed, its first problem
at its column."""

from __future__ import annotations

import pytest

from configurator.services.workbench import drafts, form
from configurator.services.workbench.rule_text import read_rule
from tests.conftest import DATA
from tests.services.workbench_factories import gen_catalog_manager

OPTIONS = {"frame": ["alu", "carbon"], "brakes": ["rim", "disc"], "extras": ["bell"]}
DEMO_CATALOGS = sorted((DATA.parent.parent / "catalog").glob("*.yaml"))


@pytest.fixture
def manager(session):
    return gen_catalog_manager(session)


def test_a_refused_edit_leaves_no_draft(session, second_session, bike, manager):
    with pytest.raises(form.FormProblem):
        form.save_edit(session, "test-bike", manager, form.Edit("option", "price", "-1", feature="frame",
                                                                 option="carbon"))
    with second_session() as other:
        assert drafts.find(other, "test-bike") is None


@pytest.mark.parametrize("path", DEMO_CATALOGS, ids=lambda p: p.stem)
def test_the_demo_catalogs_round_trip_unchanged(path):
    text = path.read_text(encoding="utf-8")
    assert form.dump(form.load(text)) == text


def test_an_edit_changes_only_its_line_in_a_demo_catalog():
    text = (DEMO_CATALOGS[0]).read_text(encoding="utf-8")
    first = form.read_form(text).features[0]
    edited = form.apply(text, form.Edit("option", "price", "1234.5", feature=first.id, option=first.options[0].id))
    changed = [(a, b) for a, b in zip(text.splitlines(), edited.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and "1234.50" in changed[0][1]


def test_the_form_reads_translations_and_tables():
    text = (DATA.parent.parent / "catalog" / "city-bike.yaml").read_text(encoding="utf-8")
    read = form.read_form(text, ["fa", "vi"])
    frame = read.features[0]
    assert frame.translations["fa"] and frame.options[0].translations["fa"]
    assert frame.options[0].price == "690.00" and frame.options[0].cost == "310.00"
    [sizes] = [t for t in read.tables if t.id == "frame-sizes"]
    assert sizes.features == ["frame", "size"] and ["alu_step", "s"] in sizes.rows
    assert all(expression.ok for rule in read.rules for _, expression in rule.expressions)


@pytest.mark.parametrize(("rule", "column", "message"), [
    ("frame == carbn", 10, "feature 'frame' has no option 'carbn'"),
    ("fram in [alu]", 1, "unknown feature 'fram'"),
    ("count(wheels) > 1", 7, "unknown feature or dimension 'wheels'"),
    ("sum(weight_g, nowhere) > 1", 15, "unknown dimension 'nowhere'"),
    ("frame == carbon brakes", 17, "expected"),
    ("frame ==", 9, "found the end of the rule"),
])
def test_a_rule_problem_is_at_its_column(rule, column, message):
    typed = read_rule(rule, OPTIONS)
    assert not typed.ok and typed.column == column and message in typed.problem
    marked = [token for token in typed.tokens if token.problem]
    assert typed.at_end or (len(marked) == 1 and marked[0].start == column - 1)


def test_a_good_rule_is_coloured_by_kind():
    typed = read_rule("customer.segment != business and not brakes in [disc] or sum(w, product) > 2", OPTIONS)
    assert typed.ok
    kinds = {token.text: token.kind for token in typed.tokens if token.kind != "space"}
    assert kinds["customer.segment"] == "customer" and kinds["business"] == "value"
    assert kinds["brakes"] == "feature" and kinds["disc"] == "option" and kinds["not"] == "keyword"
    assert kinds["sum"] == "function" and kinds["w"] == "attribute" and kinds["product"] == "dimension"


# ------------------------------------------------------------------ features added and removed

BIKE = (DATA / "bike.yaml").read_text(encoding="utf-8")


def test_a_feature_is_added_at_the_end_with_one_option_and_the_catalog_stays_valid():
    edit = form.Edit("feature", "add", "Saddle", feature="saddle", option="comfort",
                     details={"dimension": "product", "choose": "optional"})
    text = form.apply(BIKE, edit)
    assert text == BIKE.replace("constraints:\n", (
        "  - id: saddle\n    name: Saddle\n    dimension: product\n    choose: optional\n"
        "    options:\n      - {id: comfort, name: comfort, price: 0.00}\n"
        "constraints:\n"), 1)
    assert drafts.check_text(text, "test-bike").releasable
    # Removing it again gives back the text as it was, byte for byte.
    assert form.apply(text, form.Edit("feature", "remove", feature="saddle")) == BIKE


def test_a_new_feature_has_defaults_for_what_is_not_given():
    text = form.apply(BIKE, form.Edit("feature", "add", "", feature="bottle"))
    [bottle] = [f for f in form.read_form(text).features if f.id == "bottle"]
    assert (bottle.name, bottle.dimension, bottle.choose) == ("bottle", "product", "one")
    assert [o.id for o in bottle.options] == [form.NEW_FEATURE_OPTION]


@pytest.mark.parametrize(("edit", "message"), [
    (form.Edit("feature", "add", feature="Bad Id"), "A feature id is lower-case"),
    (form.Edit("feature", "add", feature="frame"), "already has a feature 'frame'"),
    (form.Edit("feature", "add", feature="saddle", details={"dimension": "colour"}), "The dimension is one of"),
    (form.Edit("feature", "add", feature="saddle", details={"choose": "many"}), "Choose is"),
    (form.Edit("feature", "add", feature="saddle", option="Bad Id"), "An option id is"),
    (form.Edit("feature", "remove", feature="wheels"), "no feature 'wheels'"),
])
def test_a_feature_that_cannot_be_added_or_removed_is_refused(edit, message):
    with pytest.raises(form.FormProblem, match=message):
        form.apply(BIKE, edit)


def test_a_feature_still_used_by_rules_or_tables_is_not_removed_and_they_are_named():
    text = BIKE + ("  - id: few-extras\n    require: count(extras) < 2\n"
                   "  - table:\n      features: [extras, packaging]\n      allow: [[bell, box]]\n")
    with pytest.raises(form.FormProblem) as refused:
        form.apply(text, form.Edit("feature", "remove", feature="extras"))
    assert str(refused.value) == ("Feature 'extras' is still used by rule few-extras, table #5: "
                                  "change or remove those first.")
    with pytest.raises(form.FormProblem, match="rule carbon-needs-disc"):
        form.apply(BIKE, form.Edit("feature", "remove", feature="brakes"))


def test_a_removed_feature_takes_its_names_in_other_languages_with_it():
    text = BIKE + ("translations:\n  fa:\n    name: دوچرخه\n    features:\n"
                   "      extras:\n        name: افزودنی‌ها\n        options: {bell: زنگ}\n"
                   "  vi:\n    features:\n      extras:\n        name: Phụ kiện\n")
    removed = form.apply(text, form.Edit("feature", "remove", feature="extras"))
    assert "id: extras" not in removed and "افزودنی‌ها" not in removed and "vi:" not in removed
    assert removed.endswith("translations:\n  fa:\n    name: دوچرخه\n")
    assert drafts.check_text(removed, "test-bike").releasable
