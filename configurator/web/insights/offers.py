"""Staff: offer campaigns (create one, list them) and each campaign's report:
uplift against the holdout with 95 % intervals, and unsubscribes' lifetime value."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.services.offers import campaigns, report
from configurator.web.database import db
from configurator.web.i18n import day, error_text
from configurator.web.insights import bp
from configurator.web.insights.forms import CampaignForm


@bp.route("/offers", methods=["GET", "POST"])
def offers_page():
    """Every campaign; POST creates one."""
    form = CampaignForm()
    problems, status = [], 200
    if form.is_submitted():
        if not form.validate():
            problems, status = [m for errors in form.errors.values() for m in errors], 400
        else:
            given = campaigns.CampaignInput(**{
                name: form[name].data or ""
                for name in ("code", "name", "reward_kind", "percent", "addon", "holdout_percent", "days")
            })
            try:
                campaign = campaigns.create(db.session, current_user, given)
            except campaigns.CampaignRefused as refused:
                problems, status = [error_text(refused)], 400
            else:
                flash(_("Campaign %(code)s runs until %(day)s.", code=campaign.code,
                        day=day(campaign.ends_at)), "success")
                return redirect(url_for("insights.offer_report", campaign_id=campaign.id), 303)
    return render_template(
        "insights/offers.html", campaigns=campaigns.listing(db.session), form=form,
        problems=problems, describe=lambda c: campaigns.describe(db.session, c),
    ), status


@bp.get("/offers/<int:campaign_id>")
def offer_report(campaign_id: int):
    """One campaign: reached, shown, clicked, accepted, unsubscribed; uplift; lifetime value."""
    seen = report.build(db.session, campaign_id)
    return render_template(
        "insights/offer_report.html", report=seen,
        reward=campaigns.describe(db.session, seen.campaign),
    )
