"""The JSON API (`/api`): the same services as the pages, for other systems.

Authenticated by personal API tokens only (see `auth.py`), hence exempt from
CSRF protection. Every error is application/problem+json (see `problems.py`).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app

from configurator.web.extensions import csrf, limiter

bp = Blueprint("api", __name__)

API_RATE_LIMIT = "300 per minute"  # per token (per address without one)
API_AUTH_FAILURE_LIMIT = "20 per minute"  # failed authentications per address


def _usage_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", API_RATE_LIMIT)


def _failure_limit() -> str:
    return current_app.config.get("API_AUTH_FAILURE_LIMIT", API_AUTH_FAILURE_LIMIT)


def _failed_authentication(response: Response) -> bool:
    return response.status_code == 401


def register(app: Flask) -> None:
    """Mount the API at /api, without CSRF (bearer tokens only, never the session cookie)."""
    csrf.exempt(bp)
    app.register_blueprint(bp, url_prefix="/api")


from configurator.web.api import (  # the views need `bp`, made above
    auth,
    carts,  # noqa: F401
    catalogs,  # noqa: F401
    configurations,  # noqa: F401
    docs,  # noqa: F401
    handlers,  # noqa: F401
    orders,  # noqa: F401
    quotes,  # noqa: F401
)

# Set once at import (the limiter is module-level and shared by every app).
# Counting failures per address slows down guessing tokens; counting use per
# token keeps one integration from crowding out the others.
limiter.limit(_usage_limit, key_func=auth.rate_key)(bp)
limiter.limit(
    _failure_limit, key_func=auth.client_address, deduct_when=_failed_authentication
)(bp)
