"""Adding a quote line with the shop's live configurator, in the staff layout.

The configurator is the same engine, the same form and feature fragments and
the same htmx round trip as the shop's (a pick is answered with only the
features that changed, `workbench.respond`), with a staff summary: quantity,
line kind and "Add to quote". It is evaluated with the client account's
facts (a business customer in its country), not the staff member's, so the
options offered are those the client may buy. A line may start from any past
configuration of the account's contacts, re-checked against today's catalog.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_htmx import make_response
from flask_login import current_user

from configurator.quoting import QuoteError
from configurator.services import business, catalogs, configuring, quotes
from configurator.services.errors import InvalidSelection, QuoteChanged
from configurator.web import workbench
from configurator.web.database import db
from configurator.web.extensions import htmx
from configurator.web.i18n import error_text
from configurator.web.staff import bp, forms
from configurator.web.staff.roles import staff_required

LINE_SUMMARY = "partials/_line_summary.html"  # quantity, kind and "Add to quote"


@bp.route("/quotes/<int:quote_id>/configure/<catalog_id>", methods=["GET", "POST"])
@staff_required
def configure_line(quote_id: int, catalog_id: str):
    """The live configurator for a new line: full page, or the fragment for htmx."""
    loaded = quotes.records.load(db.session, current_user, quote_id)
    account = loaded.record.account
    version = workbench.current_version(catalog_id)
    catalog = catalogs.engine_catalog(version)
    facts = business.accounts.customer_facts(account)
    notice, problems, source_id = None, [], request.values.get("source", type=int)
    if request.method == "POST":
        selection, problems = workbench.posted_selection(catalog)
        selection, notice = configuring.actions.apply_action(
            catalog, selection, request.form.get("action", ""), facts, {}
        )
    else:
        selection, notice, source_id = _starting_point(account, catalog_id)
    return _render(loaded.record, version, catalog, selection, problems, notice, source_id)


@bp.post("/quotes/<int:quote_id>/configure/<catalog_id>/add")
@staff_required
def add_line(quote_id: int, catalog_id: str):
    """Add the configured selection to the quote with its quantity."""
    loaded = quotes.records.load(db.session, current_user, quote_id)
    version = workbench.current_version(catalog_id)
    catalog = catalogs.engine_catalog(version)
    selection, problems = workbench.posted_selection(catalog)
    source_id = request.form.get("source", type=int)
    try:
        if problems:
            raise InvalidSelection(" ".join(problems))
        record = quotes.lines.add_line(
            db.session, current_user, quote_id, catalog_id, selection,
            forms.quantity(request.form.get("quantity")),
            version=forms.version(request.form.get("version")),
            kind=quotes.lines.line_kind(request.form.get("kind", "")),
            alternative_to=request.form.get("alternative_to") or None,
            source_configuration_id=source_id,
        )
    except (InvalidSelection, QuoteError, forms.FormProblem, QuoteChanged) as error:
        status = 409 if isinstance(error, QuoteChanged) else 400
        return _render(loaded.record, version, catalog, selection, [error_text(error)], None, source_id,
                       status)
    flash(_("Line added to %(number)s.", number=record.number), "success")
    location = url_for("staff.quote", quote_id=quote_id)
    if htmx:
        return make_response("", 200, redirect=location)
    return redirect(location, code=303)


@bp.route("/quotes/<int:quote_id>/lines/<line_id>/reconfigure", methods=["GET", "POST"])
@staff_required
def reconfigure_line(quote_id: int, line_id: str):
    """The live configurator for a draft line, starting from its picks re-checked against
    today's catalog (the one-click repair of a line with a retired option)."""
    loaded = quotes.records.load(db.session, current_user, quote_id)
    row = _line_row(loaded.record, line_id)
    version = workbench.current_version(row.catalog_id)
    catalog = catalogs.engine_catalog(version)
    facts = business.accounts.customer_facts(loaded.record.account)
    notice, problems = None, []
    if request.method == "POST":
        selection, problems = workbench.posted_selection(catalog)
        selection, notice = configuring.actions.apply_action(
            catalog, selection, request.form.get("action", ""), facts, {}
        )
    else:
        try:
            start = quotes.lines.restart_line(db.session, current_user, quote_id, line_id)
        except QuoteError as error:  # a sent quote: nothing to reconfigure
            flash(error_text(error), "error")
            return redirect(url_for("staff.quote", quote_id=quote_id), code=303)
        selection, notice = start.selection, start.notice
    return _render(loaded.record, version, catalog, selection, problems, notice, None,
                   line=row)


@bp.post("/quotes/<int:quote_id>/lines/<line_id>/reconfigure/save")
@staff_required
def save_reconfigured_line(quote_id: int, line_id: str):
    """Replace the line's configuration with the one configured."""
    loaded = quotes.records.load(db.session, current_user, quote_id)
    row = _line_row(loaded.record, line_id)
    version = workbench.current_version(row.catalog_id)
    catalog = catalogs.engine_catalog(version)
    selection, problems = workbench.posted_selection(catalog)
    try:
        if problems:
            raise InvalidSelection(" ".join(problems))
        quotes.lines.reconfigure_line(
            db.session, current_user, quote_id, line_id, selection,
            forms.quantity(request.form.get("quantity")),
            version=forms.version(request.form.get("version")),
        )
    except (InvalidSelection, QuoteError, forms.FormProblem, QuoteChanged) as error:
        status = 409 if isinstance(error, QuoteChanged) else 400
        return _render(loaded.record, version, catalog, selection, [error_text(error)], None, None,
                       status, line=row)
    flash(_("Line %(line)s reconfigured.", line=line_id), "success")
    location = url_for("staff.quote", quote_id=quote_id)
    if htmx:
        return make_response("", 200, redirect=location)
    return redirect(location, code=303)


def _line_row(record, line_id: str):
    row = next((row for row in record.lines if row.line_id == line_id), None)
    if row is None:
        abort(404)
    return row


def _starting_point(account, catalog_id: str):
    """Selection, notice and source for a fresh page: empty, or a past configuration."""
    from_id = request.args.get("from", type=int)
    if not from_id:
        return {}, None, None
    try:
        start = quotes.lines.start_from(db.session, current_user, account, catalog_id, from_id)
    except InvalidSelection as refused:  # a configuration of another product line
        flash(error_text(refused), "error")
        return {}, None, None
    return start.selection, start.notice, start.source_id


def _render(record, version, catalog, selection, problems, notice, source_id, status=200,
            line=None):
    """The page, the form's fragment, or for a pick only what changed (as in the shop).

    With `line`, the page reconfigures that line instead of adding one."""
    facts = business.accounts.customer_facts(record.account)
    state = workbench.evaluate_for(catalog, selection, facts, {}, problems=problems, notice=notice)
    if line is None:
        pick_url = url_for("staff.configure_line", quote_id=record.id,
                           catalog_id=version.catalog_id)
        add_url = url_for("staff.add_line", quote_id=record.id, catalog_id=version.catalog_id)
    else:
        pick_url = url_for("staff.reconfigure_line", quote_id=record.id, line_id=line.line_id)
        add_url = url_for("staff.save_reconfigured_line", quote_id=record.id,
                          line_id=line.line_id)
    return workbench.respond(
        "staff/configure.html",
        status,
        state=state,
        version=version,
        record=record,
        summary_template=LINE_SUMMARY,
        hidden_fields={"version": record.version_id, "source": source_id},
        quantity=request.form.get("quantity", str(line.quantity) if line else "1"),
        replacing=line,
        line_kind=request.form.get("kind", "included"),
        alternative_to=request.form.get("alternative_to", ""),
        included=included_lines(record),
        pick_url=pick_url,
        add_url=add_url,
    )


def included_lines(record) -> list[tuple[str, str]]:
    """(line id, title) of the quote's included lines: what an alternative may replace."""
    return [(row.line_id, row.title) for row in record.lines if row.kind == "included"]
