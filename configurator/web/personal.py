"""Personalization on the configurator page: suggestions on the next open
features and the "Same as last time" button (see services/customer_value/personalize.py)."""

from __future__ import annotations

import logging

from flask import Flask
from flask_login import current_user

from configurator.engine import Catalog
from configurator.services import customer_value
from configurator.services.configuring.page import ConfiguratorState
from configurator.web.database import db
from configurator.web.i18n import locale_code

log = logging.getLogger(__name__)


def suggest_into(catalog: Catalog, state: ConfiguratorState) -> ConfiguratorState:
    """Put the suggestions for this customer (or guest) on the page's features.

    A suggestion is a courtesy: if it fails, the page is shown without one.
    """
    customer = _customer()
    facts = customer.facts() if customer is not None else {}
    if customer is not None:
        state = _benefits_into(catalog, state, facts)
    try:
        found = customer_value.personalize.suggest(
            db.session, customer, catalog, state.selection, facts, language=locale_code()
        )
    except Exception:
        log.warning("no suggestions for %s", catalog.model.id, exc_info=True)
        return state
    return customer_value.personalize.attach(state, found)


def _benefits_into(catalog: Catalog, state: ConfiguratorState, facts: dict) -> ConfiguratorState:
    """Mark the options the customer's tier or segment opens up ("Included for you")."""
    try:
        found = customer_value.bundles.benefits(catalog, facts, locale_code())
    except Exception:
        log.warning("no service bundle for %s", catalog.model.id, exc_info=True)
        return state
    return customer_value.bundles.attach(state, found)


def same_as_last_time(catalog_id: str) -> customer_value.personalize.LastTime | None:
    """The signed-in customer's newest order or configuration of the product line."""
    customer = _customer()
    if customer is None:
        return None
    return customer_value.personalize.last_time(db.session, customer, catalog_id)


def register(app: Flask) -> None:
    """Make `same_as_last_time(catalog_id)` callable from templates."""
    app.add_template_global(same_as_last_time)


def _customer():
    """The signed-in customer; None for guests and staff (staff have no history of their own)."""
    if current_user.is_authenticated and not current_user.is_staff:
        return current_user
    return None
