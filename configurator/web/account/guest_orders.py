"""The link in a guest order's confirmation that adds the order to the account of
its address (services/guest_claims.py). As with the sign-up link, a mail scanner
opening it must not use it up: its page only asks, and its button (a POST with
the CSRF token) adds the order. Signed out, the blueprint sends the reader to
sign in first and back here."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from configurator.services import guest_claims
from configurator.web.account import bp
from configurator.web.database import db
from configurator.web.i18n import error_text


@bp.route("/guest-orders/add/<token>", methods=["GET", "POST"])
def add_guest_order(token: str):
    """GET: which order the link adds, and a button; POST: add it to this account."""
    form = FlaskForm()
    try:
        offered = guest_claims.invitation(db.session, current_user, token)
        if not form.validate_on_submit():
            return _page("account/guest_order_add.html", form=form, order=offered.order,
                         email=offered.email)
        order = guest_claims.claim_order(db.session, current_user, token)
    except guest_claims.ClaimRefused as refused:
        return _page("account/guest_order_refused.html", problem=error_text(refused),
                     status=refused.status)
    flash(_("Order %(number)s is now in your account.", number=order.number), "success")
    return redirect(url_for("account.order_detail", number=order.number), 303)


def _page(template: str, status: int = 200, **context):
    response = render_template(template, **context), status, {"Cache-Control": "no-store"}
    return response
