"""Typed attributes in the form editor (services.workbench.attributes and form):
each attribute keeps its type, number, text or true/false, when it is read,
edited, added and removed, and what is not of its type is refused."""

from __future__ import annotations

import pytest

from configurator.engine import Catalog
from configurator.services.workbench import drafts, form
from tests.services.workbench_factories import BIKE_TEXT

CARBON = "{id: carbon, name: Carbon, price: 640.00}"
TYPED = BIKE_TEXT.replace(
    CARBON, "{id: carbon, name: Carbon, price: 640.00, attributes: {weight_g: 950, colour: black, code: '12', "
            "waterproof: true}}")


def edit(text: str, field: str, value: str, **details: str) -> str:
    return form.apply(text, form.Edit("option", field, value, feature="frame", option="carbon", details=details))


def carbon_attributes(text: str) -> dict:
    return Catalog.from_text(text, path="test-bike.yaml").model.feature("frame").option("carbon").attributes


def test_the_form_reads_each_attribute_with_its_type():
    [carbon] = [o for f in form.read_form(TYPED).features for o in f.options if o.id == "carbon"]
    assert [(a.name, a.kind, a.value) for a in carbon.typed_attributes] == [
        ("weight_g", "number", "950"), ("colour", "text", "black"), ("code", "text", "12"),
        ("waterproof", "boolean", "true"),
    ]


@pytest.mark.parametrize(("field", "value", "written", "read"), [
    ("attribute.weight_g", "900", "weight_g: 900,", 900),
    ("attribute.weight_g", " 1.5 ", "weight_g: 1.50,", 1.5),
    ("attribute.code", "13", "code: '13',", "13"),  # text stays text, even when it looks like a number
    ("attribute.colour", "true", "colour: 'true',", "true"),
    ("attribute.waterproof", "", "waterproof: false}", False),  # an unchecked box posts nothing
    ("attribute.waterproof", "true", "waterproof: true}", True),
])
def test_an_edited_attribute_is_written_with_its_type(field, value, written, read):
    text = edit(TYPED, field, value)
    assert written in text
    assert carbon_attributes(text)[field.removeprefix("attribute.")] == read
    assert drafts.check_text(text, "test-bike").releasable


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("attribute.weight_g", "heavy", "is a number, such as 1800 or 2.5, not 'heavy'"),
    ("attribute.weight_g", "inf", "must be a number below"),
    ("attribute.waterproof", "maybe", "is true or false, not 'maybe'"),
    ("attribute.height", "3", "has no attribute 'height'"),
])
def test_a_value_not_of_the_attributes_type_is_refused(field, value, problem):
    with pytest.raises(form.FormProblem, match=problem):
        edit(TYPED, field, value)


@pytest.mark.parametrize(("kind", "written", "read"), [
    ("number", "{id: carbon, name: Carbon, price: 640.00, attributes: {gears: 0}}", 0),
    ("text", "{id: carbon, name: Carbon, price: 640.00, attributes: {gears: ''}}", ""),
    ("boolean", "{id: carbon, name: Carbon, price: 640.00, attributes: {gears: false}}", False),
])
def test_an_attribute_is_added_with_the_chosen_type_and_removed(kind, written, read):
    added = edit(BIKE_TEXT, "add-attribute", "gears", kind=kind)
    assert written in added and carbon_attributes(added) == {"gears": read}
    assert drafts.check_text(added, "test-bike").releasable
    assert edit(added, "remove-attribute", "gears") == BIKE_TEXT  # the last one takes `attributes:` with it


@pytest.mark.parametrize(("value", "kind", "problem"), [
    ("weight_g", "number", "has an attribute 'weight_g' already"),
    ("two words", "text", "letters, digits"),
    ("gears", "colour", "Choose the attribute's type"),
])
def test_an_attribute_that_cannot_be_added_is_refused(value, kind, problem):
    with pytest.raises(form.FormProblem, match=problem):
        edit(TYPED, "add-attribute", value, kind=kind)
