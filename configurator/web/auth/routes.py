"""Sign up, sign in, sign out. A guest's picks survive all three steps."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from configurator.services import users
from configurator.services.configuring import configurations
from configurator.services.errors import EmailTaken, ServiceError
from configurator.web import drafts
from configurator.web.auth import bp
from configurator.web.auth.forms import SignInForm, SignUpForm
from configurator.web.database import db


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create a customer account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("shop.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = users.sign_up(
                db.session,
                form.email.data,
                form.password.data,
                form.name.data,
                segment=form.segment.data,
                country=form.country.data,
                password_method=current_app.config["PASSWORD_HASH_METHOD"],
            )
        except EmailTaken as error:
            form.email.errors.append(str(error))
        else:
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            return _after_sign_in(user)
    return render_template(
        "auth/signup.html", form=form, next=_next_url()
    ), 200 if not form.errors else 400


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("shop.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = users.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            login_user(user)
            flash(_("Signed in as %(name)s.", name=user.name), "success")
            return _after_sign_in(user)
    return render_template(
        "auth/signin.html", form=form, next=_next_url()
    ), 200 if not form.errors else 400


@bp.route("/signout", methods=["POST"])
@login_required
def signout():
    """Sign out and drop what the session kept (drafts belong to the person)."""
    logout_user()
    session.clear()
    flash(_("Signed out."), "info")
    return redirect(url_for("shop.index"))


def _after_sign_in(user):
    """Finish a save the guest asked for, else go where they were going."""
    pending = drafts.pop_pending_save()
    if pending is not None:
        catalog_id, selection, name = pending
        try:
            configuration = configurations.create(db.session, user, catalog_id, name, selection)
        except ServiceError as error:
            flash(_("Your picks are kept, but could not be saved yet: %(error)s", error=error), "error")
            return redirect(url_for("shop.configure", catalog_id=catalog_id))
        drafts.forget(catalog_id)
        flash(_("Saved “%(name)s”.", name=configuration.name), "success")
        return redirect(url_for("account.configuration", configuration_id=configuration.id))
    return redirect(_next_url() or url_for("shop.index"))


def _next_url() -> str | None:
    """A local `next` target only: never redirect to another site."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith("//")
        and not parts.netloc
        and not parts.scheme
    ):
        return target
    return None
