"""The `inbox` blueprint: a user's messages, and the open/click links of e-mails."""

from flask import Blueprint
from flask_login import current_user

from configurator.services.messages import outbox
from configurator.web.database import db

bp = Blueprint("inbox", __name__)


@bp.app_template_global()
def unread_messages() -> int:
    """How many messages the signed-in user has not read (for the menu)."""
    if not current_user.is_authenticated:
        return 0
    return outbox.unread_count(db.session, current_user)


from configurator.web.inbox import routes  # noqa: F401  (registers the views)
