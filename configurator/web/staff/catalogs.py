"""Administrators keep the catalogs here: every product line with the version
in use and the older ones, and an upload of a new version.

Sellers, managers and catalog managers may look (read only); an upload needs
an administrator. Catalog managers edit a draft of each line and release it
(`catalog_drafts`).
An upload goes through `services.catalogs.load_bytes`, which refuses a file
that cannot be read or used and then changes nothing: the page is shown again
with every problem and where it is (400), and the version in use stays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from configurator.services import catalogs
from configurator.services.errors import CatalogProblem
from configurator.services.workbench import drafts
from configurator.store.models import CatalogVersion
from configurator.web.database import db
from configurator.web.i18n import error_text, number
from configurator.web.staff import bp
from configurator.web.staff.roles import admin_required, catalog_reader_required

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a catalog file is a few KiB; 2 MiB is generous
SHORT_FINGERPRINT = 12


@dataclass(frozen=True)
class Line:
    """A product line on the page: the version in use and the older ones, newest first."""

    current: CatalogVersion
    options: int
    older: list[CatalogVersion]


def _options(version: CatalogVersion) -> int:
    model = catalogs.engine_catalog(version).model
    return sum(len(feature.options) for feature in model.features)


def _lines() -> list[Line]:
    lines = []
    for version in catalogs.current_versions(db.session):
        older = [v for v in catalogs.versions(db.session, version.catalog_id) if v.id != version.id]
        lines.append(Line(version, _options(version), list(reversed(older))))
    return lines


def _page(status: int = 200, problems: list[str] | None = None, heading: str | None = None):
    return render_template(
        "staff/catalogs.html",
        lines=_lines(),
        problems=problems or [],
        heading=heading,
        short=SHORT_FINGERPRINT,
        max_mib=MAX_UPLOAD_BYTES // (1024 * 1024),
        can_upload=current_user.is_admin,
        drafts=drafts.drafts(db.session),
    ), status


@bp.get("/catalogs")
@catalog_reader_required
def catalogs_page():
    """Every product line with its version in use and its older versions."""
    return _page()


@bp.post("/catalogs")
@admin_required
def catalog_upload():
    """Store an uploaded catalog file as the new version of its product line."""
    upload = request.files.get("catalog_file")
    if upload is None or not upload.filename:
        return _page(400, [_("Choose a catalog file (YAML) to upload.")], _("Nothing was uploaded"))
    # The app may allow larger bodies (MAX_CONTENT_LENGTH); a catalog never needs more.
    data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
    name = secure_filename(upload.filename) or "upload.yaml"
    if len(data) > MAX_UPLOAD_BYTES:
        message = _("%(name)s: the file is larger than %(size)s MiB.", name=name,
                    size=number(MAX_UPLOAD_BYTES // (1024 * 1024)))
        return _page(413, [message], _("The catalog was not loaded"))
    try:
        result = catalogs.load_bytes(db.session, data, name)
    except CatalogProblem as problem:  # refused before anything was written
        log.warning("catalog upload %s by %s refused: %s", name, current_user.email, problem)
        return _page(400, problem.problems, _("%(problem)s — nothing was changed", problem=error_text(problem)))
    version = result.version
    if result.created:
        log.info("catalog %s version %d (declared %d, %s) loaded from %s by %s",
                 version.catalog_id, version.number, version.declared_version,
                 version.fingerprint[:SHORT_FINGERPRINT], name, current_user.email)
        flash(_("%(catalog)s is now version %(number)s.", catalog=version.catalog_id, number=version.number), "success")
    else:
        log.info("catalog %s upload from %s by %s unchanged (version %d)",
                 version.catalog_id, name, current_user.email, version.number)
        flash(_("%(catalog)s unchanged: same as version %(number)s.", catalog=version.catalog_id, number=version.number), "success")
    return redirect(url_for("staff.catalogs_page"), code=303)
