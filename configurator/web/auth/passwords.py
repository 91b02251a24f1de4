"""Change a password, reset a forgotten one by an e-mailed link, choose the
first one from an invitation. Every page here answers `Cache-Control:
no-store` (web/security.py), since a link's token is in its address."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from configurator.services import passwords
from configurator.web import security
from configurator.web.auth import bp, sessions
from configurator.web.auth.forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm
from configurator.web.database import db


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password for the signed-in user, who gives the current one;
    every other browser signed in to the account is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        wait = security.sign_in_wait(current_user.email)
        if wait:
            return security.must_wait(wait)
        try:
            ended = passwords.change(
                db.session, current_user, form.current.data, form.password.data,
                keep_token=sessions.current_token(),
                password_method=current_app.config["PASSWORD_HASH_METHOD"])
        except passwords.WrongPassword:
            # Counted like a wrong sign-in: a borrowed session cannot guess it.
            security.record_failed_sign_in(current_user.email)
            form.current.errors.append(_("That is not your current password."))
        except passwords.UnfitPassword:
            form.password.errors.append(_("Use 8 to 1024 characters."))
        else:
            security.forget_failed_sign_ins(current_user.email)
            flash(_("Your password is changed. Other browsers signed in to your account "
                    "were signed out (%(count)s).", count=ended), "success")
            return redirect(url_for("account.privacy_page"), code=303)
    return render_template("auth/change_password.html", form=form), 200 if not form.errors else 400


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link. The answer is the same whether or not the address
    has an account (rate-limited per client address in web/security.py)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        passwords.request_reset(db.session, form.email.data)
        return render_template("auth/forgot_sent.html")
    return render_template("auth/forgot.html", form=form), 200 if not form.errors else 400


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    return _from_link(token, "reset")


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Choose the first password from an invitation link."""
    return _from_link(token, "invite")


def _from_link(token: str, purpose: str):
    if purpose not in passwords.LINK_PATHS:
        abort(404)
    user = passwords.link_user(db.session, token, purpose)
    if user is None:
        return render_template("auth/link_invalid.html", purpose=purpose), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = passwords.use_link(
                db.session, token, purpose, form.password.data,
                password_method=current_app.config["PASSWORD_HASH_METHOD"])
        except passwords.LinkNotValid:
            return render_template("auth/link_invalid.html", purpose=purpose), 410
        except passwords.UnfitPassword:
            form.password.errors.append(_("Use 8 to 1024 characters."))
        else:
            if current_user.is_authenticated:
                sessions.sign_out()
            sessions.sign_in(user)
            flash(_("Your password is set. You are signed in as %(email)s.", email=user.email),
                  "success")
            return redirect(url_for("shop.index"), code=303)
    return render_template(
        "auth/new_password.html", form=form, purpose=purpose, email=user.email
    ), 200 if not form.errors else 400
