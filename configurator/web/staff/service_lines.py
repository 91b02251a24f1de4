"""Service and free-text lines on the staff quote page (freight, installation):
add, change, remove. htmx posts get the panel back with the reason when refused,
and a redirect to the refreshed quote (new totals) when saved; a plain form post
gets the quote page either way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_htmx import make_response
from flask_login import current_user

from configurator.quoting import QuoteError
from configurator.services import quotes
from configurator.services.errors import QuoteChanged
from configurator.web.database import db
from configurator.web.extensions import htmx
from configurator.web.i18n import error_text
from configurator.web.staff import bp, forms
from configurator.web.staff.roles import staff_required
from configurator.web.staff.routes import quote_page

PANEL = "partials/_service_lines.html"


@bp.post("/quotes/<int:quote_id>/services")
@staff_required
def add_service(quote_id: int):
    """Add a service line."""
    return _act(quote_id, lambda: quotes.service_lines.add_service(
        db.session, current_user, quote_id, forms.service(request.form), version=_version()),
        _("Service line added."))


@bp.post("/quotes/<int:quote_id>/services/<line_id>")
@staff_required
def change_service(quote_id: int, line_id: str):
    """Save a service line's text, quantity, price, cost and VAT rate."""
    return _act(quote_id, lambda: quotes.service_lines.change_service(
        db.session, current_user, quote_id, line_id, forms.service(request.form),
        version=_version()), _("Line %(line)s updated.", line=line_id))


@bp.post("/quotes/<int:quote_id>/services/<line_id>/remove")
@staff_required
def remove_service(quote_id: int, line_id: str):
    """Remove a service line."""
    return _act(quote_id, lambda: quotes.service_lines.remove_service(
        db.session, current_user, quote_id, line_id, version=_version()),
        _("Line %(line)s removed.", line=line_id))


def _version() -> int | None:
    return forms.version(request.form.get("version"))


def _act(quote_id: int, action: Callable[[], Any], done: str):
    try:
        action()
    except (QuoteError, QuoteChanged, forms.FormProblem) as error:
        status = 409 if isinstance(error, QuoteChanged) else 400
        if htmx:
            return _panel(quote_id, error_text(error), dict(request.form)), status
        kept = {key: value for key, value in request.form.items() if key != "csrf_token"}
        return quote_page(quote_id, status, error_text(error), kept)
    flash(done, "success")
    location = url_for("staff.quote", quote_id=quote_id)
    if htmx:  # the totals changed too: show the whole quote again
        return make_response("", 200, redirect=location)
    return redirect(location, code=303)


def _panel(quote_id: int, error: str, kept: dict[str, str]) -> str:
    loaded = quotes.records.load(db.session, current_user, quote_id)
    return render_template(PANEL, record=loaded.record, quote=loaded.quote,
                           service_error=error, service_kept=kept)
