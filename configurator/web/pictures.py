"""The picture of a configuration in pages: its address, callable from templates.

The picture itself is composed by `services.configuring.pictures` and served
by `shop.picture` as one SVG; pages show it through `<img>` (no script runs
there) and the configurator swaps it out of band after every pick.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, current_app, url_for

from configurator.services import catalogs, configuring
from configurator.services.configuring.selection import FIELD_PREFIX
from configurator.services.errors import NotFound
from configurator.store import CatalogVersion
from configurator.web.database import db


def picture_url(version: CatalogVersion | None, selection: Mapping[str, Any] | None) -> str | None:
    """The address of the picture of `selection` made with `version`; None when
    the catalog has no images (its pages show no picture at all)."""
    if version is None:
        return None
    model = catalogs.engine_catalog(version).model
    if not configuring.pictures.has_pictures(model):
        return None
    picks: dict[str, list[str]] = {}
    for feature, option in configuring.selection.pairs(selection or {}):
        picks.setdefault(FIELD_PREFIX + feature, []).append(option)
    return url_for("shop.picture", catalog_id=version.catalog_id, number=version.number, **picks)


def item_picture_url(item: Mapping[str, Any]) -> str | None:
    """The picture of one item of a cart order's snapshot (its catalog version and picks)."""
    try:
        version = catalogs.numbered(db.session, item["catalog"]["id"], int(item["catalog"]["version"]))
    except NotFound:
        return None
    return picture_url(version, item.get("selection"))


# The address `shop.picture` answers (the PDF renderer composes it in-process, see web/pdf.py).
PICTURE_PATH = re.compile(r"/shop/(?P<catalog>[^/]+)/picture/(?P<number>\d{1,10})\.svg\Z")


def compose(catalog_id: str, number: int, query: Mapping[str, Iterable[str]]) -> str:
    """The SVG of the picks in `query` (`f.<feature>` lists) with version `number`
    of a catalog; NotFound for a version that does not exist."""
    version = catalogs.numbered(db.session, catalog_id, number)
    catalog = catalogs.engine_catalog(version)
    selection, _problems = configuring.selection.parse_selection(
        catalog, {key: list(values) for key, values in query.items()}
    )
    return configuring.pictures.compose(
        catalog.model, selection, current_app.config["PICTURES_DIR"]
    )


def register(app: Flask) -> None:
    """Make `picture_url(version, selection)` callable from templates."""
    app.add_template_global(picture_url)
    app.add_template_global(item_picture_url)
