"""The customer's offer in the shop: opening it (recorded, then the product
line with the offered option picked) and "no more offers"."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from configurator.services import catalogs
from configurator.services.errors import NotFound
from configurator.services.offers import campaigns
from configurator.web import drafts
from configurator.web.database import db
from configurator.web.shop import bp
from configurator.web.shop.forms import OfferForm


@bp.get("/offers/<int:campaign_id>/open/<int:item>")
@login_required
def open_offer(campaign_id: int, item: int):
    """The customer follows one item of their offer: noted, then its product line
    opens with the offered option picked (the reward comes at checkout)."""
    try:
        offer = campaigns.click(db.session, current_user, campaign_id)
    except NotFound:
        abort(404)
    if not 0 <= item < len(offer.items):
        abort(404)
    chosen = offer.items[item]
    if chosen.option is not None:
        try:
            model = catalogs.engine_catalog(catalogs.current(db.session, chosen.catalog)).model
        except NotFound:
            abort(404)
        feature = model.feature(chosen.feature)
        kept = drafts.recall(chosen.catalog)
        selection, name = kept if kept is not None else ({}, "")
        if feature is not None and feature.option(chosen.option) is not None:
            if feature.multi:
                picked = list(selection.get(chosen.feature) or [])
                selection[chosen.feature] = [*picked, chosen.option] if chosen.option not in picked else picked
            else:
                selection[chosen.feature] = chosen.option
            drafts.remember(chosen.catalog, selection, name)
    return redirect(url_for("shop.configure", catalog_id=chosen.catalog), 303)


@bp.post("/offers/<int:campaign_id>/unsubscribe")
@login_required
def unsubscribe_offer(campaign_id: int):
    """No more offers (nor marketing e-mail) for this customer."""
    if not OfferForm().validate_on_submit():
        abort(400)
    try:
        campaigns.unsubscribe(db.session, current_user, campaign_id)
    except NotFound:
        abort(404)
    flash(_("You will get no more offers. You can change this on your privacy page."), "success")
    return redirect(url_for("shop.index"), 303)
