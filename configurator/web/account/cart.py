"""The cart: add a saved configuration (with its unsaved picks) or an earlier cart
order's items, change quantities, remove lines, reopen a line on its configuration's
page (save it, add it as new, or stop: web/cart_editing.py), and one checkout for every
line. Plain forms and redirects: it works without JavaScript."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.services import cart, cart_checkout, checkout, orders, payments
from configurator.services.configuring import configurations
from configurator.services.errors import InvalidSelection, NotOrderable, StaleRevision
from configurator.web import cart_editing
from configurator.web.account import bp, routes
from configurator.web.account.checkout import (
    NEW_ADDRESS,
    address_choices,
    country_choices,
    posted_address,
)
from configurator.web.account.forms import CartCheckoutForm, CartLineForm
from configurator.web.database import db
from configurator.web.i18n import error_text


@bp.app_template_global()
def cart_count() -> int:
    """How many items the signed-in customer's cart holds (the header's badge)."""
    if not current_user.is_authenticated:
        return 0
    return cart.count(db.session, current_user)


@bp.app_template_global()
def order_title(order) -> str:
    """What an order is of: its product line, or the names of a cart order's items."""
    return orders.title_of(order.snapshot)


@bp.get("/cart")
def cart_page():
    """The cart: every line with its picture, choices, quantity and prices, and the totals."""
    contents = cart.contents(db.session, current_user)
    return render_template("account/cart.html", cart=contents, form=CartLineForm())


@bp.post("/configurations/<int:configuration_id>/cart")
def add_to_cart(configuration_id: int):
    """Put a saved configuration into the cart; unsaved picks are saved as a revision first."""
    configuration = configurations.get(db.session, current_user, configuration_id)
    refused = _with_posted_picks(configuration, lambda base, selection: cart.save_and_add(
        db.session, current_user, configuration_id, base, selection))
    if refused is not None:
        return refused
    flash(_("“%(name)s” is in your cart.", name=configuration.name), "success")
    return routes._redirect(url_for("account.cart_page"))


@bp.post("/cart/<int:line_id>/edit")
def cart_edit(line_id: int):
    """Reopen a line on its configuration's page, which shows it is being edited
    (web/cart_editing.py)."""
    line = cart.place_of(db.session, current_user, line_id)[1]
    cart_editing.start_account(line.configuration_id, line.id)
    return redirect(url_for("account.configuration", configuration_id=line.configuration_id), 303)


@bp.post("/cart/<int:line_id>/save")
def cart_save(line_id: int):
    """The reopened line takes the page's picks (its configuration's next revision): same
    place, same quantity."""
    line = cart.place_of(db.session, current_user, line_id)[1]
    refused = _with_posted_picks(line.configuration, lambda base, selection: cart.change_line(
        db.session, current_user, line.id, base, selection))
    if refused is not None:
        return refused
    cart_editing.stop()
    flash(_("“%(name)s” is changed in your cart.", name=line.configuration.name), "success")
    return routes._redirect(url_for("account.cart_page"))


@bp.post("/cart/<int:line_id>/new")
def cart_add_new(line_id: int):
    """The page's picks as another configuration in the cart; the reopened line stays as it was."""
    line = cart.place_of(db.session, current_user, line_id)[1]
    configuration = line.configuration
    refused = _with_posted_picks(configuration, lambda base, selection: cart.add_new(
        db.session, current_user, configuration.catalog_id, configuration.name, selection))
    if refused is not None:
        return refused
    cart_editing.stop()
    flash(_("“%(name)s” is saved and in your cart.", name=configuration.name), "success")
    return routes._redirect(url_for("account.cart_page"))


@bp.post("/cart/<int:line_id>/stop")
def cart_stop(line_id: int):
    """Stop editing: the line stays as it was, the page's unsaved picks are dropped."""
    line = cart.place_of(db.session, current_user, line_id)[1]
    cart_editing.stop()
    flash(_("“%(name)s” in your cart is unchanged.", name=line.configuration.name), "info")
    return routes._redirect(url_for("account.cart_page"))


@bp.post("/orders/<number>/cart")
def add_order_to_cart(number: str):
    """Put the configurations of an earlier cart order back into the cart."""
    try:
        added = cart.add_again(db.session, current_user, number)
    except NotOrderable as refused:
        flash(error_text(refused), "error")
        return redirect(url_for("account.order_detail", number=number), 303)
    if added:
        flash(_("The order's configurations are in your cart again."), "success")
    else:
        flash(_("The configurations of this order are no longer saved."), "error")
    return redirect(url_for("account.cart_page"), 303)


@bp.post("/cart/<int:line_id>/quantity")
def cart_quantity(line_id: int):
    """Change how many of a line are ordered."""
    form = CartLineForm(request.form)
    try:
        cart.set_quantity(db.session, current_user, line_id, posted_quantity(form))
    except NotOrderable as refused:
        flash(error_text(refused), "error")
    else:
        flash(_("Quantity changed."), "success")
    return redirect(url_for("account.cart_page"), 303)


@bp.post("/cart/<int:line_id>/remove")
def cart_remove(line_id: int):
    """Take a line out of the cart; the configuration stays saved."""
    cart.remove(db.session, current_user, line_id)
    flash(_("Removed from your cart. The configuration is still saved."), "success")
    return redirect(url_for("account.cart_page"), 303)


@bp.route("/cart/checkout", methods=["GET", "POST"])
def cart_checkout_page():
    """GET: the review of every line, the address and the terms. POST: one order of them all."""
    contents = cart.contents(db.session, current_user)
    form = _form(contents)
    if request.method == "POST":
        try:
            # Before looking at the cart: a second post of this form gets the order the first placed.
            order = cart_checkout.place_order(
                db.session,
                current_user,
                form.token.data or "",
                terms_accepted=bool(form.terms.data),
                **posted_address(form),
            )
        except (checkout.CheckoutRefused, NotOrderable) as refused:
            if not contents.orderable:
                flash(error_text(refused), "error")
                return redirect(url_for("account.cart_page"), 303)
            return _page(contents, form, [error_text(refused)], 400)
        flash(_("Thank you! Order %(number)s is placed. We sent you a confirmation.", number=order.number),
              "success")
        pay_at = payments.provider().start(order)  # after the commit, as the single checkout
        return redirect(pay_at or url_for("account.order_detail", number=order.number), 303)
    if not contents.orderable:
        if contents.empty:
            flash(_("Your cart is empty."), "info")
        return redirect(url_for("account.cart_page"), 303)
    return _page(contents, form, [], 200)


def _form(contents: cart.Cart) -> CartCheckoutForm:
    book = checkout.address_book(db.session, current_user)
    form = CartCheckoutForm(
        request.form if request.method == "POST" else None,
        token=contents.token,
        address=str(book[0].id) if book else NEW_ADDRESS,
        country=contents.country,
    )
    form.address.choices = address_choices(book)
    form.country.choices = country_choices()
    return form


def _page(contents, form, problems, status):
    return render_template(
        "account/cart_checkout.html",
        cart=contents,
        form=form,
        problems=problems,
        terms_version=checkout.TERMS_VERSION,
    ), status


def _with_posted_picks(configuration, change):
    """`change(base revision, picks)` with the configurator's posted picks; None when it
    went through, else the configurator again with the picks and why (409 when another
    tab saved first)."""
    posted = routes._Posted.read(configuration.id)
    if posted.problems:
        return posted.again(posted.problems, 400)
    try:
        change(posted.base, posted.selection)
    except StaleRevision as error:
        return posted.stale(error)
    except (NotOrderable, InvalidSelection) as error:
        latest = configurations.latest_revision(db.session, posted.configuration)
        return posted.again([error_text(error)], 409, base=latest.number)
    return None


def posted_quantity(form: CartLineForm) -> int:
    """The posted quantity; what is not a whole number counts as 0 (refused in words)."""
    number = form.quantity.data
    return number if number is not None and -1000 < number < 1000 else 0
