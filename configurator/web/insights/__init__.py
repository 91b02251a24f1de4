"""The `insights` blueprint: the staff dashboard of customer value (/staff/insights)."""

from flask import Blueprint

bp = Blueprint("insights", __name__)

from configurator.web.insights import identify, offers, routes  # noqa: F401  (registers the views)
