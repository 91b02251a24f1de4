"""Inbox pages (signed in) and the tracking links of e-mails (no sign-in: they
are followed from a mail program, and carry a signed message id)."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from configurator.services.errors import NotFound
from configurator.services.messages import outbox
from configurator.services.messages.links import TrackingLinks
from configurator.services.paging import InvalidCursor
from configurator.web.database import db
from configurator.web.errors import error_response
from configurator.web.i18n import error_text
from configurator.web.inbox import bp

# The smallest transparent GIF: what an e-mail's "opened" image shows.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _links() -> TrackingLinks:
    return TrackingLinks(current_app.config["PUBLIC_URL"], current_app.config["SECRET_KEY"])


@bp.errorhandler(InvalidCursor)
def bad_page_link(error: InvalidCursor):
    """An edited or foreign `?cursor=`: say so, with a way back to the first page."""
    return error_response(400, error_text(error))


@bp.get("/account/inbox")
@login_required
def index():
    """The signed-in user's messages, newest first."""
    page = outbox.inbox_page(db.session, current_user, cursor=request.args.get("cursor"))
    return render_template("inbox/index.html", page=page)


@bp.get("/account/inbox/<int:message_id>")
@login_required
def message(message_id: int):
    """One message, marked read."""
    try:
        shown = outbox.read(db.session, current_user, message_id)
    except NotFound:
        abort(404)
    return render_template("inbox/message.html", message=shown)


@bp.get("/m/<token>/open.gif")
def opened(token: str):
    """The image of an e-mail was loaded: note the open, answer a 1x1 GIF."""
    message_id = _links().message_id(token)
    if message_id is not None:
        outbox.record_open(db.session, message_id)
    response = current_app.response_class(PIXEL, mimetype="image/gif")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/m/<token>/go")
def clicked(token: str):
    """The action link of an e-mail: note the click, then go where it leads."""
    message_id = _links().message_id(token)
    target = outbox.record_click(db.session, message_id) if message_id is not None else None
    if not target:
        abort(404)
    return redirect(_local(target))


def _local(target: str) -> str:
    """Only ever redirect within the shop, whatever a stored link says."""
    parts = urlsplit(target)
    public = urlsplit(current_app.config["PUBLIC_URL"])
    if parts.netloc and parts.netloc != public.netloc:
        return url_for("shop.index")
    path = parts.path if parts.path.startswith("/") else "/"
    return path + (f"?{parts.query}" if parts.query else "")
