"""Catalog translations (`language:` and `translations:`, spec section 1):
backward compatible, checked with their place, missing texts listed."""

from __future__ import annotations

import pytest

from configurator.engine import load_catalog
from configurator.engine.loader import CatalogError, load_model, parse_model
from configurator.engine.translations import missing_translations
from tests.conftest import DATA

REPO = DATA.parents[1]
BIKE = (DATA / "bike.yaml").read_text()
PERSIAN = """
translations:
  fa:
    name: دوچرخهٔ آزمایشی
    features:
      frame: {name: بدنه, options: {alu: آلومینیوم, carbon: کربن}}
      brakes: {name: ترمز, options: {rim: ترمز طوقه‌ای, disc_hydraulic: دیسکی هیدرولیک}}
    messages:
      carbon-needs-disc: بدنهٔ کربنی فقط با ترمز دیسکی هیدرولیک جور است.
"""


def test_a_catalog_without_translations_is_read_as_before():
    model = parse_model(BIKE, "bike.yaml")
    assert model.language == "en" and model.translations == {}
    assert missing_translations(model) == []


def test_translations_are_read_by_language_and_key():
    model = parse_model(BIKE + PERSIAN, "bike.yaml")
    persian = model.translations["fa"]
    assert persian.lookup(("catalog",), model.name) == "دوچرخهٔ آزمایشی"
    assert persian.lookup(("option", "frame", "carbon"), "Carbon") == "کربن"
    assert persian.lookup(("message", "carbon-needs-disc"), "") .startswith("بدنهٔ کربنی")
    # What the language leaves out falls back to the catalog's own text.
    assert persian.lookup(("option", "frame", "steel"), "Steel") == "Steel"


def test_missing_translations_are_listed_per_language():
    missing = missing_translations(parse_model(BIKE + PERSIAN, "bike.yaml"))
    assert "fa: option frame.steel" in missing and "fa: message of rule courier-no-pallet" in missing
    assert "fa: option frame.carbon" not in missing and "fa: catalog name" not in missing


@pytest.mark.parametrize(
    ("block", "place", "says"),
    [
        ("translations:\n  fa:\n    features: {wings: بال}\n", "translations.fa.features.wings", "no feature 'wings'"),
        ("translations:\n  fa:\n    features: {frame: {options: {titanium: تیتانیوم}}}\n",
         "translations.fa.features.frame.options", "no option 'titanium'"),
        ("translations:\n  fa:\n    messages: {no-such-rule: پیام}\n", "translations.fa.messages", "no rule with id"),
        ("translations:\n  Farsi!: {name: x}\n", "translations.Farsi!", "not a language code"),
        ("translations:\n  fa:\n    name: [1, 2]\n", "translations.fa.name", "must be text"),
        ("translations: [fa, vi]\n", "translations", "must map languages"),
        ("language: 42\n", "", "'language' must be a language code"),
    ],
)
def test_bad_translations_are_problems_with_their_place(block, place, says):
    with pytest.raises(CatalogError) as refused:
        parse_model(BIKE + block, "bike.yaml")
    assert any(p.location == place and says in p.message for p in refused.value.problems), (
        refused.value.problems
    )


def test_catalog_check_lists_what_is_not_translated():
    report = load_catalog_text(BIKE + PERSIAN).check()
    assert report.usable and "fa: option frame.steel" in report.missing_translations
    assert "fa: option frame.steel" in report.to_json()["missing_translations"]


def load_catalog_text(text):
    from configurator.engine import Catalog

    return Catalog.from_text(text, "bike.yaml")


@pytest.mark.parametrize("name", ["city-bike", "coffee-subscription", "standing-desk"])
def test_the_demo_catalogs_are_fully_translated_to_persian_and_vietnamese(name):
    model = load_model(REPO / "catalog" / f"{name}.yaml")
    assert set(model.translations) == {"fa", "vi"}
    assert missing_translations(model) == []


def test_translated_catalogs_load_as_engine_catalogs():
    catalog = load_catalog(REPO / "catalog" / "city-bike.yaml")
    assert catalog.model.translations["vi"].lookup(("feature", "frame"), "Frame") == "Khung xe"


def test_the_readme_example_of_translations_loads():
    import re

    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(), flags=re.DOTALL)
    example = next(block for block in blocks if block.startswith("language:"))
    model = parse_model(blocks[0] + blocks[1] + example, "README.md")
    assert model.translations["fa"].lookup(("feature", "brakes"), "Brakes") == "ترمز"
    assert model.translations["vi"].lookup(("option", "frame", "alu"), "Aluminium") == "Nhôm"
