"""The `staff` blueprint: quotes for business clients, accounts, approvals."""

from flask import Blueprint

bp = Blueprint("staff", __name__)

from configurator.web.staff import (  # noqa: F401  (registers the views)
    accounts_admin,
    catalog_drafts,
    catalog_form,
    catalogs,
    copies,
    deliveries,
    lines,
    routes,
    service_lines,
)
