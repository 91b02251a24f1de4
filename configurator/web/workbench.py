"""What the shop's and the account's configurator views share: reading the
picks from the form, the customer's facts, and page-or-fragment rendering."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request
from flask_htmx import make_response
from flask_login import current_user

from configurator.engine import Catalog
from configurator.services import catalogs, configuring, customer_value
from configurator.services.configuring.page import ConfiguratorState, FeatureView
from configurator.services.configuring.selection import Selection
from configurator.services.errors import NotFound
from configurator.store import CatalogVersion
from configurator.web.database import db
from configurator.web.extensions import htmx
from configurator.web.i18n import locale_code

CONFIGURATOR_ID = "configurator"  # the form's id in partials/_configurator.html
SHOWN_PREFIX = "shown."  # the fingerprint each feature of the page posts back


def current_version(catalog_id: str) -> CatalogVersion:
    """The current version of a product line, or 404."""
    try:
        return catalogs.current(db.session, catalog_id)
    except NotFound:
        abort(404, f"There is no product line called “{catalog_id}”.")


def customer_facts() -> dict[str, str]:
    """The signed-in customer's facts for the engine; none for guests."""
    return current_user.facts() if current_user.is_authenticated else {}


def usual_choices(catalog_id: str, excluding: int | None = None) -> dict[str, list[str]]:
    """The signed-in customer's personal defaults for this product line, leaving
    out the configuration being edited (`excluding`)."""
    if not current_user.is_authenticated:
        return {}
    return customer_value.defaults.personal_defaults(
        db.session, current_user, catalog_id, excluding=excluding
    )


def posted_selection(catalog: Catalog) -> tuple[Selection, list[str]]:
    """The picks of the submitted form, and messages about fields it had to drop."""
    form = {key: request.form.getlist(key) for key in request.form}
    return configuring.selection.parse_selection(catalog, form)


def posted_why() -> tuple[str, str] | None:
    """The option whose "Why?" button was pressed, if any."""
    action = request.form.get("action", "")
    if action.startswith("why:"):
        feature, _, option = action[4:].partition("=")
        return feature, option
    return None


def evaluate(
    catalog: Catalog,
    selection: Selection,
    usual: dict[str, list[str]],
    *,
    problems: list[str] | None = None,
    notice: str | None = None,
) -> ConfiguratorState:
    """Everything the configurator shows, for the current request and customer."""
    return evaluate_for(catalog, selection, customer_facts(), usual, problems=problems, notice=notice)


def evaluate_for(
    catalog: Catalog,
    selection: Selection,
    facts: dict[str, str],
    usual: dict[str, list[str]],
    *,
    problems: list[str] | None = None,
    notice: str | None = None,
) -> ConfiguratorState:
    """Everything the configurator shows for a customer with these facts (staff
    configure a quote line for the client account's facts, not their own)."""
    return configuring.page.evaluate_lenient(
        catalog,
        selection,
        facts,
        usual=usual,
        explain=posted_why() if request.method == "POST" else None,
        eager_limit=current_app.config["EAGER_EXPLAIN_LIMIT"],
        problems=problems,
        notice=notice,
        language=locale_code(),
    )


def respond(template: str, status: int = 200, **context: Any):
    """The full page; for an htmx pick only what changed; for other htmx requests the fragment.

    A pick (the configurator form posting itself, answered with 200) gets
    the messages, the summary and the features whose content changed, each
    swapped in by id; the big catalogs have over a thousand options, and
    rendering them all on every pick was most of its time.
    """
    if htmx and status == 200 and request.method == "POST" and htmx.target == CONFIGURATOR_ID:
        return _changes_only(context)
    if htmx:
        return render_template("partials/_configurator.html", fragment=True, **context), status
    return render_template(template, **context), status


def _changes_only(context: dict[str, Any]):
    """The pick's response: out-of-band parts only, the form itself left in place."""
    changed = changed_features(context["state"], request.form)
    said = configuring.page.announcement(context["state"], request.form.get("was_disabled"))
    body = render_template(
        "partials/_configurator_update.html",
        changed_features=changed,
        oob=True,
        announcement=said,
        **context,
    )
    return body, 200, {"HX-Reswap": "none"}


def changed_features(state: ConfiguratorState, form) -> list[FeatureView]:
    """The features the browser does not show as they now are.

    The browser's copy of each feature is known by the fingerprint it posts
    (`shown.<feature>`) and by its inputs (`f.<feature>`): a customer's click
    changes the inputs, and a pick the server did not take (or an action that
    changed other picks) must be put right even when the fingerprint matches.
    """
    changed = []
    for _, _, features in state.dimensions:
        for feature in features:
            shown = form.get(SHOWN_PREFIX + feature.id)
            posted = set(form.getlist(configuring.selection.FIELD_PREFIX + feature.id)) - {""}
            chosen = {option.id for option in feature.chosen}
            if shown != feature.digest or posted != chosen:
                changed.append(feature)
    return changed


def full_page_redirect(location: str):
    """A redirect after a configurator's button: htmx follows it as a full page load."""
    if htmx:
        return make_response("", 200, redirect=location)
    return redirect(location, code=303)
