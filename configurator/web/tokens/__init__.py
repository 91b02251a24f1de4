"""The `tokens` blueprint: a signed-in user's personal API tokens."""

from flask import Blueprint

bp = Blueprint("tokens", __name__)

from configurator.web.tokens import routes  # noqa: F401  (registers the views)
