"""The `account` blueprint."""

from flask import Blueprint

bp = Blueprint("account", __name__)

from configurator.web.account import routes  # noqa: F401  (registers the views)
