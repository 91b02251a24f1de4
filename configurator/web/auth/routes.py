"""Sign up, sign in, sign out. A guest's picks survive all three steps."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from configurator.services import passwords, sign_ins, users, verification
from configurator.services.configuring import configurations
from configurator.services.errors import EmailTaken, ServiceError
from configurator.web import drafts, security
from configurator.web.auth import bp, sessions
from configurator.web.auth.forms import SignInForm, SignUpForm
from configurator.web.database import db


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Create a customer account, to be confirmed from the e-mailed link."""
    if current_user.is_authenticated:
        return redirect(url_for("shop.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            verification.sign_up(
                db.session,
                form.email.data,
                form.password.data,
                form.name.data,
                # Always a consumer: "business" (invoice payment) comes only from
                # staff, who make a verified business account's contacts.
                country=form.country.data,
                locale=str(get_locale() or "en"),
                password_method=current_app.config["PASSWORD_HASH_METHOD"],
            )
        except passwords.UnfitPassword:
            form.password.errors.append(_("Use 8 to 1024 characters."))
        except EmailTaken:
            pass  # a racing sign-up took the address: answered like any other
        if not form.errors:
            # The same answer whether or not the address had an account (no
            # enumeration): either way a message went to that address.
            return redirect(url_for("auth.signup_sent"))
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
        wait = security.sign_in_wait(form.email.data)
        if wait:
            return security.must_wait(wait)
        user = users.authenticate(db.session, form.email.data, form.password.data,
                                  password_method=current_app.config["PASSWORD_HASH_METHOD"])
        if user is None:
            security.record_failed_sign_in(form.email.data)
            form.password.errors.append(_("Wrong email or password."))
        else:
            security.forget_failed_sign_ins(form.email.data)
            sessions.sign_in(user)
            flash(_("Signed in as %(name)s.", name=user.name), "success")
            return after_sign_in(user)
    return render_template(
        "auth/signin.html", form=form, next=_next_url()
    ), 200 if not form.errors else 400


@bp.route("/signout", methods=["POST"])
@login_required
def signout():
    """Sign out and drop what the session kept (drafts belong to the person)."""
    sessions.sign_out()
    flash(_("Signed out."), "info")
    return redirect(url_for("shop.index"))


@bp.route("/signout-everywhere", methods=["POST"])
@login_required
def signout_everywhere():
    """End every session of this account (other browsers, a copied cookie), then this one."""
    ended = sign_ins.end_all(db.session, current_user.id)
    sessions.sign_out()
    flash(f"Signed out everywhere ({ended} session{'s' if ended != 1 else ''} ended).", "info")
    return redirect(url_for("shop.index"))


def after_sign_in(user):
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
