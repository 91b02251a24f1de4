"""The `account` blueprint."""

from flask import Blueprint

bp = Blueprint("account", __name__)

from configurator.web.account import (  # noqa: F401  (registers the views)
    cart,
    checkout,
    guest_orders,
    privacy,
    routes,
)
