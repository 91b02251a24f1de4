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
