"""The workbench writes a catalog's problems wholly in the reader's language: where
they are (`features[0] 'frame'`, a constraint, a line and column), a YAML or JSON
file that cannot be read, over-long ids and names, control characters, a file too
large, a model that cannot be imported. The English the CLI prints stays as it was."""

from __future__ import annotations

from html import unescape
from io import BytesIO

import pytest

from configurator.engine import CatalogError
from configurator.engine.loader import parse_model
from configurator.services.workbench import drafts
from configurator.web.database import db
from tests.services.quote_factories import gen_staff
from tests.services.workbench_factories import BIKE_TEXT

DRAFT_URL = "/staff/catalogs/test-bike/draft"


@pytest.fixture
def editor(app, client, auth):
    """A catalog manager, signed in."""
    with app.app_context():
        gen_staff(db.session, "catalog_manager", "catalogs@shop.example")
    auth.signin("catalogs@shop.example")
    return client


def checked(client, text: str) -> str:
    response = client.post(DRAFT_URL + "/check", data={"text": text}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_a_features_place_and_a_constraints_place_are_in_persian(editor):
    editor.get("/language/fa")
    text = BIKE_TEXT.replace("dimension: product", "dimension: nowhere", 1)
    text = text.replace("- id: carbon-needs-disc", "- id: carbon-needs-disc\n    colour: red", 1)
    fragment = checked(editor, text)
    assert "ویژگی features[0] «frame»:" in fragment
    assert "قید «carbon-needs-disc» (#۱)" in fragment
    assert "features[0] 'frame':" not in fragment and "constraint 'carbon-needs-disc'" not in fragment


def test_a_yaml_that_cannot_be_read_is_summed_up_in_vietnamese_with_line_and_column(editor):
    editor.get("/language/vi")
    fragment = checked(editor, "catalog: test-bike\nfeatures: [\n")
    assert "YAML không hợp lệ (thông báo của trình phân tích:" in fragment
    assert "dòng 3, cột 1" in fragment and "not valid YAML" not in fragment


def test_long_ids_names_and_control_characters_are_explained_in_persian(editor):
    editor.get("/language/fa")
    text = BIKE_TEXT.replace("- id: frame", "- id: " + "f" * 70, 1)
    text = text.replace("name: Brakes", 'name: "Bra\\x07kes"', 1)
    fragment = checked(editor, text)
    assert "شناسهٔ ویژگی «ffffffffffffffffffff...» ۷۰ نویسه دارد؛ حداکثر ۶۴ مجاز است" in fragment
    assert "نویسهٔ کنترلی U+0007" in fragment
    assert "characters long" not in fragment and "control character" not in fragment


def test_a_file_too_large_and_a_model_that_cannot_be_imported_are_refused_in_the_readers_language(
        editor, monkeypatch):
    editor.get("/language/fa")
    monkeypatch.setattr(drafts, "MAX_DRAFT_CHARS", 1024 * 1024)
    big = editor.post(
        DRAFT_URL, data={"catalog_file": (BytesIO(b"#" * (1024 * 1024 + 1)), "big.yaml")},
        content_type="multipart/form-data")
    page = unescape(big.get_data(as_text=True))
    assert big.status_code == 413 and "big.yaml: فایل" in page and "larger than" not in page
    editor.get("/language/vi")
    bad = editor.post(
        DRAFT_URL, data={"catalog_file": (BytesIO(b"p cnf x y\n"), "bad.dimacs"), "import_format": "dimacs"},
        content_type="multipart/form-data")
    page = unescape(bad.get_data(as_text=True))
    assert bad.status_code == 400
    assert "bad.dimacs:1: cần 'p cnf VARIABLES CLAUSES', nhưng gặp 'p cnf x y'" in page


def test_the_english_the_command_line_prints_is_unchanged():
    text = BIKE_TEXT.replace("dimension: product", "dimension: nowhere", 1)
    with pytest.raises(CatalogError) as unknown:
        parse_model(text, "bike.yaml")
    assert "bike.yaml: features[0] 'frame': dimension 'nowhere' is unknown" in str(unknown.value)
    with pytest.raises(CatalogError) as unreadable:
        parse_model("catalog: x\nfeatures: [\n", "x.yaml")
    assert str(unreadable.value).startswith("x.yaml: line 3, column 1: not valid YAML: ")
