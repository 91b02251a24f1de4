"""The form editor reads a draft for showing with the engine's fast reader (libyaml, or JSON),
and keeps ruamel's round trip for edits: both readings must give the same form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from configurator.services.workbench import form
from tests.services.workbench_factories import BIKE_TEXT

DEMO = sorted((Path(__file__).resolve().parents[2] / "catalog").glob("*.yaml"))


@pytest.mark.parametrize("text", [BIKE_TEXT, *(path.read_text(encoding="utf-8") for path in DEMO)])
def test_the_fast_reading_gives_the_round_trip_readings_form(monkeypatch, text):
    fast = form.read_form(text, ["fa", "vi"])
    monkeypatch.setattr(form, "_plain", form.load)  # the round-trip reader, as the form read before
    assert fast == form.read_form(text, ["fa", "vi"]) and fast.features


def test_a_draft_in_json_shows_the_same_form_as_in_yaml():
    as_json = json.dumps(yaml.safe_load(BIKE_TEXT))
    shown = form.read_form(as_json, ["fa"])
    assert shown == form.read_form(BIKE_TEXT, ["fa"])
    assert [option.price for option in shown.features[0].options] == ["120.00", "640.00", "80.00"]


def test_a_text_that_does_not_read_says_why_as_before():
    broken = BIKE_TEXT.replace("features:", "features: [")
    shown = form.read_form(broken)
    assert shown.problem.startswith("The YAML does not parse") and not shown.features
    assert form.option_ids(broken) == {}


@pytest.mark.parametrize(("name", "value"), [("price", "700"), ("price", "12.3456"), ("cost", "300,5"), ("price", "")])
def test_a_price_edit_is_written_where_the_number_is_and_reads_as_the_round_trips(monkeypatch, name, value):
    text = BIKE_TEXT.replace("{id: carbon, name: Carbon, price: 640.00}",
                             "{id: carbon, name: Carbon, price: 640.00, cost: 310.00}")
    edit = form.Edit(target="option", name=name, value=value, feature="frame", option="carbon")
    in_place = form.apply(text, edit)
    assert form._money_in_place(text, edit) == in_place  # written in place, not by the round trip
    monkeypatch.setattr(form, "_money_in_place", lambda text, edit: None)  # the round trip alone
    round_trip = form.apply(text, edit)
    assert yaml.safe_load(in_place) == yaml.safe_load(round_trip) != yaml.safe_load(text)
    changed = [(a, b) for a, b in zip(text.splitlines(), in_place.splitlines()) if a != b]
    assert len(changed) == 1 and len(text.splitlines()) == len(in_place.splitlines())  # that line alone


def test_a_price_edit_in_a_json_draft_stays_json():
    text = json.dumps(yaml.safe_load(BIKE_TEXT), indent=2)
    edited = form.apply(text, form.Edit(target="option", name="price", value="650", feature="frame", option="carbon"))
    data = json.loads(edited)
    assert data["features"][0]["options"][1]["price"] == 650 and edited.replace("650.00", "640.0") == text


def test_a_refused_price_is_refused_as_before():
    with pytest.raises(form.FormProblem, match="must be a number"):
        form.apply(BIKE_TEXT, form.Edit(target="option", name="price", value="cheap", feature="frame", option="carbon"))
    with pytest.raises(form.FormProblem):
        form.apply(BIKE_TEXT, form.Edit(target="option", name="price", value="5", feature="frame", option="gold"))
