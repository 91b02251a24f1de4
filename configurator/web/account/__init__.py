"""The `account` blueprint."""

from flask import Blueprint

bp = Blueprint("account", __name__)

from configurator.web.account import cart, checkout, privacy, routes  # noqa: F401  (registers the views)
