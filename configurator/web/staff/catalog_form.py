"""The form editor of a draft: features, options, rules and tables as fields,
with the YAML beside them. Each field saves itself when it changes (htmx) and
the answer swaps in the new YAML and the live check; a rule is read as it is
typed, its first problem underlined at its place. The YAML stays the source
of truth (services.workbench.form writes every edit into it).
"""

from __future__ import annotations

import logging
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.services import catalogs
from configurator.services.workbench import drafts, form, rule_text
from configurator.web.database import db
from configurator.web.extensions import htmx
from configurator.web.i18n import LANGUAGES, error_text
from configurator.web.staff import bp
from configurator.web.staff.catalog_drafts import draft_text, live_check
from configurator.web.staff.roles import catalog_editor_required, catalog_reader_required

log = logging.getLogger(__name__)

FIELD_ID = re.compile(r"[a-z][a-z0-9-]{0,80}\Z")  # the id of the rule's view the answer replaces
OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]


@bp.get("/catalogs/<catalog_id>/draft/form")
@catalog_reader_required
def draft_form(catalog_id: str):
    """The draft as a form (features, options, rules, tables) beside its YAML and check."""
    version = catalogs.current(db.session, catalog_id)
    draft = drafts.find(db.session, catalog_id)
    text = draft.source_text if draft else version.source_text
    return render_template(
        "staff/draft_form.html",
        version=version,
        draft=draft,
        text=text,
        form=form.read_form(text, OTHER_LANGUAGES),
        check=live_check(text, catalog_id),
        catalog_id=catalog_id,
        can_edit=current_user.can_edit_catalogs,
        dimensions=form.DIMENSIONS,
    )


def _posted_edit() -> form.Edit:
    def number(key: str) -> int:
        raw = request.form.get(key, "")
        return int(raw) if raw.isdigit() and len(raw) < 7 else -1

    return form.Edit(
        target=request.form.get("target", ""),
        name=request.form.get("field", ""),
        value=request.form.get("value", ""),
        feature=request.form.get("feature", ""),
        option=request.form.get("option", ""),
        index=number("index"),
        row=number("row"),
        column=number("column"),
        details={key: request.form.get(key, "") for key in ("dimension", "choose", "kind")},
    )


@bp.post("/catalogs/<catalog_id>/draft/form")
@catalog_editor_required
def draft_form_edit(catalog_id: str):
    """Save one field of the form into the draft's YAML.

    htmx: the field's status, the new YAML and the check (out of band); a
    refused edit answers 400 with the reason beside the field. Without
    htmx (the add/remove buttons): back to the form page.
    """
    catalogs.current(db.session, catalog_id)  # 404 for an unknown product line
    edit = _posted_edit()
    try:
        draft = form.save_edit(db.session, catalog_id, current_user, edit)
    except form.FormProblem as problem:
        if htmx:
            return render_template("partials/_form_status.html", problem=error_text(problem)), 400
        flash(error_text(problem), "error")
        return redirect(url_for("staff.draft_form", catalog_id=catalog_id), code=303)
    log.info("catalog draft %s: %s %s edited in the form by %s", catalog_id, edit.target, edit.name,
             current_user.email)
    if not htmx:
        flash(_("Draft saved. The shop still shows the version in use until you release it."), "success")
        return redirect(url_for("staff.draft_form", catalog_id=catalog_id) + f"#{edit.target}-{edit.feature or edit.index}",
                        code=303)
    text = draft.source_text
    return render_template(
        "partials/_form_status.html", problem="", text=text, oob=True,
        check=live_check(text, catalog_id, replaces=True), catalog_id=catalog_id,
    )


@bp.post("/catalogs/<catalog_id>/draft/form/rule")
@catalog_editor_required
def draft_rule_check(catalog_id: str):
    """A rule as it is typed (htmx): highlighted, its first problem underlined at its place."""
    text = draft_text(catalog_id)
    options = form.option_ids(text)
    rule = rule_text.read_rule(request.form.get("value", "")[: form.MAX_FIELD_CHARS], options)
    field_id = request.form.get("field_id", "")
    return render_template("partials/_rule_text.html", rule=rule,
                           field_id=field_id if FIELD_ID.match(field_id) else "rule-view")
