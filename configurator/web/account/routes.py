"""The customer's own records: configurations with revisions, orders, reorder,
timeline, each list paged newest first (`?cursor=` links to newer and older
pages). Every view is for the signed-in owner only; anything else is a 404."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from configurator.engine import Catalog
from configurator.services import (
    catalogs,
    configuring,
    deliveries,
    fulfilment,
    invoices,
    orders,
    payments,
    timeline,
)
from configurator.services.configuring import configurations
from configurator.services.configuring.configurations import InvalidName
from configurator.services.errors import InvalidSelection, NotFound, NotOrderable, StaleRevision
from configurator.services.paging import InvalidCursor
from configurator.store import CatalogVersion, Configuration
from configurator.web import cart_editing, workbench
from configurator.web.account import bp
from configurator.web.account.forms import MAX_REVISION, DiffForm, RenameForm
from configurator.web.database import db
from configurator.web.errors import error_response
from configurator.web.extensions import htmx
from configurator.web.i18n import error_text
from configurator.web.pdf import pdf_response

DELIVERY_STATUS = {"scheduled": _l("Planned"), "sent": _l("Sent"), "cancelled": _l("Cancelled")}
# payments.INSTRUCTIONS in the page's language (the e-mail keeps the English).
PAYMENT_INSTRUCTIONS = {
    "invoice": _l("We send the invoice with the delivery; please pay it by its due date."),
    "on_delivery": _l("You pay the driver on delivery (cash or card)."),
    "at_pickup": _l("You pay by card when you pick up your order."),
    "prepayment": _l(
        "Please transfer the amount with the order number as reference; "
        "we start once it has arrived."
    ),
    "on_confirmation": _l(
        "Nothing has been charged yet: we take the payment as chosen "
        "once your order is confirmed."
    ),
}


@bp.before_request
@login_required
def require_sign_in():
    """Every page here belongs to a signed-in customer."""


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    """Someone else's or a missing record: the same 404, no hint which."""
    return error_response(404, error_text(error))


@bp.errorhandler(InvalidCursor)
def bad_page_link(error: InvalidCursor):
    """An edited or foreign `?cursor=`: say so, with a way back to the first page."""
    return error_response(400, error_text(error))


@bp.get("/configurations")
def configurations_list():
    """My configurations, most recently changed first, a page at a time."""
    page = configurations.page_for(db.session, current_user, cursor=request.args.get("cursor"))
    names = {v.catalog_id: v.name for v in catalogs.current_versions(db.session)}
    return render_template("account/configurations.html", page=page, names=names)


@bp.route("/configurations/<int:configuration_id>", methods=["GET", "POST"])
def configuration(configuration_id: int):
    """A saved configuration in the configurator, with its revisions.

    GET shows the newest revision, re-checked when the catalog changed since;
    POST applies picks and buttons (fragment for htmx), nothing is saved.
    """
    configuration, version, result = configurations.recheck_latest(
        db.session, current_user, configuration_id
    )
    catalog = catalogs.engine_catalog(version)
    usual = workbench.usual_choices(configuration.catalog_id, excluding=configuration.id)
    latest = configurations.latest_revision(db.session, configuration)
    base = latest.number
    notice, problems, recheck = None, [], None
    if request.method == "POST":
        selection, problems = workbench.posted_selection(catalog)
        base = _base_revision(latest.number)
        selection, notice = configuring.actions.apply_action(
            catalog, selection, request.form.get("action", ""), workbench.customer_facts(), usual
        )
    elif latest.catalog_version_id == version.id:
        selection = dict(latest.selection)
    else:
        recheck = result
        selection = result.starting_selection
    state = workbench.evaluate(catalog, selection, usual, problems=problems, notice=notice)
    return _page(configuration, version, state, base, recheck=recheck)


@bp.post("/configurations/<int:configuration_id>/save")
def save_revision(configuration_id: int):
    """Save the picks as the next revision, unless another tab saved first."""
    posted = _Posted.read(configuration_id)
    if posted.problems:
        return posted.again(posted.problems, 400)
    try:
        revision = configurations.revise(
            db.session, current_user, configuration_id, posted.base, posted.selection
        )
    except StaleRevision as error:
        return posted.stale(error)
    except InvalidSelection as error:
        return posted.again([error_text(error)], 400)
    if revision.number == posted.base:
        flash(_("Nothing changed since the last revision, so there was nothing to save."), "info")
    else:
        flash(_("Saved as revision %(number)s.", number=revision.number), "success")
    return _redirect(url_for("account.configuration", configuration_id=configuration_id))


@bp.post("/configurations/<int:configuration_id>/order")
def order(configuration_id: int):
    """Go to the checkout's review; unsaved picks are saved as a revision first."""
    posted = _Posted.read(configuration_id)
    if posted.problems:
        return posted.again(posted.problems, 400)
    try:
        orders.save_for_checkout(
            db.session, current_user, configuration_id, posted.base, posted.selection
        )
    except StaleRevision as error:
        return posted.stale(error)
    except (NotOrderable, InvalidSelection) as error:
        latest = configurations.latest_revision(db.session, posted.configuration)
        return posted.again([error_text(error)], 409, base=latest.number)
    return _redirect(url_for("account.checkout_page", configuration_id=configuration_id))


@bp.route("/configurations/<int:configuration_id>/rename", methods=["GET", "POST"])
def rename(configuration_id: int):
    """GET: the rename form. POST: rename; a bad name shows the form again with why."""
    configuration = configurations.get(db.session, current_user, configuration_id)
    form = RenameForm(request.form if request.method == "POST" else None, name=configuration.name)
    if request.method == "POST":
        try:
            renamed = configurations.rename(
                db.session, current_user, configuration_id, form.name.data or ""
            )
        except InvalidName as error:
            form.name.errors = [error_text(error)]
            return render_template(
                "account/rename.html", form=form, configuration=configuration
            ), 400
        flash(_("Renamed to “%(name)s”.", name=renamed.name), "success")
        return redirect(url_for("account.configuration", configuration_id=configuration_id), 303)
    return render_template("account/rename.html", form=form, configuration=configuration)


@bp.get("/configurations/<int:configuration_id>/diff")
def diff(configuration_id: int):
    """What changed between two revisions (fragment for htmx)."""
    form = DiffForm(request.args)
    if not form.validate():
        abort(400, "Pick two revisions to compare.")
    result = configuring.diff.diff(
        db.session, current_user, configuration_id, form.a.data, form.b.data
    )
    if htmx:
        return render_template("partials/_diff.html", diff=result)
    configuration = configurations.get(db.session, current_user, configuration_id)
    return render_template("account/diff.html", diff=result, configuration=configuration)


@bp.get("/orders")
def orders_list():
    """My orders, newest first, a page at a time."""
    page = orders.page_for(db.session, current_user, cursor=request.args.get("cursor"))
    return render_template("account/orders.html", page=page)


@bp.get("/orders/<number>")
def order_detail(number: str):
    """One order, exactly as it was placed."""
    placed = orders.get(db.session, current_user, number)
    return render_template(
        "account/order.html",
        order=placed,
        fulfilment=fulfilment,
        recurring=deliveries.of_order(placed),
        planned=deliveries.of(db.session, placed),
        payment=None if placed.from_quote else payments.provider().payment(placed),
        delivery_status=lambda status: str(DELIVERY_STATUS.get(status, status)),
        payment_instructions=lambda kind: str(PAYMENT_INSTRUCTIONS[kind]),
    )


@bp.get("/orders/<number>/invoice")
def invoice(number: str):
    """The order's invoice, for printing."""
    return _invoice_html(invoices.invoice(db.session, current_user, number))


@bp.get("/orders/<number>/invoice.pdf")
def invoice_pdf(number: str):
    """The order's invoice as a PDF download, made from the print page."""
    document = invoices.invoice(db.session, current_user, number)
    return pdf_response(_invoice_html(document), f"{document.number}.pdf")


def _invoice_html(document: invoices.Invoice) -> str:
    return render_template(
        "account/invoice.html",
        invoice=document,
        payment_instructions=lambda kind: str(PAYMENT_INSTRUCTIONS[kind]),
    )


@bp.route("/orders/<number>/reorder", methods=["GET", "POST"])
def reorder(number: str):
    """GET: the order re-checked against today's catalog. POST: order it again."""
    if request.method == "POST":
        try:
            again = orders.reorder(db.session, current_user, number)
        except NotOrderable as error:
            flash(error_text(error), "error")
        else:
            flash(_("Thank you! Order %(number)s is placed.", number=again.number), "success")
            return redirect(url_for("account.order_detail", number=again.number), code=303)
    try:
        placed, version, result = orders.recheck_order(db.session, current_user, number)
    except NotOrderable as error:  # an order from a quote: staff quote it again
        flash(error_text(error), "error")
        return redirect(url_for("account.order_detail", number=number), code=303)
    return render_template("account/reorder.html", order=placed, version=version, recheck=result)


@bp.get("/timeline")
def timeline_page():
    """Everything that happened with me, newest first, a page at a time."""
    page = timeline.page_for(
        db.session, current_user, current_user.id, cursor=request.args.get("cursor")
    )
    return render_template(
        "account/timeline.html", page=page, describe=timeline.describe, grouped=timeline.grouped
    )


def _page(
    configuration, version, state, base, *, recheck=None, status=200, conflict=None, compared=None
):
    # The revision list pages with `?revisions=<cursor>`; picks (POST) keep the page.
    revisions = configurations.revision_page(
        db.session, current_user, configuration.id, cursor=request.args.get("revisions")
    )
    return workbench.respond(
        "account/configuration.html",
        status,
        state=state,
        version=version,
        configuration=configuration,
        revisions=revisions,
        base_revision=base,
        recheck=recheck,
        conflict_revision=conflict,
        conflict_diff=compared,
        name=configuration.name,
        pick_url=url_for("account.configuration", configuration_id=configuration.id),
        save_url=url_for("account.save_revision", configuration_id=configuration.id),
        order_url=url_for("account.order", configuration_id=configuration.id),
        cart_url=url_for("account.add_to_cart", configuration_id=configuration.id),
        cart_editing=cart_editing.for_account(configuration.id),
    )


@dataclass(frozen=True)
class _Posted:
    """Picks posted on a saved configuration (to save or order it) and what they are read on."""

    configuration: Configuration
    version: CatalogVersion
    catalog: Catalog
    selection: dict
    problems: list
    base: int  # the revision the picks started from

    @classmethod
    def read(cls, configuration_id: int) -> _Posted:
        """The picks posted on the configuration, read on its current catalog version."""
        configuration = configurations.get(db.session, current_user, configuration_id)
        version = workbench.current_version(configuration.catalog_id)
        catalog = catalogs.engine_catalog(version)
        selection, problems = workbench.posted_selection(catalog)
        return cls(configuration, version, catalog, selection, problems, _base_revision(0))

    def again(
        self, problems: list, status: int, *, base: int | None = None, conflict: int | None = None
    ):
        """The configurator again with the customer's unsaved picks and the reason
        (`conflict`: the revision another tab saved meanwhile)."""
        configuration = self.configuration
        usual = workbench.usual_choices(configuration.catalog_id, excluding=configuration.id)
        state = workbench.evaluate(self.catalog, self.selection, usual, problems=problems)
        compared = None
        if conflict:
            compared = configuring.diff.against_picks(
                db.session, current_user, configuration.id, conflict, self.version, state.selection
            )
        base = self.base if base is None else base
        return _page(
            configuration,
            self.version,
            state,
            base,
            status=status,
            conflict=conflict,
            compared=compared,
        )

    def stale(self, error: StaleRevision):
        """Another tab saved first: the picks again beside what that revision changed (409)."""
        latest = error.latest_number
        return self.again([error_text(error)], 409, base=latest, conflict=latest)


_redirect = workbench.full_page_redirect  # a redirect that htmx follows as a full page load


def _base_revision(default: int) -> int:
    """The revision the posted picks started from; a number no revision can have counts as none."""
    number = request.form.get("base_revision", default, type=int)
    return number if 0 <= number <= MAX_REVISION else 0
