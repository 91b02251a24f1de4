"""The shop: product lines and the live configurator for a new configuration."""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.services import cart, catalogs, configuring, orders, timeline
from configurator.services.configuring import configurations
from configurator.services.errors import InvalidSelection, NotFound, NotOrderable
from configurator.services.offers import campaigns, line_panel
from configurator.web import cart_editing, drafts, personal, pictures, workbench
from configurator.web.database import db
from configurator.web.i18n import catalog_description, error_text
from configurator.web.shop import bp, guest_cart
from configurator.web.shop.forms import OfferForm, SaveForm


@bp.get("/")
def index():
    """Every product line, with its current version, and the signed-in customer's
    offers (one per running campaign whose offer group they are in)."""
    return render_template(
        "shop/index.html",
        versions=catalogs.current_versions(db.session),
        offers=campaigns.reach_all(
            db.session, current_user if current_user.is_authenticated else None),
        offer_form=OfferForm(),
    )


@bp.route("/<catalog_id>", methods=["GET", "POST"])
def configure(catalog_id: str):
    """The configurator for a new configuration: full page, or the fragment for htmx.

    GET starts from the kept draft, or from a past configuration (`?from=ID`)
    or order (`?order=NUMBER`, `&item=N` for an item of a cart order) re-checked
    against today's catalog. POST applies
    the picks and the pressed button (repair, complete, clear, why, usual).
    """
    version = workbench.current_version(catalog_id)
    catalog = catalogs.engine_catalog(version)
    usual = workbench.usual_choices(catalog_id)
    notice, problems, recheck, name = None, [], None, ""
    if request.method == "POST":
        selection, problems = workbench.posted_selection(catalog)
        name = SaveForm(request.form).name.data or ""
        selection, notice = configuring.actions.apply_action(
            catalog, selection, request.form.get("action", ""), workbench.customer_facts(), usual
        )
        drafts.remember(catalog_id, selection, name)
    else:
        selection, name, recheck, notice = _starting_point(catalog_id, version.name)
        if current_user.is_authenticated:
            timeline.record_view(db.session, current_user, catalog_id, version.name)
    state = workbench.evaluate(catalog, selection, usual, problems=problems, notice=notice)
    personal.suggest_into(catalog, state)
    # The offers panel follows the picks (a pick's answer swaps it in, like the summary).
    line_offers = line_panel.line_offers(
        db.session, current_user if current_user.is_authenticated else None, catalog_id, catalog,
        selection)
    return workbench.respond(
        "shop/configure.html",
        line_offers=line_offers,
        state=state,
        version=version,
        description=catalog_description(version),
        name=name,
        recheck=recheck,
        pick_url=url_for("shop.configure", catalog_id=catalog_id),
        save_url=url_for("shop.save", catalog_id=catalog_id),
        cart_url=url_for("shop.add_to_cart", catalog_id=catalog_id),
        guest_order_url=url_for("shop.guest_start", catalog_id=catalog_id),
        cart_editing=cart_editing.for_guest(catalog_id, guest_cart.token()),
    )


@bp.post("/<catalog_id>/save")
def save(catalog_id: str):
    """Save the picks as a new configuration; a guest signs in first, picks kept."""
    version = workbench.current_version(catalog_id)
    catalog = catalogs.engine_catalog(version)
    selection, problems = workbench.posted_selection(catalog)
    form = SaveForm(request.form)
    name = form.name.data or ""
    if not current_user.is_authenticated:
        drafts.stash_save(catalog_id, selection, name)
        flash(
            _("Sign in or create an account to save. Your picks are kept and will be saved."), "info"
        )
        return _redirect(
            url_for("auth.signin", next=url_for("shop.configure", catalog_id=catalog_id))
        )
    if problems or not form.validate():
        problems += [message for errors in form.errors.values() for message in errors]
        return _again(catalog, version, selection, name, problems, 400)
    try:
        configuration = configurations.create(db.session, current_user, catalog_id, name, selection)
    except InvalidSelection as error:
        return _again(catalog, version, selection, name, [error_text(error)], 400)
    drafts.forget(catalog_id)
    flash(_("Saved “%(name)s” as revision 1.", name=configuration.name), "success")
    return _redirect(url_for("account.configuration", configuration_id=configuration.id))


@bp.post("/<catalog_id>/cart")
def add_to_cart(catalog_id: str):
    """Save the picks as a new configuration and put it into the cart; a guest's picks
    go into this browser's guest cart (web/shop/guest_cart.py)."""
    version = workbench.current_version(catalog_id)
    catalog = catalogs.engine_catalog(version)
    selection, problems = workbench.posted_selection(catalog)
    form = SaveForm(request.form)
    name = form.name.data or ""
    if problems or not form.validate():
        problems += [message for errors in form.errors.values() for message in errors]
        return _again(catalog, version, selection, name, problems, 400)
    if not current_user.is_authenticated:
        try:
            guest_cart.add(catalog_id, name, selection)
        except (InvalidSelection, NotOrderable) as error:
            return _again(catalog, version, selection, name, [error_text(error)], 400)
        return _redirect(url_for("shop.guest_cart"))
    try:
        line = cart.add_new(db.session, current_user, catalog_id, name, selection)
    except (InvalidSelection, NotOrderable) as error:
        return _again(catalog, version, selection, name, [error_text(error)], 400)
    drafts.forget(catalog_id)
    flash(_("“%(name)s” is saved and in your cart.", name=line.configuration.name), "success")
    return _redirect(url_for("account.cart_page"))


@bp.get("/<catalog_id>/picture/<int:number>.svg")
def picture(catalog_id: str, number: int):
    """The picture of the picks in the query (`f.<feature>=<option>`, as the form
    posts them) with version `number` of the catalog: one SVG, the picked
    options' images stacked. Picks the version does not know are left out."""
    try:
        svg = pictures.compose(catalog_id, number, request.args.to_dict(flat=False))
    except NotFound:
        abort(404)
    response = Response(svg, mimetype="image/svg+xml")
    # Nothing in the picture may run or load anything, even when opened on its own.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _starting_point(catalog_id: str, catalog_name: str):
    """Selection, name, re-check and notice for a fresh configurator page."""
    from_id = request.args.get("from", type=int)
    order_number = request.args.get("order")
    if (from_id or order_number) and current_user.is_authenticated:
        try:
            if from_id:
                start = configurations.start_from(
                    db.session, current_user, from_id, for_catalog=catalog_id
                )
            else:
                start = orders.start_from(
                    db.session, current_user, order_number, for_catalog=catalog_id,
                    item=request.args.get("item", type=int),
                )
        except NotFound:
            flash(_("There is no such configuration or order to start from."), "error")
        # An order from a quote, or a record of another product line: nothing to start from.
        except (NotOrderable, InvalidSelection) as refused:
            flash(error_text(refused), "error")
        else:
            return start.selection, "", start.recheck, start.notice
    kept = drafts.recall(catalog_id)
    if kept is not None:
        return kept[0], kept[1], None, None
    return {}, "", None, None


def _again(catalog, version, selection, name, problems, status):
    """Show the configurator again with the customer's picks and what went wrong."""
    state = workbench.evaluate(
        catalog, selection, workbench.usual_choices(version.catalog_id), problems=problems
    )
    return workbench.respond(
        "shop/configure.html",
        status,
        state=state,
        version=version,
        name=name,
        recheck=None,
        pick_url=url_for("shop.configure", catalog_id=version.catalog_id),
        save_url=url_for("shop.save", catalog_id=version.catalog_id),
        cart_url=url_for("shop.add_to_cart", catalog_id=version.catalog_id),
        cart_editing=cart_editing.for_guest(version.catalog_id, guest_cart.token()),
    )


_redirect = workbench.full_page_redirect  # a redirect that htmx follows as a full page load
