"""Managers and administrators keep the business accounts here: open and edit
an account, its contacts and its price list, and our quantity breaks.

Sales staff see the same facts on the account page (read only); these pages
and every change need a manager or an administrator. A refused change shows
the page again with the reason and what was typed (400), nothing half saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.quoting import BreakMode
from configurator.quoting.money import CURRENCY_DIGITS
from configurator.services import business, catalogs
from configurator.services.business.accounts import InvalidAccountData
from configurator.store.quotes import CONTACT_ROLES, TAX_TREATMENTS
from configurator.web.database import db
from configurator.web.i18n import error_text
from configurator.web.staff import bp
from configurator.web.staff.roles import editor_required, staff_required

BREAK_ROWS = 5  # empty tier rows offered on the quantity breaks form
CURRENCIES = sorted(CURRENCY_DIGITS)  # a price list's currency: the ones we round correctly


def _fields() -> business.admin.AccountFields:
    form = request.form
    return business.admin.AccountFields(
        name=form.get("name", ""),
        country=form.get("country", ""),
        vat_id=form.get("vat_id", ""),
        terms=form.get("terms", ""),
        tax_treatment=form.get("tax_treatment", "standard"),
        validity_days=form.get("validity_days", ""),
        approval_threshold=form.get("approval_threshold", ""),
        price_list_name=form.get("price_list_name", ""),
        currency=form.get("currency", ""),
    )


def _kept() -> dict[str, str]:
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


@bp.route("/accounts/new", methods=["GET", "POST"])
@editor_required
def account_new():
    """Open a business account."""
    error = None
    if request.method == "POST":
        try:
            account = business.admin.open_account(db.session, current_user, _fields())
        except InvalidAccountData as problem:
            error = error_text(problem)
        else:
            flash(_("Account %(name)s opened. Add its contacts and prices.", name=account.name), "success")
            return redirect(url_for("staff.account_edit", account_id=account.id), code=303)
    kept = _kept() if request.method == "POST" else {
        "approval_threshold": str(current_app.config["QUOTE_APPROVAL_THRESHOLD"]),
        "validity_days": "30",
    }
    return render_template(
        "staff/account_new.html", error=error, kept=kept, treatments=TAX_TREATMENTS,
        currencies=CURRENCIES,
    ), (400 if error else 200)


@bp.get("/accounts/<int:account_id>/edit")
@editor_required
def account_edit(account_id: int):
    """The account's details, contacts and price list, each with its form."""
    return edit_page(account_id)


def edit_page(account_id: int, status: int = 200, error: str | None = None,
              kept: dict[str, str] | None = None, notice: str | None = None):
    """The edit page, with a refusal and what was typed, or a one-time notice."""
    account = business.accounts.get_account(db.session, current_user, account_id)
    versions = catalogs.current_versions(db.session)
    chosen = request.values.get("catalog") or (versions[0].catalog_id if versions else "")
    options = []
    if chosen:
        try:
            options = business.prices.catalog_options(db.session, chosen)
        except InvalidAccountData as problem:
            error, status, chosen = error or error_text(problem), 400 if status == 200 else status, ""
    return render_template(
        "staff/account_edit.html",
        account=account,
        error=error,
        kept=kept or {},
        notice=notice,
        treatments=TAX_TREATMENTS,
        currencies=CURRENCIES,
        contact_roles=CONTACT_ROLES,
        versions=versions,
        chosen=chosen,
        options=options,
        own_breaks=business.prices.breaks_by_catalog(db.session, current_user, account.id),
        modes=[mode.value for mode in BreakMode],
        break_rows=BREAK_ROWS,
    ), status


def _change(account_id: int, action: Callable[[], Any], done: str):
    """Run one change; on refusal show the edit page again with the reason."""
    try:
        action()
    except InvalidAccountData as problem:
        return edit_page(account_id, 400, error_text(problem), _kept())
    flash(done, "success")
    return redirect(url_for("staff.account_edit", account_id=account_id), code=303)


@bp.post("/accounts/<int:account_id>/edit")
@editor_required
def account_update(account_id: int):
    """Save the account's details (approval threshold included)."""
    return _change(account_id, lambda: business.admin.update_account(
        db.session, current_user, account_id, _fields()), "Account details saved.")


@bp.post("/accounts/<int:account_id>/contacts")
@editor_required
def contact_invite(account_id: int):
    """Make an existing customer, by email, a contact of the account."""
    form = request.form
    return _change(account_id, lambda: business.admin.invite_contact(
        db.session, current_user, account_id, form.get("email", ""), form.get("contact_role", "")),
        "Contact added.")


@bp.post("/accounts/<int:account_id>/contacts/new")
@editor_required
def contact_create(account_id: int):
    """Create a user for a new contact and e-mail them an invitation to choose
    their password (nobody else ever knows it)."""
    form = request.form
    try:
        contact = business.admin.create_contact(
            db.session, current_user, account_id, form.get("email", ""), form.get("name", ""),
            form.get("contact_role", ""))
    except InvalidAccountData as problem:
        return edit_page(account_id, 400, error_text(problem), _kept())
    notice = _("%(name)s is a contact now. We e-mailed %(email)s a link to choose a password; "
               "it works once, for 7 days.", name=contact.user.name, email=contact.user.email)
    return edit_page(account_id, 201, notice=notice)


@bp.post("/accounts/<int:account_id>/contacts/<int:contact_id>/role")
@editor_required
def contact_role(account_id: int, contact_id: int):
    """Give a contact another role."""
    return _change(account_id, lambda: business.admin.change_contact_role(
        db.session, current_user, account_id, contact_id, request.form.get("contact_role", "")),
        "Contact role changed.")


@bp.post("/accounts/<int:account_id>/contacts/<int:contact_id>/remove")
@editor_required
def contact_remove(account_id: int, contact_id: int):
    """The user no longer speaks for the account."""
    return _change(account_id, lambda: business.admin.remove_contact(
        db.session, current_user, account_id, contact_id), "Contact removed.")


@bp.post("/accounts/<int:account_id>/prices/percent")
@editor_required
def price_percent(account_id: int):
    """A percentage off a whole product line for this account."""
    form = request.form
    return _change(account_id, lambda: business.prices.set_line_discount(
        db.session, current_user, account_id, form.get("catalog", ""), form.get("percent", "")),
        "Price list saved.")


@bp.post("/accounts/<int:account_id>/prices/option")
@editor_required
def price_option(account_id: int):
    """A fixed unit price for one option of a product line for this account."""
    form = request.form
    return _change(account_id, lambda: business.prices.set_fixed_option_price(
        db.session, current_user, account_id, form.get("catalog", ""), form.get("option", ""),
        form.get("price", "")), "Price list saved.")


@bp.post("/accounts/<int:account_id>/prices/<int:entry_id>/remove")
@editor_required
def price_remove(account_id: int, entry_id: int):
    """Take a line off the account's price list."""
    return _change(account_id, lambda: business.prices.remove_price_entry(
        db.session, current_user, account_id, entry_id), "Removed from the price list.")


@bp.post("/accounts/<int:account_id>/breaks")
@editor_required
def account_breaks(account_id: int):
    """The account's own quantity breaks of a product line (no tiers: ours apply again)."""
    form = request.form
    rows = list(zip(form.getlist("min_quantity"), form.getlist("percent"), strict=False))
    return _change(account_id, lambda: business.prices.set_breaks(
        db.session, current_user, form.get("catalog", ""), rows, form.get("mode", "range"),
        account_id=account_id), "Quantity breaks of this account saved.")


@bp.get("/breaks")
@staff_required
def breaks():
    """Our quantity breaks per product line (managers and admins may change them)."""
    return breaks_page()


def breaks_page(status: int = 200, error: str | None = None, failed: str = ""):
    """The quantity breaks page, with a refusal for the product line `failed`."""
    return render_template(
        "staff/breaks.html",
        grouped=business.prices.breaks_by_catalog(db.session, current_user),
        versions=catalogs.current_versions(db.session),
        modes=[mode.value for mode in BreakMode],
        rows=BREAK_ROWS,
        error=error,
        failed=failed,
        may_edit=current_user.is_manager or current_user.is_admin,
    ), status


@bp.post("/breaks/<catalog_id>")
@editor_required
def breaks_save(catalog_id: str):
    """Replace a product line's quantity breaks with the tiers typed in."""
    form = request.form
    rows = list(zip(form.getlist("min_quantity"), form.getlist("percent"), strict=False))
    try:
        business.prices.set_breaks(db.session, current_user, catalog_id, rows,
                                   form.get("mode", "range"))
    except InvalidAccountData as problem:
        return breaks_page(400, error_text(problem), catalog_id)
    flash(_("Quantity breaks of %(catalog)s saved.", catalog=catalog_id), "success")
    return redirect(url_for("staff.breaks"), code=303)


@bp.errorhandler(business.admin.NotAllowed)
def not_allowed(error: business.admin.NotAllowed):
    """A seller without the role to change accounts: 403 with the reason."""
    from configurator.web.errors import error_response

    return error_response(403, error_text(error))
