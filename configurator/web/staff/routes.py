"""Staff pages: quote list and search, accounts with their history, the quote
editor with its price build-up, approvals, sending, revisions, print and PDF.

Every view is for seller-side roles (see `roles`); views parse the form, call
one service and map its refusals to a clear message with a 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.quoting import NotAllowedToApprove, QuoteError, Status
from configurator.services import business, catalogs, fulfilment, insights, quotes, timeline
from configurator.services.errors import InvalidSelection, NotFound, QuoteChanged
from configurator.store.quotes import QUOTE_STATUSES
from configurator.web.database import db
from configurator.web.errors import error_response
from configurator.web.i18n import error_text, locale_code, translate
from configurator.web.pdf import pdf_response
from configurator.web.staff import bp, forms
from configurator.web.staff.lines import included_lines
from configurator.web.staff.roles import (
    admin_required,
    approver_required,
    staff_required,
)


@bp.app_template_global()
def quote_total(record) -> Decimal:
    """A quote row's gross total, for the quote lists."""
    return quotes.records.gross_total(record)


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    """A missing quote or account: a plain 404."""
    return error_response(404, error_text(error))


@bp.get("/")
@staff_required
def home():
    """The staff area starts at the quote list."""
    return redirect(url_for("staff.quotes_list"))


@bp.get("/quotes")
@staff_required
def quotes_list():
    """Quotes by number, client, status and product line; and those expiring this week."""
    text = request.args.get("q", "")
    status = request.args.get("status", "")
    product = request.args.get("product", "")
    if status and status not in QUOTE_STATUSES:
        status = ""
    rows = quotes.search.search(
        db.session, current_user, text=text, status=status, catalog_id=product
    )
    return render_template(
        "staff/quotes.html",
        rows=rows,
        expiring=quotes.search.expiring_this_week(db.session, current_user),
        text=text,
        status=status,
        product=product,
        statuses=QUOTE_STATUSES,
        versions=catalogs.current_versions(db.session),
    )


@bp.get("/approvals")
@approver_required
def approvals():
    """Quotes waiting for approval, with discount, margin, value, requester, reason and steps."""
    return render_template(
        "staff/approvals.html", pending=quotes.approvals.pending(db.session, current_user)
    )


@bp.get("/accounts")
@staff_required
def accounts_list():
    """Every business account."""
    return render_template(
        "staff/accounts.html", accounts=business.accounts.list_accounts(db.session, current_user)
    )


@bp.get("/accounts/<int:account_id>")
@staff_required
def account(account_id: int):
    """An account's contacts and whole history across product lines."""
    history = business.accounts.history(db.session, current_user, account_id)
    own_breaks = business.prices.breaks_by_catalog(db.session, current_user, account_id)
    # Interaction kinds labelled about the customer (third person), in the reader's language.
    bundle = insights.account_bundle(db.session, current_user, history.account,
                                     language=locale_code())
    return render_template("staff/account.html", history=history, own_breaks=own_breaks,
                           bundle=bundle, describe_kind=timeline.describe_for_staff)


@bp.post("/accounts/<int:account_id>/quotes")
@staff_required
def new_quote(account_id: int):
    """Start a draft quote for the account."""
    record = quotes.drafts.create(db.session, current_user, account_id)
    flash(_("Quote %(number)s created. Add its lines.", number=record.number), "success")
    return redirect(url_for("staff.quote", quote_id=record.id), code=303)


@bp.get("/quotes/<int:quote_id>")
@staff_required
def quote(quote_id: int):
    """The quote: lines with their price build-up, totals, status and next steps."""
    return quote_page(quote_id)


def quote_page(quote_id: int, status: int = 200, error: str | None = None,
               kept: dict[str, Any] | None = None):
    """The quote page, with an error message (and the refused input) when given."""
    # The printable form, as the print page and the client see it: its lines name the
    # product line and the options in the reader's language.
    document = quotes.printing.printable(db.session, current_user, quote_id, language=locale_code())
    loaded, priced = document.loaded, document.priced
    record, quote = loaded.record, loaded.quote
    misfits = (
        quotes.lines.misfits(db.session, record)
        if record.status in ("draft", "pending_approval", "approved", "sent", "accepted")
        else []
    )
    return render_template(
        "staff/quote.html",
        record=record,
        quote=quote,
        document=document,
        lines=document.lines,
        totals=priced.totals,
        max_discount=priced.max_discount_percent,
        needs_approval=quotes.approvals.needs_approval(loaded, current_user),
        approval_request=(
            quotes.approvals.request_of(db.session, current_user, record)
            if record.current_status == "pending_approval" else None
        ),
        revisions=quotes.search.revisions(db.session, current_user, quote_id),
        events=quotes.search.history(db.session, current_user, quote_id),
        versions=catalogs.current_versions(db.session),
        past=business.accounts.past_configurations(db.session, record.account)[:20],
        included=included_lines(record),
        margin=quotes.margins.of_quote(current_user, loaded),
        misfits=misfits,
        preview=(
            None if misfits or quote.frozen
            else quotes.drafts.preview_reprice(db.session, current_user, quote_id)
        ),
        error=error,
        kept=kept or {},
        Status=Status,
    ), status


def _act(quote_id: int, action: Callable[[], Any], done: str):
    """Run one change of the quote; on refusal show the quote again with the reason."""
    try:
        action()
    except QuoteChanged as error:
        kept = {key: value for key, value in request.form.items() if key != "csrf_token"}
        return quote_page(quote_id, 409, error_text(error), kept)
    except NotAllowedToApprove as error:
        return quote_page(quote_id, 403, error_text(error))
    except (QuoteError, InvalidSelection, forms.FormProblem) as error:
        kept = {key: value for key, value in request.form.items() if key != "csrf_token"}
        return quote_page(quote_id, 400, error_text(error), kept)
    flash(done, "success")
    return redirect(url_for("staff.quote", quote_id=quote_id), code=303)


def _version() -> int | None:
    return forms.version(request.form.get("version"))


@bp.post("/quotes/<int:quote_id>/lines/<line_id>")
@staff_required
def change_line(quote_id: int, line_id: str):
    """Set a line's quantity and manual discount."""
    def change():
        quotes.lines.change_line(
            db.session, current_user, quote_id, line_id,
            quantity=forms.quantity(request.form.get("quantity")),
            discount=forms.discount(request.form.get("discount_percent"),
                                    request.form.get("discount_amount"),
                                    request.form.get("reason", "")),
            # A form without the kind fields (older page, API-like post) keeps the kind.
            kind=(
                None if "kind" not in request.form
                else quotes.lines.line_kind(request.form["kind"])
            ),
            alternative_to=request.form.get("alternative_to") or None,
            version=_version(),
        )
    return _act(quote_id, change, _("Line %(line)s updated.", line=line_id))


@bp.post("/quotes/<int:quote_id>/lines/<line_id>/lock")
@staff_required
def lock_line(quote_id: int, line_id: str):
    """Keep the line's price through reprices, or (locked=0) release it."""
    locked = request.form.get("locked", "1") != "0"
    return _act(quote_id, lambda: quotes.lines.lock_price(
        db.session, current_user, quote_id, line_id, locked=locked, version=_version()),
        _("Line %(line)s: price kept through reprices.", line=line_id) if locked
        else _("Line %(line)s: price released.", line=line_id))


@bp.post("/quotes/<int:quote_id>/lines/<line_id>/remove")
@staff_required
def remove_line(quote_id: int, line_id: str):
    """Remove a line."""
    return _act(quote_id, lambda: quotes.lines.remove_line(
        db.session, current_user, quote_id, line_id, version=_version()), _("Line %(line)s removed.", line=line_id))


@bp.post("/quotes/<int:quote_id>/discount")
@staff_required
def quote_discount(quote_id: int):
    """Set or remove the discount on the whole quote."""
    return _act(quote_id, lambda: quotes.drafts.set_discount(
        db.session, current_user, quote_id,
        forms.discount(request.form.get("discount_percent"), request.form.get("discount_amount"),
                       request.form.get("reason", "")),
        version=_version()), _("Quote discount updated."))


@bp.post("/quotes/<int:quote_id>/valid-until")
@staff_required
def valid_until(quote_id: int):
    """Change the valid-until date."""
    return _act(quote_id, lambda: quotes.drafts.set_valid_until(
        db.session, current_user, quote_id, forms.valid_until(request.form.get("valid_until")),
        version=_version()), _("Valid-until date changed."))


@bp.post("/quotes/<int:quote_id>/reprice")
@staff_required
def reprice(quote_id: int):
    """Reprice on today's catalog and the account's current price list."""
    return _act(quote_id, lambda: quotes.drafts.reprice(
        db.session, current_user, quote_id, version=_version()), _("Quote repriced."))


@bp.post("/quotes/<int:quote_id>/submit")
@staff_required
def submit(quote_id: int):
    """Ask a manager to approve the discounts."""
    return _act(quote_id, lambda: quotes.approvals.submit(
        db.session, current_user, quote_id, reason=request.form.get("reason", ""),
        version=_version()),
        _("Submitted for approval by a manager."))


@bp.post("/quotes/<int:quote_id>/approve")
@approver_required
def approve(quote_id: int):
    """A manager or director approves the discounts (or one step of the approval)."""
    return _act(quote_id, lambda: quotes.approvals.approve(
        db.session, current_user, quote_id, version=_version()), _("Discounts approved."))


@bp.post("/quotes/<int:quote_id>/reject")
@approver_required
def reject(quote_id: int):
    """A manager sends the quote back to draft with a reason."""
    return _act(quote_id, lambda: quotes.approvals.reject(
        db.session, current_user, quote_id, request.form.get("reason", ""), version=_version()),
        _("Approval refused; the quote is a draft again."))


@bp.post("/quotes/<int:quote_id>/send")
@staff_required
def send(quote_id: int):
    """Send the quote to the client; this revision is frozen from now on."""
    return _act(quote_id, lambda: quotes.sending.send(
        db.session, current_user, quote_id, version=_version(),
        to_contacts=forms.chosen_contacts(request.form), attach_pdf=True),
        _("Quote sent. The e-mail with its PDF is queued for the chosen contacts. The client's "
          "contacts can now see, accept or decline it."))


@bp.post("/quotes/<int:quote_id>/email")
@staff_required
def email_again(quote_id: int):
    """E-mail the sent quote again, with its PDF, to the contacts chosen."""
    return _act(quote_id, lambda: quotes.sending.email_again(
        db.session, current_user, quote_id,
        forms.chosen_contacts(request.form), attach_pdf=True),
        _("The e-mail with the quote's PDF is queued again for the chosen contacts."))


@bp.post("/quotes/<int:quote_id>/cancel")
@staff_required
def cancel(quote_id: int):
    """Withdraw the quote with a reason."""
    return _act(quote_id, lambda: quotes.sending.cancel(
        db.session, current_user, quote_id, request.form.get("reason", ""), version=_version()),
        _("Quote cancelled."))


@bp.post("/quotes/<int:quote_id>/revise")
@staff_required
def revise(quote_id: int):
    """Create the next revision of a sent, declined or expired quote."""
    try:
        record = quotes.drafts.revise(db.session, current_user, quote_id)
    except QuoteError as error:
        return quote_page(quote_id, 400, error_text(error))
    flash(_("Revision %(number)s created from the sent quote; change it and send it.",
            number=record.number), "success")
    return redirect(url_for("staff.quote", quote_id=record.id), code=303)


@bp.post("/quotes/<int:quote_id>/order")
@staff_required
def order(quote_id: int):
    """Turn the accepted quote into an order with its frozen prices."""
    try:
        placed = quotes.answers.convert_to_order(db.session, current_user, quote_id)
    except QuoteError as error:
        return quote_page(quote_id, 400, error_text(error))
    flash(_("Order %(number)s placed with the quote's prices.", number=placed.number), "success")
    return redirect(url_for("staff.quote", quote_id=quote_id), code=303)


@bp.get("/quotes/<int:quote_id>/order")
@staff_required
def quote_order(quote_id: int):
    """The order an accepted quote became: its lines with each configuration."""
    record = quotes.records.load(db.session, current_user, quote_id).record
    if record.order is None:
        raise NotFound("This quote has not become an order.")
    return render_template("staff/order.html", record=record, order=record.order)


@bp.get("/quotes/<int:quote_id>/compare")
@staff_required
def compare(quote_id: int):
    """What changed between two revisions of the quote."""
    other = request.args.get("with", type=int)
    if other is None:
        abort(400, _("Choose the revision to compare with."))
    diff = quotes.search.compare_revisions(db.session, current_user, quote_id, other)
    loaded = quotes.records.load(db.session, current_user, quote_id)
    return render_template("staff/compare.html", diff=diff, record=loaded.record)


@bp.get("/quotes/<int:quote_id>/print")
@staff_required
def print_page(quote_id: int):
    """The quote as the client reads it, for printing."""
    return render_printable(quote_id)


def render_printable(quote_id: int) -> str:
    """The printable quote page (shared with the client's view)."""
    return printable_html(quotes.printing.printable(db.session, current_user, quote_id,
                                                    language=locale_code()))


def printable_html(document: quotes.printing.Printable) -> str:
    """The print page of `document`, also the source of its PDF.

    ?prices=0 leaves out the line amounts (totals only), ?discounts=0 the
    price build-up and the quote discount (net prices only).
    """
    return render_template(
        "staff/print.html",
        document=document,
        record=document.loaded.record,
        quote=document.loaded.quote,
        lines=document.lines,
        totals=document.priced.totals,
        seller=document.seller,
        show_line_prices=request.args.get("prices") != "0",
        show_discounts=request.args.get("discounts") != "0",
    )


@bp.get("/quotes/<int:quote_id>/pdf")
@staff_required
def pdf(quote_id: int):
    """The quote as a PDF download."""
    return quote_pdf_response(quote_id)


def quote_pdf_response(quote_id: int) -> Response:
    """The quote's PDF, made from the print page's HTML (shared with the client's view)."""
    document = quotes.printing.printable(db.session, current_user, quote_id, language=locale_code())
    return pdf_response(printable_html(document), f"{document.loaded.record.number}.pdf")


@bp.get("/users")
@admin_required
def users():
    """The users and their roles (administrators only)."""
    from configurator.store.models import ROLES

    users = business.admin.list_users(db.session, current_user)
    return render_template("staff/users.html", users=users, roles=ROLES)


@bp.post("/users/<int:user_id>/role")
@admin_required
def user_role(user_id: int):
    """Give a user another role."""
    try:
        user = business.admin.set_user_role(db.session, current_user, user_id,
                                      request.form.get("role", ""))
    except business.accounts.InvalidAccountData as error:
        return error_response(400, error_text(error))
    flash(f"{user.email} is now {user.role}.", "success")
    return redirect(url_for("staff.users"), code=303)


@bp.post("/orders/<number>/status")
@staff_required
def order_status(number: str):
    """Move an order to its next status (confirmed, in production, shipped, ...)."""
    try:
        order = fulfilment.move(db.session, current_user, number, request.form.get("status", ""))
    except fulfilment.StatusRefused as refused:
        flash(error_text(refused), "error")
    else:
        flash(_("Order %(number)s is now %(status)s.", number=order.number,
                status=translate(fulfilment.status_word(order.status))), "success")
    return redirect(url_for("account.order_detail", number=number), code=303)
