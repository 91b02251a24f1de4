"""Quote templates: staff keep a quote's lines (product line, picks, quantity,
kind, discount), its service lines and its discount under a name, and start new
quotes from it for any account. A template keeps no catalog prices: a quote
started from one is priced at today's catalog and the account's terms, as if its
lines were added by hand. Service lines have no catalog price, so they keep what
staff typed (description, quantity, unit price, unit cost, own VAT rate).

Service lines are kept in the template's `lines` list with `"kind": "service"`
(no migration: the column is JSON); `product_lines` and `service_lines` split them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from configurator.quoting import QuoteError
from configurator.quoting.phrases import N_
from configurator.quoting.pricing import LineKind
from configurator.services.errors import InvalidSelection, NotFound
from configurator.services.quotes import drafts, lines, service_lines
from configurator.services.quotes.records import (
    discount_from_json,
    discount_to_json,
    load,
    require_staff,
)
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.quotes import QuoteRecord, QuoteTemplate
from configurator.store.types import utcnow

NAME_MAX = 120
SERVICE = "service"


def product_lines(template: QuoteTemplate) -> list[dict[str, Any]]:
    """The template's configured-product lines."""
    return [line for line in template.lines if line.get("kind") != SERVICE]


def service_lines_of(template: QuoteTemplate) -> list[dict[str, Any]]:
    """The template's service and free-text lines."""
    return [line for line in template.lines if line.get("kind") == SERVICE]


def _service_to_json(service: Any) -> dict[str, Any]:
    return {
        "kind": SERVICE,
        "line_id": service.line_id,
        "description": service.description,
        "quantity": service.quantity,
        "unit_price": str(service.unit_price),
        "unit_cost": str(service.unit_cost),
        "tax_rate": None if service.tax_rate is None else str(service.tax_rate),
    }


def _service_from_json(line: dict[str, Any]) -> service_lines.ServiceInput:
    rate = line.get("tax_rate")
    return service_lines.ServiceInput(
        line["description"], line["quantity"], Decimal(line["unit_price"]),
        Decimal(line.get("unit_cost") or 0), None if rate is None else Decimal(rate))


@use_case
def save(
    session: Session, staff: User, quote_id: int, name: str, *, now: datetime | None = None
) -> QuoteTemplate:
    """Keep any revision's lines and discount as a template named `name` (unique)."""
    require_staff(staff)
    name = " ".join(name.split())
    if not name:
        raise QuoteError(N_("Give the template a name."))
    if len(name) > NAME_MAX or not name.isprintable():
        raise QuoteError(N_("A template's name has at most %(count)s printable characters.",
                            count=NAME_MAX))
    loaded = load(session, staff, quote_id)
    rows = {row.line_id: row for row in loaded.record.lines}
    kept = [
        {
            "line_id": line.line_id,
            "catalog_id": line.product_line,
            "selection": dict(rows[line.line_id].selection),
            "quantity": line.quantity,
            "title": line.title,
            "kind": line.kind.value,
            "alternative_to": line.alternative_to,
            "discount": discount_to_json(line.discount),
        }
        for line in loaded.quote.lines
    ] + [_service_to_json(service) for service in loaded.quote.services]
    template = QuoteTemplate(
        name=name,
        lines=kept,
        discount=discount_to_json(loaded.quote.discount),
        source_number=loaded.record.number,
        created_by_id=staff.id,
        created_at=now or utcnow(),
    )
    session.add(template)
    try:
        session.flush()
    except IntegrityError as error:
        raise QuoteError(N_("There is already a template named “%(name)s”.", name=name)) from error
    return template


def all_templates(session: Session, staff: User) -> list[QuoteTemplate]:
    """Every template, by name (staff only)."""
    require_staff(staff)
    return list(session.scalars(sa.select(QuoteTemplate).order_by(QuoteTemplate.name)))


@use_case
def start(
    session: Session,
    staff: User,
    template_id: int,
    account_id: int,
    *,
    now: datetime | None = None,
) -> QuoteRecord:
    """A new draft for the account with the template's lines and discount, priced today.

    A line whose picks no longer fit the catalog refuses the whole quote, naming the
    line, so staff fix the template's source quote or build the quote by hand.
    """
    require_staff(staff)
    template = session.get(QuoteTemplate, template_id)
    if template is None:
        raise NotFound(N_("There is no such template."))
    record = drafts.create(session, staff, account_id, now=now)
    new_ids: dict[str, str] = {}
    for line in product_lines(template):
        try:
            record = lines.add_line(
                session, staff, record.id, line["catalog_id"], dict(line["selection"]),
                line["quantity"], title=line.get("title", ""),
                discount=discount_from_json(line.get("discount")), now=now,
            )
        except (InvalidSelection, QuoteError) as error:
            raise InvalidSelection(N_(
                "Line %(line)s of template “%(name)s” no longer fits: %(problem)s",
                line=line["line_id"], name=template.name, problem=error.args[0] if error.args
                else str(error))) from error
        new_ids[line["line_id"]] = record.lines[-1].line_id
    for line in product_lines(template):
        kind = LineKind(line.get("kind") or "included")
        if kind is not LineKind.INCLUDED:
            alternative_to = line.get("alternative_to")
            record = lines.change_line(
                session, staff, record.id, new_ids[line["line_id"]], quantity=line["quantity"],
                discount=discount_from_json(line.get("discount")), kind=kind,
                alternative_to=new_ids.get(alternative_to) if alternative_to else None, now=now,
            )
    for service in service_lines_of(template):
        record = service_lines.add_service(session, staff, record.id, _service_from_json(service),
                                           now=now)
    discount = discount_from_json(template.discount)
    if discount is not None:
        record = drafts.set_discount(session, staff, record.id, discount, now=now)
    return record
