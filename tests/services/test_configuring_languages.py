"""The configurator in the customer's language: the catalog's translated
names and rule messages, and repairs said in Persian or Vietnamese."""

from __future__ import annotations

import pytest

from configurator.engine import Catalog
from configurator.services import configuring
from tests.conftest import DATA
from tests.engine.test_catalog_translations import BIKE, PERSIAN


@pytest.fixture(scope="module")
def catalog():
    return Catalog.from_text(BIKE + PERSIAN, "bike.yaml")


def option(state, feature_id, option_id):
    for _, _, features in state.dimensions:
        for feature in features:
            if feature.id == feature_id:
                return next(o for o in feature.options if o.id == option_id)
    raise KeyError(feature_id)


def test_persian_names_messages_and_repairs(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "alu", "brakes": "rim"}, language="fa")
    carbon = option(state, "frame", "carbon")
    assert carbon.name == "کربن" and state.catalog_name == "دوچرخهٔ آزمایشی"
    assert carbon.why.rules == ["بدنهٔ کربنی فقط با ترمز دیسکی هیدرولیک جور است."]
    assert carbon.why.picks == ["ترمز: ترمز طوقه‌ای"]
    assert carbon.repair.label == "تغییر ترمز به دیسکی هیدرولیک، +۶۴۰٫۰۰"
    assert carbon.repair.spoken == "انتخاب کربن: تغییر ترمز به دیسکی هیدرولیک، +۶۴۰٫۰۰"


def test_untranslated_texts_fall_back_to_the_catalogs_language(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "alu"}, language="fa")
    assert option(state, "frame", "steel").name == "Steel"  # no Persian name given


def test_vietnamese_phrases_without_catalog_texts(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "alu", "brakes": "rim"}, language="vi")
    carbon = option(state, "frame", "carbon")
    assert carbon.why.rules == ["Carbon frames only take hydraulic disc brakes."]
    assert carbon.repair.label == "Đổi brakes sang Hydraulic disc, +640,00"


def test_without_a_language_the_page_speaks_the_catalogs(catalog):
    state = configuring.page.evaluate(catalog, {"frame": "alu", "brakes": "rim"})
    assert option(state, "frame", "carbon").repair.label == "Switch brakes to Hydraulic disc, +640.00"


def test_the_old_catalog_file_is_unchanged():
    assert "translations" not in (DATA / "bike.yaml").read_text()
