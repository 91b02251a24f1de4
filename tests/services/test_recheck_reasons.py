"""Why an old pick no longer fits is a phrase: its English as before, and written in
the reader's language where it is shown (issue 16: misfit reasons)."""

from __future__ import annotations

import pytest

from configurator.engine import load_catalog
from configurator.services.configuring import recheck
from configurator.services.configuring.wording import phrase_text
from tests.conftest import DATA

NO_MESSAGE = (DATA / "bike.yaml").read_text(encoding="utf-8").replace(
    "    message: Carbon frames only take hydraulic disc brakes.\n", "")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(DATA / "bike.yaml")


def reasons(result) -> dict[str, str]:
    return {f"{line.feature}={line.option}": line.reason for line in result.lines if line.reason}


@pytest.mark.parametrize(("language", "retired", "feature_gone"), [
    ("en", "no longer offered", "Saddle is no longer offered"),
    ("fa", "دیگر عرضه نمی‌شود", "Saddle دیگر عرضه نمی‌شود"),
    ("vi", "không còn được cung cấp", "Saddle không còn được cung cấp"),
])
def test_a_retired_option_or_feature_is_said_in_the_readers_language(catalog, language, retired,
                                                                     feature_gone):
    result = recheck.recheck(catalog, {"frame": "titanium", "saddle": "gel"},
                             {("saddle", "gel"): ("Saddle", "Gel", 0)})
    found = reasons(result)
    assert str(found["frame=titanium"]) == "no longer offered"  # the English, as before
    assert phrase_text(found["frame=titanium"], language) == retired
    assert phrase_text(found["saddle=gel"], language) == feature_gone


def test_a_rule_without_a_message_is_named_in_the_readers_language(tmp_path):
    path = tmp_path / "bike.yaml"
    path.write_text(NO_MESSAGE, encoding="utf-8")
    result = recheck.recheck(load_catalog(path), {"frame": "carbon", "brakes": "rim"}, {})
    [reason] = [line.reason for line in result.lines if line.status == "conflict"]
    assert str(reason) == "rule carbon-needs-disc"
    assert phrase_text(reason, "fa") == "قاعدهٔ carbon-needs-disc"
    assert phrase_text(reason, "vi") == "quy tắc carbon-needs-disc"


TRANSLATED = (DATA / "bike.yaml").read_text(encoding="utf-8") + """
translations:
  fa:
    messages:
      carbon-needs-disc: بدنهٔ کربنی فقط با ترمز دیسکی هیدرولیک جور است.
    features:
      frame:
        name: بدنه
        options: {carbon: کربن}
      brakes:
        name: ترمز
        options: {rim: ترمز رینگی}
"""


def test_a_rule_message_is_the_catalogs_translation_in_the_readers_language(tmp_path):
    path = tmp_path / "bike.yaml"
    path.write_text(TRANSLATED, encoding="utf-8")
    result = recheck.recheck(load_catalog(path), {"frame": "carbon", "brakes": "rim"}, {})
    [line] = [line for line in result.lines if line.status == "conflict"]
    assert str(line.reason) == "Carbon frames only take hydraulic disc brakes."  # as the CLI says
    assert phrase_text(line.reason, "fa") == "بدنهٔ کربنی فقط با ترمز دیسکی هیدرولیک جور است."
    # a language the catalog does not translate falls back to the catalog's own text
    assert phrase_text(line.reason, "vi") == "Carbon frames only take hydraulic disc brakes."
    # the pick that no longer fits is named in the reader's language too
    assert (phrase_text(line.feature_name, "fa"), phrase_text(line.option_name, "fa")) == (
        "ترمز", "ترمز رینگی")
    assert (str(line.feature_name), str(line.option_name)) == ("Brakes", "Rim brakes")
