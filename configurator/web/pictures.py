"""The picture of a configuration in pages: its address, callable from templates.

The picture itself is composed by `services.configuring.pictures` and served
by `shop.picture` as one SVG; pages show it through `<img>` (no script runs
there) and the configurator swaps it out of band after every pick.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, url_for

from configurator.services import catalogs, configuring
from configurator.services.configuring.selection import FIELD_PREFIX
from configurator.store import CatalogVersion


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


def register(app: Flask) -> None:
    """Make `picture_url(version, selection)` callable from templates."""
    app.add_template_global(picture_url)
