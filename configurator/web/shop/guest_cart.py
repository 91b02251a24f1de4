"""A guest's cart (services/guest_carts.py): "Add to cart" in the configurator keeps
the picks in this browser's cart, found by the random token in the signed session
cookie; the cart page changes quantities, removes or reopens an item, and one
checkout orders them all as a guest (e-mail, address, terms). A reopened item is edited
under the configurator's banner (web/cart_editing.py): save, add as new, or stop. Plain forms and
redirects: it works without JavaScript. Every page answers `no-store` (a cart is
this browser's only); the checkout's POSTs share the guest orders' limit
(web/security.py)."""

from __future__ import annotations

import secrets

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from configurator.services import catalogs, checkout, guest_cart_checkout, guest_carts, guest_orders
from configurator.services.errors import InvalidSelection, NotFound, NotOrderable
from configurator.web import cart_editing, drafts, workbench
from configurator.web.account.cart import posted_quantity
from configurator.web.account.forms import CartLineForm
from configurator.web.auth.forms import countries
from configurator.web.database import db
from configurator.web.i18n import error_text, translate
from configurator.web.shop import bp, guest
from configurator.web.shop.forms import GuestCartCheckoutForm, SaveForm

TOKEN_KEY = "guest_cart"  # the cart's token in the signed session cookie


def token() -> str | None:
    """This browser's guest cart token, if it has one."""
    return session.get(TOKEN_KEY)


@bp.app_template_global()
def guest_cart_count() -> int:
    """How many items this browser's guest cart holds (the header's badge)."""
    if not token():
        return 0
    try:
        return guest_carts.count(db.session, token())
    except SQLAlchemyError:
        # An error page after a failed transaction: the menu must not fail it again.
        return 0


def add(catalog_id: str, name: str, selection: dict):
    """The configurator's "Add to cart" for a guest: into this browser's cart.
    InvalidSelection / NotOrderable are the caller's to show."""
    kept = session.setdefault(TOKEN_KEY, guest_carts.new_token())
    item = guest_carts.add(db.session, kept, catalog_id, name, selection)
    drafts.forget(catalog_id)
    flash(_("“%(name)s” is in your cart.", name=item.name), "success")


@bp.get("/cart")
def guest_cart():
    """This browser's cart; a signed-in customer's is their account's."""
    if current_user.is_authenticated:
        return redirect(url_for("account.cart_page"), 303)
    contents = guest_carts.contents(db.session, token())
    return _no_store(render_template("shop/guest_cart.html", cart=contents, form=CartLineForm()))


@bp.post("/cart/<int:item_id>/quantity")
def guest_cart_quantity(item_id: int):
    """Change how many of an item are ordered."""
    quantity = posted_quantity(CartLineForm(request.form))
    try:
        guest_carts.set_quantity(db.session, _own_token(), item_id, quantity)
    except NotFound:
        abort(404)
    except NotOrderable as refused:
        flash(error_text(refused), "error")
    else:
        flash(_("Quantity changed."), "success")
    return redirect(url_for("shop.guest_cart"), 303)


@bp.post("/cart/<int:item_id>/remove")
def guest_cart_remove(item_id: int):
    """Take an item out of the cart."""
    try:
        guest_carts.remove(db.session, _own_token(), item_id)
    except NotFound:
        abort(404)
    flash(_("Removed from your cart."), "success")
    return redirect(url_for("shop.guest_cart"), 303)


@bp.post("/cart/<int:item_id>/edit")
def guest_cart_edit(item_id: int):
    """Reopen an item in the configurator, which shows it is being edited (web/cart_editing.py)."""
    item = _own_item(item_id)
    drafts.remember(item.catalog_id, item.selection, item.name)
    cart_editing.start_guest(item.catalog_id, item.id)
    return redirect(url_for("shop.configure", catalog_id=item.catalog_id), 303)


@bp.post("/cart/<int:item_id>/save")
def guest_cart_save(item_id: int):
    """The reopened item takes the configurator's picks: same place, same quantity."""
    return _from_configurator(item_id, lambda item, name, picks: guest_carts.change(
        db.session, _own_token(), item.id, name, picks), _("“%(name)s” is changed in your cart."))


@bp.post("/cart/<int:item_id>/new")
def guest_cart_add_new(item_id: int):
    """The configurator's picks as another item; the reopened one stays as it was."""
    return _from_configurator(item_id, lambda item, name, picks: guest_carts.add(
        db.session, _own_token(), item.catalog_id, name, picks), _("“%(name)s” is in your cart."))


@bp.post("/cart/<int:item_id>/stop")
def guest_cart_stop(item_id: int):
    """Stop editing: the item stays as it was, the configurator's picks are dropped."""
    item = _own_item(item_id)
    _done_editing(item.catalog_id)
    flash(_("“%(name)s” in your cart is unchanged.", name=item.name), "info")
    return workbench.full_page_redirect(url_for("shop.guest_cart"))


@bp.route("/cart/checkout", methods=["GET", "POST"])
def guest_cart_checkout_page():
    """GET: the review of every item, the e-mail, the address and the terms.
    POST: one order of them all for the guest of that address."""
    if current_user.is_authenticated:
        return redirect(url_for("account.cart_checkout_page"), 303)
    form = GuestCartCheckoutForm(request.form if request.method == "POST" else None)
    form.country.choices = countries()
    if request.method == "POST":
        # A second post of a form already ordered (its cart is gone by now): its order.
        placed = guest_orders.placed_with(db.session, form.email.data or "", form.submission.data)
        if placed is not None:
            return guest.thanks(placed.number, form.email.data or "")
    contents = guest_carts.contents(db.session, token(), form.country.data or "de")
    form.country.data = contents.country
    if not contents.orderable:
        flash(_("Your cart is empty.") if contents.empty else
              _("Fix or remove the lines marked above to check out."), "error")
        return redirect(url_for("shop.guest_cart"), 303)
    if not guest_orders.submission_token(form.submission.data):
        form.submission.data = secrets.token_urlsafe(24)
    there = _country_needs(contents)
    if request.method == "GET":
        return _page(contents, form, there, 200)
    if not form.validate() or there:
        return _page(contents, form, there + [m for errors in form.errors.values() for m in errors],
                     400)
    try:
        order = guest_cart_checkout.place_order(
            db.session, token(), form.token.data or "", form.email.data or "",
            address=guest.guest_address(form), terms_accepted=bool(form.terms.data),
            locale=str(get_locale() or "") or None, submission=form.submission.data)
    except (checkout.CheckoutRefused, NotOrderable, InvalidSelection) as refused:
        return _page(contents, form, [error_text(refused)], 400)
    session.pop(TOKEN_KEY, None)
    return guest.thanks(order.number, form.email.data or "")


def _country_needs(contents) -> list[str]:
    """Per item, what the delivery country's rules ask beyond the picks (the cart, like
    the configurator, knows no country): see `guest_orders.country_needs`."""
    found = []
    for line in contents.items:
        needs = guest_orders.country_needs(db.session, line.item.catalog_id, line.item.selection,
                                           contents.country)
        if needs is not None:
            found.append(f"{line.item.name}: {translate(needs)}")
    return found


def _own_token() -> str:
    """This browser's cart token; a signed-in customer or a browser without a cart has
    none, so every item is someone else's (404)."""
    if current_user.is_authenticated or not token():
        abort(404)
    return token()


def _own_item(item_id: int):
    """This browser's item `item_id`, or 404."""
    try:
        return guest_carts.item_of(db.session, _own_token(), item_id)
    except NotFound:
        abort(404)


def _from_configurator(item_id: int, write, said: str):
    """`write(item, name, picks)` with the configurator's posted picks and name, then the
    cart with `said` (a "%(name)s" message, already translated) and the editing over. A
    refusal: the configurator again, with the picks and why, the item still edited."""
    item = _own_item(item_id)
    catalog = catalogs.engine_catalog(workbench.current_version(item.catalog_id))
    picks, problems = workbench.posted_selection(catalog)
    name = SaveForm(request.form).name.data or ""
    try:
        if problems:  # a field the catalog does not know: nothing is written
            raise InvalidSelection(problems[0])
        written = write(item, name, picks)
    except (InvalidSelection, NotOrderable) as refused:
        drafts.remember(item.catalog_id, picks, name)
        flash(error_text(refused), "error")
        return workbench.full_page_redirect(url_for("shop.configure", catalog_id=item.catalog_id))
    _done_editing(item.catalog_id)
    flash(said % {"name": written.name}, "success")
    return workbench.full_page_redirect(url_for("shop.guest_cart"))


def _done_editing(catalog_id: str) -> None:
    cart_editing.stop()
    drafts.forget(catalog_id)


def _page(contents, form, problems, status):
    form.token.data = contents.token  # what this page shows is what its form orders
    page = render_template("shop/guest_cart_checkout.html", cart=contents, form=form,
                           problems=problems, terms_version=checkout.TERMS_VERSION)
    return _no_store(page, status)


def _no_store(page, status: int = 200):
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # this browser's cart, its address
    return response
