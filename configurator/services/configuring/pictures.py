"""The picture of a configuration: the images of the picked options, stacked.

An option may carry `image:` (an SVG file, relative to the catalog
directory; an https address or a path on this shop is no layer) and a feature `layer:` (lower layers are drawn first). The picture
of a selection is one SVG: each picked option's image, in layer order (then
catalog order), nested with its own viewBox on the canvas of the first one.
A missing or unreadable file is left out: the picture is drawn without it.

Catalog files come from catalog managers, not from us, so every image is
read with defusedxml (no DTDs, no entities) and only an allowlist of drawing
elements and presentation attributes is kept: no scripts, no event handlers,
no foreign objects, no links outside the picture, no `style`. Ids are prefixed
per layer so that two layers' gradients cannot collide. The result is served
as `image/svg+xml` and shown through `<img>`, where a browser runs no script
even if one slipped through.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

from configurator.engine.model import CatalogModel
from configurator.services.configuring.selection import pairs

log = logging.getLogger(__name__)

SVG_NS = "http://www.w3.org/2000/svg"
DEFAULT_CANVAS = "0 0 400 300"
MAX_IMAGE_BYTES = 256 * 1024

ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "title", "desc", "defs", "linearGradient", "radialGradient", "stop", "clipPath",
    "text", "tspan",
}
ATTRIBUTES = {
    "id", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy",
    "width", "height", "points", "viewBox", "preserveAspectRatio", "transform",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-miterlimit", "opacity",
    "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "clip-path",
    "clipPathUnits", "font-family", "font-size", "font-weight", "text-anchor", "dx", "dy",
}
# Attributes whose value may point at an element of the same layer: url(#id) only.
_URL = re.compile(r"url\(\s*#([A-Za-z_][A-Za-z0-9_.-]*)\s*\)")
_COLOUR_FUNCTION = re.compile(r"(rgb|rgba|hsl|hsla)\([\d\s.,%]+\)\Z")
_SAFE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_VIEWBOX = re.compile(r"\s*-?[\d.]+([\s,]+-?[\d.]+){3}\s*\Z")


@dataclass(frozen=True)
class Layer:
    """One picked option's image in the picture."""

    feature: str
    option: str
    image: str


def is_layer(image: str | None) -> bool:
    """True for an image that is a layer of the composed picture: a relative path
    below the catalog directory (an https address or a path on this shop is not)."""
    return bool(image) and not image.startswith(("/", "https://"))


def has_pictures(model: CatalogModel) -> bool:
    """True when some option of the catalog carries a picture layer."""
    return any(is_layer(option.image) for feature in model.features for option in feature.options)


def layers(model: CatalogModel, selection: Mapping[str, Any]) -> list[Layer]:
    """The picked options with an image, in drawing order (layer, then catalog order)."""
    picked = set(pairs(selection))
    ordered = sorted(enumerate(model.features), key=lambda item: (item[1].layer, item[0]))
    return [
        Layer(feature.id, option.id, option.image)
        for _, feature in ordered
        for option in feature.options
        if is_layer(option.image) and (feature.id, option.id) in picked
    ]


def compose(model: CatalogModel, selection: Mapping[str, Any], directory: str | Path) -> str:
    """The picture of `selection` as one SVG document (text).

    `directory` is where the catalog's image paths start (the catalog
    directory). Images outside it, missing or not SVG are left out.
    """
    root = ElementTree.Element(f"{{{SVG_NS}}}svg")
    canvas = None
    for index, layer in enumerate(layers(model, selection)):
        drawing = _read_layer(Path(directory), layer.image)
        if drawing is None:
            continue
        view_box, children = drawing
        canvas = canvas or view_box
        nested = ElementTree.SubElement(root, f"{{{SVG_NS}}}svg", {
            "viewBox": view_box, "width": "100%", "height": "100%",
            "class": "layer", "data-feature": layer.feature, "data-option": layer.option,
        })
        for child in children:
            nested.append(_prefixed(child, f"l{index}-"))
    root.set("viewBox", canvas or DEFAULT_CANVAS)
    root.set("role", "img")
    # Registered again at each use, not once at import: a library registering its
    # own namespaces (WeasyPrint maps "" at import) drops ours, and the picture
    # would come out as <ns0:svg>. (tostring's default_namespace refuses the
    # plain attribute names SVG uses.)
    ElementTree.register_namespace("", SVG_NS)
    return ElementTree.tostring(root, encoding="unicode")


def _prefixed(element: ElementTree.Element, prefix: str) -> ElementTree.Element:
    """A copy of `element` whose ids and url(#id) references carry `prefix`."""
    copy = ElementTree.Element(element.tag, dict(element.attrib))
    copy.text, copy.tail = element.text, element.tail
    for name, value in copy.attrib.items():
        if name == "id":
            copy.set(name, prefix + value)
        elif "url(" in value:
            copy.set(name, _URL.sub(lambda match: f"url(#{prefix}{match.group(1)})", value))
    for child in element:
        copy.append(_prefixed(child, prefix))
    return copy


_cache: OrderedDict[tuple[str, int], tuple[str, list[ElementTree.Element]] | None] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 512


def _read_layer(directory: Path, image: str) -> tuple[str, list[ElementTree.Element]] | None:
    """(viewBox, sanitized children) of one image file, or None when it cannot be used."""
    base = directory.resolve()
    path = (base / image).resolve()
    if not path.is_relative_to(base) or path.suffix != ".svg":
        return None
    try:
        stat = path.stat()
    except OSError:
        return None  # a missing image is not an error: the picture goes without it
    key = (str(path), stat.st_mtime_ns)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    drawing = None
    if stat.st_size <= MAX_IMAGE_BYTES:
        try:
            drawing = sanitize(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            drawing = None
    if drawing is None:
        log.warning("picture layer %s cannot be used: left out", path)
    with _cache_lock:
        _cache[key] = drawing
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return drawing


def sanitize(text: str) -> tuple[str, list[ElementTree.Element]] | None:
    """(viewBox, drawing elements) of an SVG document, keeping only the allowlist.

    None when the text is not an SVG document (or uses DTDs or entities).
    """
    try:
        root = SafeElementTree.fromstring(text)
    except Exception:  # defusedxml's refusals and every parse error alike
        return None
    if root.tag != f"{{{SVG_NS}}}svg":
        return None
    view_box = root.get("viewBox", "")
    if not _VIEWBOX.match(view_box):
        width, height = root.get("width", ""), root.get("height", "")
        view_box = f"0 0 {width} {height}" if width.isdigit() and height.isdigit() else DEFAULT_CANVAS
    children = [clean for child in root if (clean := _clean(child)) is not None]
    return " ".join(view_box.replace(",", " ").split()), children


def _clean(element: ElementTree.Element) -> ElementTree.Element | None:
    """The element with what the allowlist keeps, or None to drop it whole."""
    if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{SVG_NS}}}"):
        return None
    if element.tag[len(SVG_NS) + 2 :] not in ELEMENTS:
        return None
    kept = {}
    for name, value in element.attrib.items():
        if name not in ATTRIBUTES or not _safe_value(name, value):
            continue
        kept[name] = value
    clean = ElementTree.Element(element.tag, kept)
    clean.text, clean.tail = element.text, element.tail
    for child in element:
        cleaned = _clean(child)
        if cleaned is not None:
            clean.append(cleaned)
    return clean


def _safe_value(name: str, value: str) -> bool:
    """An attribute value that cannot reach outside the picture."""
    if name == "id":
        return bool(_SAFE_ID.match(value))
    if "(" in value and name not in ("transform", "gradientTransform"):
        # fill="url(#grad)" is fine; url(http://...), expressions and the like are not.
        value = value.strip()
        return _URL.fullmatch(value) is not None or _COLOUR_FUNCTION.match(value) is not None
    lowered = value.lower()
    return "javascript:" not in lowered and "&" not in value and "<" not in value
