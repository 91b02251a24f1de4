"""The `shop` blueprint."""

from flask import Blueprint

bp = Blueprint("shop", __name__)

from configurator.web.shop import guest, guest_cart, offers, routes  # noqa: F401  (registers the views)
