"""Where the editor shows a finding: the line of each feature, option and constraint of a draft's
text, found once per text; a JSON text without the YAML composer (seconds on automotive01)."""

from __future__ import annotations

import json

import pytest
import yaml

from configurator.services.workbench import locate
from tests.services.workbench_factories import BIKE_TEXT


def id_line(text: str, identifier: str, after: int = 0) -> int:
    """The first line from line `after` on that gives `identifier` as an "id"."""
    lines = text.splitlines()
    return next(n for n, line in enumerate(lines, 1) if n > after and f'"id": "{identifier}"' in line)


@pytest.fixture
def no_yaml(monkeypatch):
    """The YAML composer refuses to run: a JSON text must be read without it."""
    def refuse(*args, **kwargs):
        raise AssertionError("the YAML composer read a JSON text")

    monkeypatch.setattr(locate.yaml, "compose", refuse)


def test_a_json_texts_lines_are_those_of_each_id_without_the_yaml_composer(no_yaml):
    data = yaml.safe_load(BIKE_TEXT)
    data["features"][0]["name"] = 'Frame {"id": "x"} [1]'  # braces and quotes in a string move nothing
    text = json.dumps(data, indent=2, default=str)
    lines = locate.LineMap(text)
    assert lines.features == [id_line(text, feature["id"]) for feature in data["features"]]
    frame = id_line(text, "frame")
    assert lines.option_ids[("frame", "steel")] == id_line(text, "steel", after=frame)
    assert lines.options[(0, 2)] == lines.option_ids[("frame", "steel")]
    assert lines.constraint_ids["courier-no-pallet"] == id_line(text, "courier-no-pallet")
    assert len(lines.constraints) == len(data["constraints"])
    assert lines.line_of("dead option frame=steel") == lines.option_ids[("frame", "steel")]


def test_a_json_text_on_one_line_puts_everything_on_line_one(no_yaml):
    lines = locate.LineMap(json.dumps(yaml.safe_load(BIKE_TEXT), default=str))
    assert set(lines.features) == {1} and set(lines.options.values()) == {1} and set(lines.constraints) == {1}


def test_a_json_text_with_a_key_given_twice_is_read_by_the_yaml_composer():
    text = json.dumps(yaml.safe_load(BIKE_TEXT), indent=2, default=str)
    twice = text.replace('"features": [', '"extra": {"a": 1}, "extra": 2, "features": [', 1)
    lines = locate.LineMap(twice)
    assert lines.feature_ids["frame"] and len(lines.features) == len(locate.LineMap(text).features)
