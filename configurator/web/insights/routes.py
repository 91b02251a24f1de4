"""Staff dashboard: customers by value and tier, slipping away, business
accounts and their key contacts, open quotes by value, and one customer's
value with their needs profile. Staff only: customers get the same 404 as
for anything that is not theirs, guests are sent to sign in."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from configurator.services import customer_value, insights
from configurator.services.customer_value.tiers import TierConfigError, tier_config
from configurator.services.errors import NotFound
from configurator.web.database import db
from configurator.web.errors import error_response
from configurator.web.i18n import error_text, locale_code
from configurator.web.insights import bp
from configurator.web.insights.forms import RecomputeForm


@bp.before_request
@login_required
def require_staff():
    """Signed in, and staff; anyone else sees a plain 404."""
    if not current_user.is_staff:
        return error_response(404, "There is nothing here, or it is not yours to see.")
    return None


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    """A missing customer: the usual 404."""
    return error_response(404, error_text(error))


@bp.errorhandler(TierConfigError)
def broken_tier_file(error: TierConfigError):
    """The tier file cannot be read: say which line of it, not a traceback."""
    return error_response(500, f"The tier configuration has a problem: {error}")


@bp.get("/")
def dashboard():
    """Customers by value and tier, slipping away, accounts, open quotes."""
    board = insights.dashboard(db.session, current_user, sort=request.args.get("sort", "revenue"))
    return render_template("insights/dashboard.html", board=board, form=RecomputeForm())


@bp.post("/recompute")
def recompute():
    """Apply config/tiers.yaml to every customer now, as the command does."""
    form = RecomputeForm()
    if not form.validate_on_submit():
        return error_response(400, "The page had expired; nothing was recomputed. Try again.")
    report = customer_value.valuation.recompute_all(
        db.session, config=tier_config(), actor_id=current_user.id
    )
    flash(_("%(valued)s customers valued, %(changes)s tier changes.", valued=report.valued,
            changes=len(report.changes)), "success")
    return redirect(url_for("insights.dashboard"), code=303)


@bp.get("/customers/<int:customer_id>")
def customer(customer_id: int):
    """One customer's value as of now, tier, account and needs profile."""
    insight = insights.customer_insight(db.session, current_user, customer_id,
                                        language=locale_code())
    return render_template("insights/customer.html", insight=insight)
