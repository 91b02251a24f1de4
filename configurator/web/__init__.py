"""The web app: `create_app` builds it; one blueprint package per audience."""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, session, url_for

from configurator.config import REPO_ROOT, Config
from configurator.services import jobs
from configurator.web.database import db
from configurator.web.extensions import csrf, htmx, login_manager


def create_app(config_class: type = Config, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the shop: config, database, CSRF, login, htmx, blueprints, errors."""
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder="static",
        instance_path=str(REPO_ROOT / "instance"),
    )
    app.config.from_object(config_class)
    if test_config:
        app.config.update(test_config)

    db.init_app(app)
    # Jobs (e-mail delivery) are queued once the use case that made them commits.
    jobs.configure(app.config.get("REDIS_URL") or None, app.config["JOBS_QUEUE"])
    from configurator.web.staff import draft_limits

    draft_limits.register(app)  # before CSRF, which reads the form: a draft may be larger than other bodies
    from configurator.web.staff import catalog_drafts

    catalog_drafts.init_draft_checks(app)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    from configurator.services import sign_ins
    from configurator.web.auth.sessions import SESSION_TOKEN

    @login_manager.user_loader
    def load_user(user_id: str):
        """The signed-in user, while the cookie's server-side session is open; else None."""
        try:
            return sign_ins.user_of(db.session, int(user_id), session.get(SESSION_TOKEN))
        except ValueError:
            return None

    from configurator.web import api, errors, health, input_guard, security
    from configurator.web.account import bp as account_bp
    from configurator.web.auth import bp as auth_bp
    from configurator.web.shop import bp as shop_bp
    from configurator.web.tokens import bp as tokens_bp

    app.register_blueprint(shop_bp, url_prefix="/shop")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(auth_bp, url_prefix="/auth")
    api.register(app)
    app.register_blueprint(tokens_bp, url_prefix="/account/tokens")
    from configurator.web.client_quotes import bp as client_quotes_bp
    from configurator.web.staff import bp as staff_bp

    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(client_quotes_bp, url_prefix="/account/quotes")
    from configurator.web import i18n, personal, pictures
    from configurator.web.insights import bp as insights_bp

    app.register_blueprint(insights_bp, url_prefix="/staff/insights")
    from configurator.web.inbox import bp as inbox_bp

    app.register_blueprint(inbox_bp)
    personal.register(app)
    pictures.register(app)
    i18n.register(app)
    errors.register(app)
    input_guard.register(app)
    security.register(app)
    health.register(app)

    app.add_url_rule("/", "index", lambda: redirect(url_for("shop.index")))
    return app

