"""API token pages: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from configurator.services import api_tokens
from configurator.services.errors import NotFound, ServiceError
from configurator.store.types import utcnow
from configurator.web.database import db
from configurator.web.i18n import error_text
from configurator.web.tokens import bp
from configurator.web.tokens.forms import SelectChoice, TokenForm


@bp.before_request
@login_required
def require_sign_in():
    """Tokens belong to a signed-in user."""


@bp.get("/")
def index():
    """My tokens, and the form for a new one."""
    return render_template("tokens/index.html", form=_form(), tokens=_tokens(), secret=None)


@bp.post("/")
def create():
    """Create a token and show its secret, this once."""
    form = _form()
    status = 400
    secret = None
    if form.validate_on_submit():
        expires_at = None
        if form.expires.data:
            expires_at = utcnow() + timedelta(days=int(form.expires.data))
        try:
            _token, secret = api_tokens.create(
                db.session, current_user, form.name.data, form.scopes.data, expires_at=expires_at
            )
        except api_tokens.InvalidTokenName as error:
            form.name.errors = [*form.name.errors, error_text(error)]
        except ServiceError as error:
            form.scopes.errors = [*form.scopes.errors, error_text(error)]
        else:
            status = 201
            form = _form(formdata=None)
    body = render_template("tokens/index.html", form=form, tokens=_tokens(), secret=secret)
    response = make_response(body, status)
    # The secret must not linger in a cache or the browser's back-forward store.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    """Revoke one of my tokens: it stops working at once."""
    try:
        token = api_tokens.revoke(db.session, current_user, token_id)
    except NotFound:
        abort(404, _("There is no such token."))
    flash(_("Revoked “%(name)s”. It no longer works.", name=token.name), "success")
    return redirect(url_for("tokens.index"), code=303)


def _form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    allowed = api_tokens.allowed_scopes(current_user)
    form.scopes.choices = [
        # The scope code stays as the API names it; what it allows in the page's language.
        SelectChoice(scope, f"{scope}: {_(api_tokens.SCOPES[scope])}") for scope in allowed
    ]
    return form


def _tokens():
    return api_tokens.list_for(db.session, current_user)
