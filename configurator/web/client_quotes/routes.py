"""Quotes as the client sees them: the account's sent quotes, accept or decline.

Only signed-in contacts of the quote's account see it, and only revisions
that were sent (never staff drafts); anyone else gets the same 404.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from configurator.quoting import QuoteError
from configurator.services import business, quotes
from configurator.services.errors import NotFound
from configurator.web.client_quotes import bp
from configurator.web.database import db
from configurator.web.errors import error_response
from configurator.web.i18n import error_text, locale_code
from configurator.web.staff.routes import quote_pdf_response, render_printable


@bp.app_context_processor
def quote_navigation():
    """Whether the signed-in customer speaks for a business account (for the menu)."""
    def is_account_contact() -> bool:
        if not current_user.is_authenticated or current_user.is_staff:
            return False
        try:
            return business.accounts.account_of(db.session, current_user) is not None
        except SQLAlchemyError:
            # An error page after a failed transaction: the menu must not fail it again.
            return False

    return {"is_account_contact": is_account_contact}


@bp.before_request
@login_required
def require_sign_in():
    """Every page here belongs to a signed-in contact."""


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    """Another account's or a missing quote: the same 404, no hint which."""
    return error_response(404, error_text(error))


@bp.get("/")
def index():
    """The quotes the contact's account received, newest first."""
    account = business.accounts.account_of(db.session, current_user)
    rows = quotes.search.for_client(db.session, current_user)
    return render_template("client_quotes/index.html", rows=rows, account=account)


@bp.get("/<int:quote_id>")
def detail(quote_id: int):
    """One quote with its prices, and accept / decline while it is open."""
    return _page(quote_id)


def _page(quote_id: int, status: int = 200, error: str | None = None):
    # The printable form: its lines name the product and options in the reader's language.
    document = quotes.printing.printable(db.session, current_user, quote_id, language=locale_code())
    if current_user.is_staff:
        raise NotFound("There is no such quote.")  # staff use the staff pages
    loaded, priced = document.loaded, document.priced
    return render_template(
        "client_quotes/quote.html",
        record=loaded.record,
        quote=loaded.quote,
        document=document,
        lines=document.lines,
        totals=priced.totals,
        error=error,
        now=quotes.search.today(),
    ), status


@bp.post("/<int:quote_id>/accept")
def accept(quote_id: int):
    """Accept the quote under the typed name, with the optional lines and alternatives
    ticked; the address and browser it came from are kept with the signature."""
    chosen = request.form.getlist("choose") + [
        value for key, value in request.form.items() if key.startswith("alternative-") and value
    ]
    try:
        record = quotes.answers.accept(
            db.session, current_user, quote_id, signature=request.form.get("signature", ""),
            chosen=chosen, address=request.remote_addr or "", user_agent=request.user_agent.string,
            signature_required=True,
        )
    except QuoteError as error:
        return _page(quote_id, 400, error_text(error))
    flash(_("Thank you: quote %(number)s is accepted. We will confirm your order.", number=record.number), "success")
    return redirect(url_for("client_quotes.detail", quote_id=quote_id), code=303)


@bp.post("/<int:quote_id>/decline")
def decline(quote_id: int):
    """Decline the quote with a reason."""
    try:
        record = quotes.answers.decline(db.session, current_user, quote_id,
                                request.form.get("reason", ""))
    except QuoteError as error:
        return _page(quote_id, 400, error_text(error))
    flash(_("Quote %(number)s declined. Thank you for telling us why.", number=record.number), "info")
    return redirect(url_for("client_quotes.detail", quote_id=quote_id), code=303)


@bp.get("/<int:quote_id>/print")
def print_page(quote_id: int):
    """The printable quote."""
    return render_printable(quote_id)


@bp.get("/<int:quote_id>/pdf")
def pdf(quote_id: int):
    """The quote as a PDF."""
    return quote_pdf_response(quote_id)
