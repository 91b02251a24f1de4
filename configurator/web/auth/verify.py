"""After sign-up: "check your e-mail", the confirmation link, and asking for
it again. A mail scanner that opens the link must not use it up, so the link's
page only asks; its button (a POST) confirms and signs in."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from configurator.services import passwords, verification
from configurator.web.auth import bp, sessions
from configurator.web.auth.routes import after_sign_in
from configurator.web.database import db


@bp.route("/signup/sent")
def signup_sent():
    """The one answer to every accepted sign-up, whether or not the address had an account."""
    return render_template("auth/signup_sent.html")


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """Confirm an address from the e-mailed link, then sign in with its account."""
    user = verification.link_user(db.session, token)
    if user is None:
        return render_template("auth/link_invalid.html", purpose="verify"), 410
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            user = verification.confirm(db.session, token)
        except passwords.LinkNotValid:
            return render_template("auth/link_invalid.html", purpose="verify"), 410
        if current_user.is_authenticated and current_user.id != user.id:
            sessions.sign_out()
        if not current_user.is_authenticated:
            sessions.sign_in(user)
        flash(_("Your e-mail address is confirmed. Welcome, %(name)s!", name=user.name), "success")
        return after_sign_in(user)
    return render_template("auth/verify.html", form=form, email=user.email)


@bp.route("/verify/again", methods=["POST"])
@login_required
def verify_again():
    """E-mail the signed-in user a new confirmation link."""
    if verification.send_again(db.session, current_user):
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    elif current_user.email_verified_at is not None:
        flash(_("Your e-mail address is already confirmed."), "info")
    else:
        flash(_("We sent several links in the last hour. Please use one of them, or try "
                "again later."), "error")
    return redirect(url_for("account.privacy_page"), code=303)
