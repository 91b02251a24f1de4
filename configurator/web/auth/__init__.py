"""The `auth` blueprint."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from configurator.web.auth import passwords, routes, verify  # noqa: F401  (registers the views)
