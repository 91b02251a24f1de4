"""The picture of a configuration: the picked options' images stacked in layer
order, read through an allowlist; the catalog keys `image:` and `layer:`."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from configurator.engine import load_catalog
from configurator.engine.loader import CatalogError, parse_model
from configurator.services.configuring import pictures

REPO = Path(__file__).parents[2]
CATALOG_DIR = REPO / "catalog"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">{}</svg>'


def gen_catalog_text(frame_layer=20, wheel_layer=10, frame_image="pictures/t/frame.svg") -> str:
    """A two-feature catalog whose options carry images."""
    return yaml.safe_dump({
        "catalog": "t", "name": "T", "version": 1, "currency": "EUR",
        "features": [
            {"id": "frame", "name": "Frame", "dimension": "product", "choose": "one",
             "layer": frame_layer,
             "options": [{"id": "alu", "name": "Alu", "image": frame_image},
                         {"id": "steel", "name": "Steel"}]},
            {"id": "wheels", "name": "Wheels", "dimension": "product", "choose": {"min": 0, "max": 2},
             "layer": wheel_layer,
             "options": [{"id": "front", "name": "Front", "image": "pictures/t/front.svg"},
                         {"id": "rear", "name": "Rear", "image": "pictures/t/missing.svg"}]},
        ],
    })


@pytest.fixture
def drawings(tmp_path):
    """A catalog directory with two of the three images (rear is missing)."""
    folder = tmp_path / "pictures" / "t"
    folder.mkdir(parents=True)
    (folder / "frame.svg").write_text(SVG.format('<path id="tube" d="M0 0 L10 10" stroke="red"/>'))
    (folder / "front.svg").write_text(SVG.format(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>'
        '<circle cx="5" cy="5" r="4" fill="url(#g)"/>'))
    return tmp_path


def test_layers_follow_the_layer_order_not_the_catalog_order():
    model = parse_model(gen_catalog_text(frame_layer=20, wheel_layer=10))
    order = pictures.layers(model, {"frame": "alu", "wheels": ["front", "rear"]})
    assert [(layer.feature, layer.option) for layer in order] == [
        ("wheels", "front"), ("wheels", "rear"), ("frame", "alu")
    ]
    model = parse_model(gen_catalog_text(frame_layer=5, wheel_layer=10))
    assert pictures.layers(model, {"frame": "alu", "wheels": ["front"]})[0].feature == "frame"


def test_an_option_without_an_image_adds_no_layer():
    model = parse_model(gen_catalog_text())
    assert pictures.layers(model, {"frame": "steel"}) == []
    assert pictures.has_pictures(model)


def test_compose_stacks_the_picked_images_and_leaves_out_a_missing_one(drawings):
    model = parse_model(gen_catalog_text())
    svg = pictures.compose(model, {"frame": "alu", "wheels": ["front", "rear"]}, drawings)
    assert svg.startswith("<svg") and 'viewBox="0 0 400 300"' in svg
    assert svg.index('data-option="front"') < svg.index('data-option="alu"')
    assert 'data-option="rear"' not in svg  # the missing file: no layer, no error
    # Ids are made unique per layer and references follow them.
    assert 'id="l0-g"' in svg and 'fill="url(#l0-g)"' in svg and 'id="l2-tube"' in svg


def test_compose_of_nothing_is_an_empty_canvas(drawings):
    svg = pictures.compose(parse_model(gen_catalog_text()), {}, drawings)
    assert svg == '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" role="img" />'


def test_a_library_remapping_namespaces_leaves_the_picture_alone(drawings):
    """WeasyPrint maps the empty prefix to no namespace when it is imported,
    which dropped ours: pictures came out as <ns0:svg> after a PDF was made."""
    ElementTree.register_namespace("", "")  # what weasyprint.pdf.metadata does at import
    svg = pictures.compose(parse_model(gen_catalog_text()), {}, drawings)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')


@pytest.mark.parametrize("hostile, kept_out", [
    ('<script>alert(1)</script><rect width="1" height="1"/>', "script"),
    ('<rect width="1" height="1" onload="alert(1)"/>', "onload"),
    ('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>', "javascript"),
    ('<image href="https://evil.example/x.png" width="1" height="1"/>', "evil.example"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>', "foreignObject"),
    ('<rect width="1" height="1" fill="url(https://evil.example/#x)"/>', "evil.example"),
    ('<rect width="1" height="1" style="fill:url(https://evil.example/)"/>', "evil.example"),
    ('<use href="https://evil.example/sprite.svg#a"/>', "evil.example"),
])
def test_sanitize_keeps_only_drawing(hostile, kept_out):
    view_box, children = pictures.sanitize(SVG.format(hostile))
    root_text = "".join(ElementTree.tostring(child, encoding="unicode") for child in children)
    assert kept_out not in root_text
    assert view_box == "0 0 400 300"


def test_sanitize_refuses_entities_and_what_is_not_svg():
    bomb = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>')
    assert pictures.sanitize(bomb) is None
    assert pictures.sanitize("<html><body/></html>") is None
    assert pictures.sanitize("not xml at all") is None


def test_an_image_outside_the_catalog_directory_is_never_read(tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text(SVG.format('<rect id="secret" width="1" height="1"/>'))
    inside = tmp_path / "catalog"
    inside.mkdir()
    (inside / "link.svg").symlink_to(secret)
    text = gen_catalog_text(frame_image="link.svg")
    svg = pictures.compose(parse_model(text), {"frame": "alu"}, inside)
    assert "secret" not in svg


@pytest.mark.parametrize("image", ["../etc/passwd.svg", "pictures/x.png", "pictures/../../x.svg",
                                   "a b.svg", "javascript:alert(1)"])
def test_loader_refuses_an_image_that_is_no_svg_path_nor_address(image):
    with pytest.raises(CatalogError) as error:
        parse_model(gen_catalog_text(frame_image=image))
    assert "or a relative path to an .svg file" in str(error.value)


@pytest.mark.parametrize("image", ["/etc/x.svg", "https://cdn.example/x.svg", "/static/frame.png"])
def test_an_image_address_is_no_layer_and_never_read_from_disk(image, drawings):
    model = parse_model(gen_catalog_text(frame_image=image))
    assert model.features[0].options[0].image == image
    assert [layer.feature for layer in pictures.layers(model, {"frame": "alu"})] == []
    assert "data-option" not in pictures.compose(model, {"frame": "alu"}, drawings)


@pytest.mark.parametrize("layer", ["top", 1.5, 10**9, True])
def test_loader_refuses_a_layer_that_is_not_a_whole_number(layer):
    with pytest.raises(CatalogError) as error:
        parse_model(gen_catalog_text(frame_layer=layer))
    assert "'layer' must be a whole number" in str(error.value)


def test_catalogs_without_pictures_read_as_before():
    text = gen_catalog_text().replace("image: pictures/t/frame.svg", "price: 1")
    model = parse_model(text.replace("image: pictures/t/front.svg", "price: 1")
                        .replace("image: pictures/t/missing.svg", "price: 1"))
    assert not pictures.has_pictures(model)


@pytest.mark.parametrize("catalog_id", sorted(path.stem for path in CATALOG_DIR.glob("*.yaml")))
def test_every_demo_image_exists_and_survives_the_allowlist(catalog_id):
    model = load_catalog(CATALOG_DIR / f"{catalog_id}.yaml").model
    images = [option.image for feature in model.features for option in feature.options if option.image]
    assert len(images) >= 10
    for image in images:
        drawing = pictures.sanitize((CATALOG_DIR / image).read_text())
        assert drawing is not None and drawing[1], image
        assert drawing[0] == "0 0 400 300"
