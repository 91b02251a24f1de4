"""The `client_quotes` blueprint: a business client's contacts see their
account's quotes and accept or decline them."""

from flask import Blueprint

bp = Blueprint("client_quotes", __name__)

from configurator.web.client_quotes import routes  # noqa: F401  (registers the views)
