"""GET /health for load balancers and process supervisors.

No sign-in and no CSRF (nothing changes); it says only whether this process can
reach the database, never why not (the log has the details).
"""

from __future__ import annotations

from flask import Flask, jsonify

from configurator.services.health import database_problem
from configurator.web.database import db


def health():
    """200 {"status": "ok"} when the database answers, takes writes and is
    migrated; else 503 with the reason."""
    problem = database_problem(db.session)
    if problem is None:
        return jsonify(status="ok")
    return jsonify(status="unavailable", reason=problem), 503


def register(app: Flask) -> None:
    """Add the route; exempt from rate limits, since supervisors poll it often."""
    from configurator.web.extensions import limiter

    app.add_url_rule("/health", "health", limiter.exempt(health), methods=["GET"])
