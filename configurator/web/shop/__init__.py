"""The `shop` blueprint."""

from flask import Blueprint

bp = Blueprint("shop", __name__)

from configurator.web.shop import routes  # noqa: E402,F401  (registers the views)
