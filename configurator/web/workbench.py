"""What the shop's and the account's configurator views share: reading the
picks from the form, the customer's facts, and page-or-fragment rendering."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request
from flask_login import current_user

from configurator.engine import Catalog, SelectionError
from configurator.services import catalogs, configuring, defaults
from configurator.services.configuring import ConfiguratorState, Selection
from configurator.services.errors import NotFound
from configurator.store import CatalogVersion, db
from configurator.web.extensions import htmx


def current_version(catalog_id: str) -> CatalogVersion:
    """The current version of a product line, or 404."""
    try:
        return catalogs.current(db.session, catalog_id)
    except NotFound:
        abort(404, f"There is no product line called “{catalog_id}”.")


def customer_facts() -> dict[str, str]:
    """The signed-in customer's facts for the engine; none for guests."""
    return current_user.facts() if current_user.is_authenticated else {}


def usual_choices(catalog_id: str) -> dict[str, list[str]]:
    """The signed-in customer's personal defaults for this product line."""
    if not current_user.is_authenticated:
        return {}
    return defaults.personal_defaults(db.session, current_user, catalog_id)


def posted_selection(catalog: Catalog) -> tuple[Selection, list[str]]:
    """The picks of the submitted form, and messages about fields it had to drop."""
    form = {key: request.form.getlist(key) for key in request.form}
    return configuring.parse_selection(catalog, form)


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
    """Everything the configurator shows, for the current request."""
    try:
        return configuring.evaluate(
            catalog,
            selection,
            customer_facts(),
            usual=usual,
            explain=posted_why() if request.method == "POST" else None,
            eager_limit=current_app.config["EAGER_EXPLAIN_LIMIT"],
            problems=problems,
            notice=notice,
        )
    except SelectionError as error:  # a stored selection the catalog no longer knows
        cleaned, more = configuring.clean_selection(catalog, selection)
        return evaluate(
            catalog, cleaned, usual, problems=(problems or []) + more + [str(error)], notice=notice
        )


def respond(template: str, status: int = 200, **context: Any):
    """The full page, or for an htmx request only the configurator fragment."""
    if htmx:
        return render_template("partials/_configurator.html", **context), status
    return render_template(template, **context), status
