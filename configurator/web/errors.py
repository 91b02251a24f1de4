"""Error pages and fragments: a clear message, never a traceback."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from configurator.web.extensions import htmx

TITLES = {
    400: _l("That request did not make sense"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not allowed here"),
    409: _l("Changed meanwhile"),
    500: _l("Something went wrong on our side"),
}


def error_response(status: int, message: str, title: str | None = None):
    """A full error page, or for htmx a message shown in the page's message area."""
    from configurator.web.api.problems import is_api_request, problem_response

    if is_api_request(request.path):
        # Programs call the API: the same message, as application/problem+json.
        return problem_response(status, message)
    title = title or str(TITLES.get(status, _("Error")))
    if htmx:
        body = render_template("partials/_message.html", category="error", message=message)
        # Shown above the page; the configurator the customer was editing stays as it is.
        return make_response(body, status, retarget="#messages", reswap="innerHTML")
    return render_template("errors/error.html", title=title, message=message), status


def register(app: Flask) -> None:
    """Install the handlers on the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            400,
            _("Your page had expired, so nothing was changed. Reload the page and try again."),
            _("Page expired"),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = (
            error.description
            if error.code != 404
            else _("There is nothing here, or it is not yours to see.")
        )
        return error_response(error.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if app.testing:
            raise error  # let the test show the real failure
        app.logger.exception("unhandled error")
        _discard_failed_transaction()
        return error_response(
            500, _("Sorry, that did not work. Nothing you saved was lost; please try again.")
        )


def _discard_failed_transaction() -> None:
    """Drop what the failed request left, so the error page can query again.

    After a database error the session refuses every statement until it is
    reset, and the error page's menu asks the database who is signed in:
    without this the error page itself failed, as a bare "Internal Server Error".
    """
    from configurator.web.database import db

    try:
        db.discard()
    except Exception:  # the database is gone: the page must still be shown
        current_app.logger.exception("closing the session after an error failed")
