"""The production entry point: `gunicorn configurator.web.wsgi:app`.

Everything comes from the environment: DATABASE_URL (PostgreSQL in
production), SECRET_KEY (required: every worker and every host must sign
sessions with the same key, so a random per-process key would sign people out
at random), RATELIMIT_STORAGE_URI (redis://... to share counters between
processes), SESSION_COOKIE_SECURE (on unless set to 0, e.g. for loopback
benchmarks over plain HTTP) and TRUSTED_PROXIES (how many reverse proxies in
front set X-Forwarded-For/-Proto; 0 by default).
"""

from __future__ import annotations

import os
import sys

from flask import Flask

from configurator.config import ProductionConfig, database_url

# gunicorn treats exit status 4 as "the application could not be loaded" and
# stops instead of restarting the worker in a loop.
APP_LOAD_ERROR = 4


def create_production_app() -> Flask:
    """The shop with production settings, or exit with a one-line reason."""
    from configurator.web import create_app

    secret_key = os.environ.get("SECRET_KEY", "")
    if len(secret_key) < 16:
        print(
            "configurator: set SECRET_KEY (at least 16 characters, the same on every "
            "worker and host) to run in production",
            file=sys.stderr,
        )
        sys.exit(APP_LOAD_ERROR)
    app = create_app(ProductionConfig, {"SECRET_KEY": secret_key, "DATABASE_URL": database_url()})
    proxies = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address (for rate limits) and https (for HSTS and secure
        # cookies) as the proxy saw them; only as many hops as we trust.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


app = create_production_app()
