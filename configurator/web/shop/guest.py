"""A guest's order of one configuration: the configurator's "Order as a guest"
keeps the picks as the draft, the review page asks for an e-mail address, the
delivery address and the terms, and the order goes to the guest record of that
address (services/guest_orders.py). POSTs are rate-limited per client address
like sign-up (web/security.py)."""

from __future__ import annotations

import secrets

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user

from configurator.services import catalogs, checkout, guest_orders
from configurator.services.errors import InvalidSelection, NotFound, NotOrderable
from configurator.web import drafts, workbench
from configurator.web.auth.forms import countries
from configurator.web.database import db
from configurator.web.i18n import error_text, translate
from configurator.web.shop import bp
from configurator.web.shop.forms import GuestOrderForm
from configurator.web.shop.routes import _redirect

PLACED_KEY = "guest_order"  # the number of the guest's last order, for the thank-you page


@bp.post("/<catalog_id>/guest-order/start")
def guest_start(catalog_id: str):
    """Keep the configurator's picks as the draft and go to the guest's review."""
    version = workbench.current_version(catalog_id)
    selection, _problems = workbench.posted_selection(catalogs.engine_catalog(version))
    drafts.remember(catalog_id, selection, request.form.get("name", ""))
    return _redirect(url_for("shop.guest_order", catalog_id=catalog_id))


@bp.route("/<catalog_id>/guest-order", methods=["GET", "POST"])
def guest_order(catalog_id: str):
    """GET: the review with the e-mail and address form. POST: place the order."""
    back = url_for("shop.configure", catalog_id=catalog_id)
    if current_user.is_authenticated:  # a customer orders from their saved configuration
        return redirect(back, 303)
    kept = drafts.recall(catalog_id)
    form = GuestOrderForm(request.form if request.method == "POST" else None)
    form.country.choices = countries()
    if form.country.data is None:
        form.country.data = "de"
    if request.method == "POST":
        # A second post of a form already ordered (its draft is gone by now): its order.
        placed = guest_orders.placed_with(db.session, form.email.data or "", form.submission.data)
        if placed is not None:
            return thanks(placed.number, form.email.data or "")
    if not guest_orders.submission_token(form.submission.data):
        form.submission.data = secrets.token_urlsafe(24)
    try:
        lines, vat = guest_orders.review(db.session, catalog_id, kept[0] if kept else {},
                                         _country(form))
    except (NotOrderable, NotFound) as refused:
        flash(error_text(refused), "error")
        return redirect(back, 303)
    needs = guest_orders.country_needs(db.session, catalog_id, kept[0] if kept else {},
                                       _country(form))
    there = [translate(needs)] if needs is not None else []
    if request.method == "GET":
        return _page(catalog_id, lines, vat, form, there, 200)
    if not form.validate() or there:
        problems = there + [message for errors in form.errors.values() for message in errors]
        return _page(catalog_id, lines, vat, form, problems, 400)
    try:
        order = guest_orders.place_order(
            db.session, form.email.data or "", catalog_id, kept[0], name=kept[1],
            address=guest_address(form), terms_accepted=bool(form.terms.data),
            locale=str(get_locale() or "") or None, submission=form.submission.data)
    except (checkout.CheckoutRefused, NotOrderable, InvalidSelection) as refused:
        return _page(catalog_id, lines, vat, form, [error_text(refused)], 400)
    drafts.forget(catalog_id)
    return thanks(order.number, form.email.data or "")


@bp.get("/guest-order/thanks")
def guest_thanks():
    """The guest's order number and where its confirmation went (this browser's only)."""
    placed = session.get(PLACED_KEY)
    if not placed:
        return redirect(url_for("shop.index"), 303)
    response = make_response(render_template("shop/guest_thanks.html", placed=placed))
    response.headers["Cache-Control"] = "no-store"  # it names the guest's address
    return response


def thanks(number: str, email: str):
    """To the thank-you page of the order just placed (or placed by the first post)."""
    session[PLACED_KEY] = {"number": number, "email": guest_orders.check_email(email)}
    return redirect(url_for("shop.guest_thanks"), 303)


def _country(form: GuestOrderForm) -> str:
    code = (form.country.data or "de").lower()
    return code if checkout.delivers_to(code) else "de"


def guest_address(form: GuestOrderForm) -> checkout.AddressInput:
    """The delivery address typed into a guest's checkout form."""
    return checkout.AddressInput(name=form.name.data or "", street=form.street.data or "",
                                 postcode=form.postcode.data or "", city=form.city.data or "",
                                 country=form.country.data or "")


def _page(catalog_id, lines, vat, form, problems, status):
    page = render_template("shop/guest_order.html", catalog_id=catalog_id, lines=lines, vat=vat,
                           form=form, problems=problems, terms_version=checkout.TERMS_VERSION)
    return page, status
