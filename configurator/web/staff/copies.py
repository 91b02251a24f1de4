"""Copying a quote: staff pick the account (the quote's own by default) and get a
new draft with its lines, repriced at today's prices, the differences told.
Quote templates: a quote's lines kept under a name, and new quotes started from one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.quoting import QuoteError
from configurator.services import business, quotes
from configurator.services.errors import InvalidSelection
from configurator.web.database import db
from configurator.web.i18n import error_text, money, signed_money
from configurator.web.staff import bp
from configurator.web.staff.roles import staff_required
from configurator.web.staff.routes import quote_page

ID_MAX = 2**31 - 1  # a database integer: a longer number is no account


@bp.route("/quotes/<int:quote_id>/copy", methods=["GET", "POST"])
@staff_required
def copy_quote(quote_id: int):
    """GET: which account the copy is for. POST: make the copy and open it."""
    source = quotes.records.load(db.session, current_user, quote_id).record
    accounts = business.accounts.list_accounts(db.session, current_user)
    if request.method == "GET":
        return render_template("staff/copy.html", record=source, accounts=accounts)
    raw = request.form.get("account_id", "").strip()
    if raw and _id(raw) is None:
        return _refused(source, accounts, _("Choose one of the accounts listed."))
    try:
        copied = quotes.drafts.copy(
            db.session, current_user, quote_id, account_id=int(raw) if raw else None
        )
    except (QuoteError, InvalidSelection) as error:
        return _refused(source, accounts, error_text(error))
    record, report = copied.record, copied.report
    if report is None:
        flash(_("%(number)s is a copy of %(source)s. It was not repriced: %(reason)s",
                number=record.number, source=source.number, reason=copied.not_repriced), "error")
    else:
        currency = report.after.currency
        changed = [
            _("%(line)s: %(before)s → %(after)s (%(difference)s)", line=line.line_id,
              before=money(line.old_net), after=money(line.new_net),
              difference=signed_money(line.difference))
            for line in report.lines if line.difference
        ]
        flash(_("%(number)s is a copy of %(source)s, repriced at today's prices: net "
                "%(before)s → %(after)s %(currency)s.", number=record.number,
                source=source.number, before=money(report.before.net_total),
                after=money(report.after.net_total), currency=currency)
              + " " + ("; ".join(changed) if changed else _("No line's price changed.")),
              "success")
    return redirect(url_for("staff.quote", quote_id=record.id), code=303)


def _refused(source, accounts, message: str):
    return render_template(
        "staff/copy.html", record=source, accounts=accounts, error=message
    ), 400


def _id(raw: str) -> int | None:
    """A posted id, or None when it cannot be one."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) <= ID_MAX else None


@bp.post("/quotes/<int:quote_id>/template")
@staff_required
def save_template(quote_id: int):
    """Keep the quote's lines and discount as a named template."""
    try:
        template = quotes.templates.save(
            db.session, current_user, quote_id, request.form.get("template_name", "")
        )
    except QuoteError as error:
        return quote_page(quote_id, 400, error_text(error))
    flash(_("Template “%(name)s” saved. Start new quotes from it on the templates page.",
            name=template.name), "success")
    return redirect(url_for("staff.quote", quote_id=quote_id), code=303)


@bp.get("/templates")
@staff_required
def templates_page():
    """Every quote template, each with the account to start a quote for."""
    return render_template(
        "staff/templates.html",
        templates=quotes.templates.all_templates(db.session, current_user),
        accounts=business.accounts.list_accounts(db.session, current_user),
    )


@bp.post("/templates/<int:template_id>/quotes")
@staff_required
def start_from_template(template_id: int):
    """A new draft for the chosen account from the template, priced today."""
    account_id = _id(request.form.get("account_id", ""))
    try:
        if account_id is None:
            raise InvalidSelection(_("Choose one of the accounts listed."))
        record = quotes.templates.start(db.session, current_user, template_id, account_id)
    except (QuoteError, InvalidSelection) as error:
        return render_template(
            "staff/templates.html",
            templates=quotes.templates.all_templates(db.session, current_user),
            accounts=business.accounts.list_accounts(db.session, current_user),
            error=error_text(error),
        ), 400
    flash(_("Quote %(number)s started from the template, at today's prices.",
            number=record.number), "success")
    return redirect(url_for("staff.quote", quote_id=record.id), code=303)
