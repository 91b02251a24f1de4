"""My privacy: what the shop may do with my data (consent per purpose), a
download of all of it, and erasure. For the signed-in customer only (the
blueprint's `require_sign_in`)."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from configurator.services import privacy, users
from configurator.services.privacy.erasure import NotErasable
from configurator.web.account import bp
from configurator.web.account.forms import EraseForm, ExportForm, PhoneForm, PrivacyForm
from configurator.web.auth import sessions
from configurator.web.database import db
from configurator.web.i18n import error_text


@bp.route("/privacy", methods=["GET", "POST"])
def privacy_page():
    """GET: my consents with the export and erasure buttons. POST: save my consents."""
    form = PrivacyForm()
    if form.validate_on_submit():
        changed = privacy.consent.change(db.session, current_user, form.wanted())
        flash(_("Your choices are saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("account.privacy_page"), 303)
    if form.is_submitted():  # a POST without a valid CSRF token, say
        return _page(form, status=400)
    for purpose, granted in privacy.consent.choices(db.session, current_user).items():
        getattr(form, purpose).data = granted
    return _page(form)


@bp.post("/privacy/phone")
def privacy_phone():
    """Set or remove my phone number (it helps staff recognise me when I call)."""
    phone_form = PhoneForm()
    if not phone_form.validate_on_submit():
        return _page(PrivacyForm(), phone_form=phone_form, status=400)
    try:
        phone = users.change_phone(db.session, current_user, phone_form.phone.data or "")
    except users.PhoneRefused:
        phone_form.phone.errors = [
            _("That does not look like a phone number. Write it with the country code, like +49 170 1234567.")]
        return _page(PrivacyForm(), phone_form=phone_form, status=400)
    flash(_("Your phone number is saved.") if phone else _("Your phone number is removed."), "success")
    return redirect(url_for("account.privacy_page"), 303)


@bp.post("/privacy/export")
def privacy_export():
    """All my data as one JSON file, downloaded in one click (noted on my timeline)."""
    if not ExportForm().validate_on_submit():
        return _page(PrivacyForm(), status=400)
    document = privacy.export.export(db.session, current_user)
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-data.json"'},
    )


@bp.post("/privacy/erase")
def privacy_erase():
    """Erase my personal data (orders stay, anonymised) and sign me out."""
    erase_form = EraseForm()
    if not erase_form.validate_on_submit() or not erase_form.confirm.data:
        erase_form.confirm.errors = [_("Tick the box to confirm: erasure cannot be undone.")]
        return _page(PrivacyForm(), erase_form=erase_form, status=400)
    try:
        privacy.erasure.erase(db.session, current_user)
    except NotErasable as error:
        erase_form.confirm.errors = [error_text(error)]
        return _page(PrivacyForm(), erase_form=erase_form, status=400)
    sessions.sign_out()
    flash(_("Your personal data is erased and you are signed out. Your orders are kept "
            "without your name for our accounts."), "success")
    return redirect(url_for("shop.index"), 303)


def _page(
    form: PrivacyForm, *, erase_form: EraseForm | None = None, phone_form: PhoneForm | None = None,
    status: int = 200,
):
    return render_template(
        "account/privacy.html",
        form=form,
        phone_form=phone_form or PhoneForm(formdata=None, phone=current_user.phone or ""),
        export_form=ExportForm(),
        erase_form=erase_form or EraseForm(formdata=None),
    ), status
