"""The deliveries desk for staff: planned deliveries filtered by due day and status,
paged (`cursor`), and "Mark shipped" when a parcel went out (a form with its CSRF
token; the customer gets an e-mail)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields import SelectChoice

from configurator.services import delivery_desk, orders
from configurator.services.paging import InvalidCursor, Page
from configurator.web.database import db
from configurator.web.i18n import error_text
from configurator.web.staff import bp
from configurator.web.staff.roles import staff_required

STATUS_NAMES = {
    "scheduled": _l("Planned"), "sent": _l("Sent"), "cancelled": _l("Cancelled"), "": _l("Any status"),
}


class DeliveryFilterForm(FlaskForm):
    """The desk's filter, read from the query string (a GET that changes nothing)."""

    class Meta:
        csrf = False

    start = DateField(_l("Due from"), render_kw={"type": "date"})
    end = DateField(_l("Due until"), render_kw={"type": "date"})
    status = SelectField(_l("Status"), choices=[SelectChoice(value, label) for value, label in STATUS_NAMES.items()],
                         default="scheduled")


@bp.get("/deliveries")
@staff_required
def deliveries():
    """Planned deliveries, soonest due first; a bad filter is said in the page (400)."""
    form = DeliveryFilterForm(request.args)
    wanted, problems = _filter(form)
    found: Page = Page([], None, None)
    if not problems:
        try:
            found = delivery_desk.listing(db.session, current_user, wanted,
                                          cursor=request.args.get("cursor") or None)
        except InvalidCursor as error:
            problems.append(error_text(error))
    page = render_template(
        "staff/deliveries.html", form=form, deliveries=found.items, page=found, problems=problems,
        status_name=lambda status: str(STATUS_NAMES.get(status, status)),
        title_of=lambda order: orders.title_of(order.snapshot),
        filters={key: request.args[key] for key in ("start", "end", "status")
                 if request.args.get(key) is not None},
    )
    return page, 400 if problems else 200


@bp.post("/deliveries/<int:delivery_id>/shipped")
@staff_required
def mark_delivery_shipped(delivery_id: int):
    """Record that the delivery went out; back to the same filtered list."""
    try:
        delivery = delivery_desk.mark_shipped(db.session, current_user, delivery_id)
    except delivery_desk.DeliveryRefused as refused:
        flash(error_text(refused), "error")
    else:
        flash(_("Delivery %(number)s of order %(order)s is shipped.",
                number=delivery.number, order=delivery.order.number), "success")
    kept = {key: request.form[key] for key in ("start", "end", "status", "cursor")
            if request.form.get(key)}
    return redirect(url_for("staff.deliveries", **kept), 303)


def _filter(form: DeliveryFilterForm) -> tuple[delivery_desk.DeliveryFilter, list[str]]:
    """The service's filter from the form, or the form's problems in words."""
    problems = []
    if not form.validate():
        problems = [f"{form[name].label.text}: {message}" for name, errors in form.errors.items()
                    for message in errors]
    status = form.status.data or None
    if form.start.data and form.end.data and form.start.data > form.end.data:
        problems.append(_("The first day comes after the last."))
    return delivery_desk.DeliveryFilter(form.start.data, form.end.data, status), problems
