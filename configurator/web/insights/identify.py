"""Staff: likely duplicate customers, a merge with its preview, and undo
(staff only: the blueprint's `require_staff`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.services.identify import duplicates, merging
from configurator.web.database import db
from configurator.web.errors import error_response
from configurator.web.i18n import error_text
from configurator.web.insights import bp
from configurator.web.insights.forms import MergeForm


@bp.errorhandler(merging.MergeRefused)
def merge_refused(error: merging.MergeRefused):
    """A merge that cannot be (the same record, staff, already merged): say why."""
    return error_response(409, error_text(error))


@bp.get("/duplicates")
def duplicates_page():
    """Likely duplicates, each with a merge preview link, and the recent merges with undo."""
    return render_template(
        "insights/duplicates.html",
        pairs=duplicates.find(db.session, current_user),
        merges=merging.recent(db.session, current_user),
        form=MergeForm(),
    )


@bp.route("/customers/<int:kept_id>/merge/<int:merged_id>", methods=["GET", "POST"])
def merge(kept_id: int, merged_id: int):
    """GET: what merging would move. POST: merge, in one transaction."""
    form = MergeForm()
    if form.validate_on_submit():
        record = merging.merge(db.session, current_user, kept_id, merged_id)
        flash(_("Merged: customer %(merged)s into customer %(kept)s. You can undo it below.",
                merged=record.merged_id, kept=record.kept_id), "success")
        return redirect(url_for("insights.duplicates_page"), code=303)
    if form.is_submitted():
        return error_response(400, "The page had expired; nothing was merged. Try again.")
    shown = merging.preview(db.session, current_user, kept_id, merged_id)
    return render_template("insights/merge.html", preview=shown, form=form)


@bp.post("/merges/<int:merge_id>/undo")
def undo_merge(merge_id: int):
    """Move back exactly what the merge moved."""
    if not MergeForm().validate_on_submit():
        return error_response(400, "The page had expired; nothing was undone. Try again.")
    merging.undo(db.session, current_user, merge_id)
    flash(_("The merge is undone: both customers have their own records again."), "success")
    return redirect(url_for("insights.duplicates_page"), code=303)
