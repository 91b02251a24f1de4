"""The checkout: review the configuration, choose or enter a delivery address,
see net, VAT and gross, accept the terms, then order; and cancelling an order
while that is allowed. Works without JavaScript (plain forms and redirects)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.quoting.phrases import N_
from configurator.services import checkout, fulfilment, payments
from configurator.services.errors import NotOrderable
from configurator.services.offers import campaigns
from configurator.web.account import bp
from configurator.web.account.forms import MAX_REVISION, CheckoutForm
from configurator.web.auth.forms import countries
from configurator.web.database import db
from configurator.web.i18n import country_name, error_text

NEW_ADDRESS = "new"


@bp.route("/configurations/<int:configuration_id>/checkout", methods=["GET", "POST"])
def checkout_page(configuration_id: int):
    """GET: the review. POST: place the order with the address and the terms."""
    try:
        review = campaigns.review(db.session, current_user, configuration_id)
    except NotOrderable as refused:
        flash(error_text(refused), "error")
        return redirect(url_for("account.configuration", configuration_id=configuration_id), 303)
    form = _form(review)
    if request.method == "POST":
        try:
            order = campaigns.place_order(
                db.session,
                current_user,
                configuration_id,
                _revision(form),
                terms_accepted=bool(form.terms.data),
                quantity=_quantity(form),
                **posted_address(form),
            )
        except (checkout.CheckoutRefused, NotOrderable) as refused:
            return _page(review, form, [error_text(refused)], 400)
        flash(_("Thank you! Order %(number)s is placed. We sent you a confirmation.", number=order.number),
              "success")
        # After the commit: a provider that takes money online sends the customer to its page.
        pay_at = payments.provider().start(order)
        return redirect(pay_at or url_for("account.order_detail", number=order.number), 303)
    return _page(review, form, [], 200)


@bp.post("/orders/<number>/cancel")
def cancel_order(number: str):
    """The customer cancels an order that nothing has been built for yet."""
    try:
        order = fulfilment.cancel(db.session, current_user, number)
    except fulfilment.StatusRefused as refused:
        flash(error_text(refused), "error")
    else:
        flash(_("Order %(number)s is cancelled.", number=order.number), "success")
    return redirect(url_for("account.order_detail", number=number), 303)


def _form(review: checkout.Review) -> CheckoutForm:
    form = CheckoutForm(
        request.form if request.method == "POST" else None,
        revision=review.revision.number,
        address=str(review.addresses[0].id) if review.addresses else NEW_ADDRESS,
        country=review.vat.country,
    )
    form.address.choices = address_choices(review.addresses)
    form.country.choices = country_choices()
    return form


def address_choices(book: list) -> list[tuple[str, str]]:
    """The address book as radio choices, and "a new address"."""
    return [(str(address.id), ", ".join(address.lines())) for address in book] + [
        (NEW_ADDRESS, _("A new address"))
    ]


def country_choices() -> list[tuple[str, str]]:
    """Every country (we deliver everywhere), named and sorted in the page's language."""
    return countries()


def posted_address(form) -> dict:
    """The chosen address from the book, or the new one typed in."""
    if form.address.data and form.address.data != NEW_ADDRESS:
        try:
            address_id = int(form.address.data)
        except ValueError:
            address_id = 0
        # Beyond a database integer no address has that id (and the driver would overflow).
        if not 0 < address_id < 2**31:
            raise checkout.CheckoutRefused(
                N_("Please choose a delivery address or enter a new one.")) from None
        return {"address_id": address_id}
    return {
        "new_address": checkout.AddressInput(
            name=form.name.data or "",
            street=form.street.data or "",
            postcode=form.postcode.data or "",
            city=form.city.data or "",
            country=form.country.data or "",
        )
    }


def _page(review, form, problems, status):
    # VAT per country for the page's country table (the order uses the address's).
    # The countries the shop charges VAT for (elsewhere: none, as the page says), by
    # country name in the reader's language.
    rates = sorted(
        (checkout.vat_breakdown(review.vat.gross, country, review.currency)
         for country in checkout.VAT_RATES),
        key=lambda rate: country_name(rate.country).casefold(),
    )
    return render_template(
        "account/checkout.html",
        review=review,
        form=form,
        problems=problems,
        rates=rates,
        terms_version=checkout.TERMS_VERSION,
    ), status


def _quantity(form) -> int:
    """How many to order; what is not a whole number counts as 0 (refused in words)."""
    if form.quantity.data is None:  # left out (1), or not a number (refused)
        given = (form.quantity.raw_data or [""])[0].strip()
        return 0 if given else 1
    number = form.quantity.data
    return number if -1000 < number < 1000 else 0


def _revision(form) -> int:
    """The reviewed revision's number; one no revision can have (0, negative, over 32 bits) is 0."""
    number = form.revision.data or 0
    return number if 0 < number <= MAX_REVISION else 0
