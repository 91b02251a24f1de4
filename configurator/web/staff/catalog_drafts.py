"""The catalog workbench: a product line's draft in a YAML editor with a live
check, and its release (diff, impact, note, schedule), rollback and log.

Sellers and catalog managers may look; catalog managers (and administrators)
edit and release. The shop never reads a draft: it keeps the version in use
until a release.
"""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from configurator.quoting.phrases import N_
from configurator.services import catalogs, configuring
from configurator.services.errors import CatalogProblem, NotFound
from configurator.services.workbench import (
    background_check,
    check_answers,
    drafts,
    releases,
    saved_view,
    whatif,
)
from configurator.services.workbench import graph as workbench_graph
from configurator.web import workbench
from configurator.web.database import db
from configurator.web.errors import error_response
from configurator.web.i18n import error_text, number, translate
from configurator.web.staff import bp
from configurator.web.staff.roles import catalog_editor_required, catalog_reader_required

log = logging.getLogger(__name__)

DUE_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> posts
GRAPH_ROW = re.compile(r"p\d{1,5}-c\d{1,5}\Z")  # a row of a big graph to open: part and community


def init_draft_checks(app) -> None:
    """The app's live draft checks, their answers shared with the other web processes through DRAFT_CHECK_DIR."""
    directory = app.config.get("DRAFT_CHECK_DIR") or Path(tempfile.gettempdir()) / f"draft-checks-{uuid.uuid4().hex}"
    app.extensions["draft_checks"] = background_check.DraftChecks(check_answers.CheckAnswers(directory))


def draft_checks() -> background_check.DraftChecks:
    """This app's live draft checks."""
    return current_app.extensions["draft_checks"]


def live_check(text: str, catalog_id: str, replaces: bool = False) -> drafts.DraftCheck | background_check.Pending:
    """The check of a draft's text: the full check, its findings while it counts, or Pending.

    The page then asks `draft_check_ready` by the text's fingerprint. `replaces`:
    the text typed in the editor replaces the draft's older texts, whose checks stop.
    """
    return draft_checks().check_soon(text, catalog_id, current_app.config["DRAFT_CHECK_WAIT"], replaces)


def _editor(catalog_id: str, status: int = 200, text: str | None = None, problem: str = ""):
    """The editor page: the draft's text (or `text` as posted) beside its check."""
    version = catalogs.current(db.session, catalog_id)
    draft = drafts.find(db.session, catalog_id)
    if text is None:
        text = draft.source_text if draft else version.source_text
    return render_template(
        "staff/draft.html",
        version=version,
        draft=draft,
        text=text,
        check=live_check(text, catalog_id),
        catalog_id=catalog_id,
        problem=problem,
        can_edit=current_user.can_edit_catalogs,
        max_mib=drafts.MAX_DRAFT_CHARS // (1024 * 1024),
    ), status


@bp.get("/catalogs/<catalog_id>/draft")
@catalog_reader_required
def draft_page(catalog_id: str):
    """The draft of a product line (or the version in use when there is none)."""
    return _editor(catalog_id)


@bp.post("/catalogs/<catalog_id>/draft/check")
@catalog_editor_required
def draft_check(catalog_id: str):
    """The live check of the text being typed (htmx): problems at their lines, findings."""
    catalogs.current(db.session, catalog_id)  # 404 for an unknown product line
    text = request.form.get("text", "")
    return render_template("partials/_draft_check.html", check=live_check(text, catalog_id, replaces=True),
                           catalog_id=catalog_id)


@bp.get("/catalogs/<catalog_id>/draft/check/<key>")
@catalog_reader_required
def draft_check_ready(catalog_id: str, key: str):
    """The check a page is waiting for, by its text's fingerprint (htmx polls this while "checking…"
    and, with `counting=1`, while the page shows the findings and waits for the count).

    A fingerprint no web process checks (any more) makes an editor's page send
    its text again; a reader, who may not post, gets the check of the stored draft.
    """
    text = draft_text(catalog_id)  # 404 for an unknown product line
    check = draft_checks().ready(key, current_app.config["DRAFT_CHECK_WAIT"], request.args.get("counting") == "1")
    if check is None and current_user.can_edit_catalogs:
        return render_template("partials/_draft_check.html", check=None, resend=True, catalog_id=catalog_id)
    if check is None:
        check = live_check(text, catalog_id)
    return render_template("partials/_draft_check.html", check=check, catalog_id=catalog_id)


def draft_text(catalog_id: str) -> str:
    """The draft's text, or the version in use's when nobody started a draft."""
    version = catalogs.current(db.session, catalog_id)
    draft = drafts.find(db.session, catalog_id)
    return draft.source_text if draft else version.source_text


@bp.post("/catalogs/<catalog_id>/draft")
@catalog_editor_required
def draft_save(catalog_id: str):
    """Keep the posted text, or an uploaded file, as the draft (problems and all)."""
    catalogs.current(db.session, catalog_id)
    upload = request.files.get("catalog_file")
    if upload is not None and upload.filename:
        data = upload.stream.read(drafts.MAX_DRAFT_CHARS + 1)
        name = secure_filename(upload.filename) or "upload.yaml"
        if len(data) > drafts.MAX_DRAFT_CHARS:
            return _editor(catalog_id, 413,
                           problem=_("%(name)s: the file is larger than %(size)s MiB.", name=name,
                                     size=number(drafts.MAX_DRAFT_CHARS // (1024 * 1024))))
        try:
            text = drafts.decode_upload(data, name)
            if request.form.get("import_format"):
                text = drafts.imported_text(text, name, request.form["import_format"], catalog_id)
        except CatalogProblem as problem:
            return _editor(catalog_id, 400, problem=error_text(problem))
    else:
        text = request.form.get("text", "")
    try:
        drafts.save(db.session, catalog_id, text, current_user)
    except CatalogProblem as problem:
        return _editor(catalog_id, 400, text=text[:1000], problem=error_text(problem))
    log.info("catalog draft %s saved by %s", catalog_id, current_user.email)
    flash(_("Draft saved. The shop still shows the version in use until you release it."), "success")
    return redirect(url_for("staff.draft_page", catalog_id=catalog_id), code=303)


@bp.get("/catalogs/<catalog_id>/draft.yaml")
@catalog_reader_required
def draft_download(catalog_id: str):
    """The draft's text as a file (the version in use when there is no draft)."""
    text = draft_text(catalog_id)
    return Response(text, mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{catalog_id}.yaml"'})


@bp.post("/catalogs/<catalog_id>/draft/discard")
@catalog_editor_required
def draft_discard(catalog_id: str):
    """Drop the draft."""
    drafts.discard(db.session, catalog_id)
    flash(_("Draft discarded."), "success")
    return redirect(url_for("staff.draft_page", catalog_id=catalog_id), code=303)


def _release_page(catalog_id: str, status: int = 200, problem: str = "", problems=()):
    version = catalogs.current(db.session, catalog_id)
    draft = drafts.find(db.session, catalog_id)
    return render_template(
        "staff/release.html",
        catalog_id=catalog_id,
        version=version,
        preview=releases.preview(db.session, catalog_id) if draft else None,
        log=releases.log(db.session, catalog_id),
        versions=list(reversed(catalogs.versions(db.session, catalog_id))),
        problem=problem,
        problems=list(problems),
        can_edit=current_user.can_edit_catalogs,
    ), status


@bp.get("/catalogs/<catalog_id>/release")
@catalog_reader_required
def release_page(catalog_id: str):
    """What releasing the draft would change (diff and impact), and the release log."""
    return _release_page(catalog_id)


def _due_at() -> datetime | None:
    """The posted date and time of a scheduled release (UTC), None for now; ValueError if unreadable."""
    raw = request.form.get("due_at", "").strip()
    if not raw:
        return None
    return datetime.strptime(raw, DUE_FORMAT).replace(tzinfo=UTC)


@bp.post("/catalogs/<catalog_id>/release")
@catalog_editor_required
def release(catalog_id: str):
    """Release the draft now, or schedule it for the date given."""
    note = request.form.get("note", "")
    try:
        due_at = _due_at()
    except ValueError:
        return _release_page(catalog_id, 400, _("Give the release date as YYYY-MM-DDTHH:MM (UTC)."))
    try:
        if due_at is None:
            entry = releases.release(db.session, catalog_id, current_user, note)
            message = N_("%(catalog)s version %(number)s is released.", catalog=catalog_id, number=entry.version.number)
        else:
            releases.schedule(db.session, catalog_id, current_user, note, due_at)
            message = N_("The release of %(catalog)s is scheduled for %(when)s UTC.", catalog=catalog_id,
                         when=f"{due_at:%Y-%m-%d %H:%M}")
    except releases.ReleaseRefused as refused:
        return _release_page(catalog_id, 400, error_text(refused))
    except CatalogProblem as problem:
        return _release_page(catalog_id, 400, error_text(problem), problem.problems)
    log.info("catalog %s: %s (by %s)", catalog_id, message, current_user.email)
    flash(translate(message), "success")
    return redirect(url_for("staff.release_page", catalog_id=catalog_id), code=303)


@bp.post("/catalogs/<catalog_id>/rollback")
@catalog_editor_required
def rollback(catalog_id: str):
    """Withdraw the version in use: the one before is current again."""
    try:
        entry = releases.roll_back(db.session, catalog_id, current_user, request.form.get("note", ""))
    except releases.ReleaseRefused as refused:
        return _release_page(catalog_id, 400, error_text(refused))
    log.info("catalog %s rolled back to version %d by %s", catalog_id, entry.version.number,
             current_user.email)
    flash(_("%(catalog)s is back at version %(number)s.", catalog=catalog_id, number=entry.version.number), "success")
    return redirect(url_for("staff.release_page", catalog_id=catalog_id), code=303)


@bp.post("/catalogs/<catalog_id>/scheduled/<int:release_id>/cancel")
@catalog_editor_required
def cancel_release(catalog_id: str, release_id: int):
    """Cancel a scheduled release."""
    try:
        releases.cancel(db.session, release_id, catalog_id)
    except NotFound as missing:
        return error_response(404, str(missing))
    flash(_("The scheduled release is cancelled."), "success")
    return redirect(url_for("staff.release_page", catalog_id=catalog_id), code=303)


@bp.get("/catalogs/<catalog_id>/saved/<kind>/<int:record_id>")
@catalog_reader_required
def saved_work(catalog_id: str, kind: str, record_id: int):
    """Saved work from the impact list, read only: its picks and its price now and with the draft."""
    try:
        view = saved_view.describe(db.session, catalog_id, kind, record_id)
    except NotFound as missing:
        return error_response(404, str(missing))
    return render_template("staff/saved_work.html", catalog_id=catalog_id, view=view)


@bp.get("/catalogs/<catalog_id>/graph")
@catalog_reader_required
def graph_page(catalog_id: str):
    """The constraint graph of the draft (or the version in use) as SVG; a clicked feature's rules."""
    model, shown = workbench_graph.shown_model(db.session, catalog_id, request.args.get("of") != "current")
    feature_id = request.args.get("feature", "")
    chosen = workbench_graph.feature_rules(model, feature_id) if feature_id else None
    if feature_id and chosen is None:
        return error_response(404, f"{catalog_id} has no feature called {feature_id!r}.")
    opened = frozenset(row for row in request.args.getlist("open")[:20] if GRAPH_ROW.match(row))
    return render_template(
        "staff/graph.html", catalog_id=catalog_id, name=model.name, shown=shown,
        picture=workbench_graph.picture(model, feature_id or None, opened), chosen=chosen,
        of=request.args.get("of", "draft"),
    )


@bp.route("/catalogs/<catalog_id>/try", methods=["GET", "POST"])
@catalog_reader_required
def try_page(catalog_id: str):
    """The real configurator on the draft, for the customer facts chosen (nothing is saved)."""
    catalog, shown = drafts.try_catalog(db.session, catalog_id)
    facts_form = {key: request.values.get(f"as.{key}", "") for key in ("segment", "country", "tier")}
    facts = drafts.customer_facts(**facts_form)
    notice, problems, selection = None, [], {}
    if request.method == "POST":
        selection, problems = workbench.posted_selection(catalog)
        selection, notice = configuring.actions.apply_action(
            catalog, selection, request.form.get("action", ""), facts, {}
        )
    state = workbench.evaluate_for(catalog, selection, facts, {}, problems=problems, notice=notice)
    return workbench.respond(
        "staff/try.html",
        state=state,
        catalog_id=catalog_id,
        shown=shown,
        facts=facts,
        facts_form=facts_form,
        summary_template="partials/_try_summary.html",
        hidden_fields={f"as.{key}": value for key, value in facts_form.items()},
        pick_url=url_for("staff.try_page", catalog_id=catalog_id),
    )


@bp.get("/catalogs/<catalog_id>/what-if")
@catalog_reader_required
def what_if(catalog_id: str):
    """What if an option's price changed, or a rule were removed (on the draft, nothing released)."""
    catalog, shown = drafts.try_catalog(db.session, catalog_id)
    answer, problem, status = None, "", 200
    try:
        if request.args.get("rule"):
            answer = whatif.rule_removed(db.session, catalog_id, request.args["rule"])
        elif request.args.get("option"):
            answer = whatif.price_change(
                db.session, catalog_id, request.args["option"], request.args.get("price", "")
            )
    except whatif.WhatIfRefused as refused:
        problem, status = error_text(refused), 400
    return render_template(
        "staff/what_if.html", catalog_id=catalog_id, model=catalog.model, shown=shown,
        answer=answer, problem=problem, args=request.args,
    ), status
