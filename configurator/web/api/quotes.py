"""Quotes: a business client's own (list, read, accept, decline) and staff's
(search, read). Clients see a quote as it was sent to them; a quote of
another account, or a draft, is a 404 like any missing one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import url_for

from configurator.services import quotes
from configurator.services.errors import NotFound
from configurator.services.quotes.records import LoadedQuote
from configurator.services.quotes.service_lines import ServiceInput
from configurator.store.models import User
from configurator.store.quotes import QuoteRecord
from configurator.web.api import quote_schemas as schemas
from configurator.web.api.lists import offset_of, positional_page
from configurator.web.api.operations import operation
from configurator.web.database import db

TAG = "Quotes"
STAFF_TAG = "Staff quotes"
ID = "<int:quote_id>"


def _client_quote(user: User, quote_id: int) -> LoadedQuote:
    # Staff read quotes under /staff/quotes; here, as on the client pages, only contacts.
    if user.is_staff:
        raise NotFound("There is no such quote.")
    return quotes.records.load(db.session, user, quote_id)


@operation("/quotes", "GET", scope="quotes:read", tag=TAG, query=schemas.PageQuerySchema,
           response=schemas.QuotePageSchema)
def list_quotes(user: User, query: dict[str, Any]) -> dict[str, Any]:
    """List the quotes your business account received, newest first.

    Only revisions that were sent to the account; empty for an account-less customer.
    """
    rows = quotes.search.for_client(db.session, user)
    return positional_page(rows, query, "api.list_quotes", _summary)


@operation(f"/quotes/{ID}", "GET", scope="quotes:read", tag=TAG, response=schemas.QuoteSchema)
def get_quote(user: User, quote_id: int) -> dict[str, Any]:
    """Get one of your account's quotes, as it was sent: lines, totals, validity."""
    return quote_view(_client_quote(user, quote_id))


@operation(f"/quotes/{ID}/accept", "POST", scope="quotes:write", tag=TAG,
           body=schemas.QuoteAcceptSchema, response=schemas.QuoteSchema, problems=(409,),
           find=_client_quote)
def accept_quote(user: User, quote_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Accept a sent quote before its valid-until date, under your name or `signature`.

    409 when the quote is no longer open (expired, answered, superseded).
    """
    quotes.answers.accept(db.session, user, quote_id, signature=body["signature"])
    return quote_view(_client_quote(user, quote_id))


@operation(f"/quotes/{ID}/decline", "POST", scope="quotes:write", tag=TAG,
           body=schemas.QuoteDeclineSchema, response=schemas.QuoteSchema, problems=(409,),
           find=_client_quote)
def decline_quote(user: User, quote_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Decline a sent quote, with the reason (it helps us make a better offer).

    409 when the quote is no longer open.
    """
    quotes.answers.decline(db.session, user, quote_id, body["reason"])
    return quote_view(_client_quote(user, quote_id))


@operation("/staff/quotes", "GET", scope="staff:quotes", tag=STAFF_TAG,
           query=schemas.QuoteSearchSchema, response=schemas.QuotePageSchema)
def search_quotes(user: User, query: dict[str, Any]) -> dict[str, Any]:
    """Search every quote by number or client name, status and product line; newest first."""
    start = offset_of(query["cursor"])
    rows = quotes.search.search(
        db.session,
        user,
        text=query["text"],
        status=query["status"],
        catalog_id=query["catalog_id"],
        limit=start + query["limit"] + 1,
    )
    filters = {key: query[key] for key in ("text", "status", "catalog_id") if query[key]}
    return positional_page(rows, query, "api.search_quotes", _summary, **filters)


@operation(f"/staff/quotes/{ID}", "GET", scope="staff:quotes", tag=STAFF_TAG,
           response=schemas.StaffQuoteSchema)
def staff_get_quote(user: User, quote_id: int) -> dict[str, Any]:
    """Get any quote revision, drafts included, priced as it stands.

    Service lines show our unit cost and their own VAT rate (null: the quote's rate).
    """
    return _staff_view(user, quote_id)


SERVICE = "<line_id>"


def _staff_quote(user: User, quote_id: int, line_id: str | None = None) -> LoadedQuote:
    """The quote a staff route names (a 404 for anyone else), before its body is read."""
    if not user.is_staff:
        raise NotFound("There is no such quote.")
    return quotes.records.load(db.session, user, quote_id)


def _service_input(body: dict[str, Any]) -> ServiceInput:
    rate = body["tax_rate"]
    return ServiceInput(body["description"], body["quantity"], Decimal(body["unit_price"]),
                        Decimal(body["unit_cost"]), None if rate is None else Decimal(rate))


@operation(f"/staff/quotes/{ID}/services", "POST", scope="staff:quotes:write", tag=STAFF_TAG,
           body=schemas.ServiceLineInputSchema, response=schemas.StaffQuoteSchema, status=201,
           problems=(409,), find=_staff_quote)
def add_service_line(user: User, quote_id: int, body: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    """Add a service or free-text line (freight, installation) to a draft quote.

    Its own unit price, our unit cost (never shown to the client) and, if it
    differs, its own VAT rate. 409 when the quote is not a draft any more or
    `version` is outdated; 422 for an amount the quote cannot take.
    """
    quotes.service_lines.add_service(db.session, user, quote_id, _service_input(body),
                                     version=body["version"])
    return _staff_view(user, quote_id), {"Location": url_for("api.staff_get_quote",
                                                                  quote_id=quote_id)}


@operation(f"/staff/quotes/{ID}/services/{SERVICE}", "PATCH", scope="staff:quotes:write",
           tag=STAFF_TAG, body=schemas.ServiceLineInputSchema, response=schemas.StaffQuoteSchema,
           problems=(409,), find=_staff_quote)
def change_service_line(user: User, quote_id: int, line_id: str,
                        body: dict[str, Any]) -> dict[str, Any]:
    """Replace a draft's service line: description, quantity, prices and VAT rate."""
    quotes.service_lines.change_service(db.session, user, quote_id, line_id,
                                        _service_input(body), version=body["version"])
    return _staff_view(user, quote_id)


@operation(f"/staff/quotes/{ID}/services/{SERVICE}", "DELETE", scope="staff:quotes:write",
           tag=STAFF_TAG, response=schemas.StaffQuoteSchema, problems=(409,), find=_staff_quote)
def remove_service_line(user: User, quote_id: int, line_id: str) -> dict[str, Any]:
    """Remove a service line from a draft quote."""
    quotes.service_lines.remove_service(db.session, user, quote_id, line_id)
    return _staff_view(user, quote_id)


# ------------------------------------------------------------------ helpers


def _staff_view(user: User, quote_id: int) -> dict[str, Any]:
    """What StaffQuoteSchema dumps: the quote with its service lines' cost and own rate."""
    if not user.is_staff:
        raise NotFound("There is no such quote.")
    loaded = quotes.records.load(db.session, user, quote_id)
    view = quote_view(loaded)
    own = {service.line_id: service for service in loaded.quote.services}
    view["services"] = [
        {**row, "unit_cost": own[row["line_id"]].unit_cost if row["line_id"] in own else None,
         "tax_rate": own[row["line_id"]].tax_rate if row["line_id"] in own else None}
        for row in view["services"]
    ]
    return view


def quote_view(loaded: LoadedQuote) -> dict[str, Any]:
    """What QuoteSchema dumps: the record and its priced content.

    A sent revision shows its frozen copy, exactly what the client received;
    a draft (staff only) is priced as it stands.
    """
    record = loaded.record
    content = record.frozen or quotes.records.frozen_copy(loaded.quote)
    return {
        **_summary(record),
        "account": record.account.name,
        "lines": content["lines"],
        # No cost in the frozen copy (the client's document); copies sent before
        # service lines existed have none.
        "services": content.get("services", []),
        "totals": content["totals"],
        "decline_reason": record.decline_reason or None,
        "superseded_by": record.superseded_by,
    }


def _summary(record: QuoteRecord) -> dict[str, Any]:
    totals = (record.frozen or {}).get("totals")
    return {
        "id": record.id,
        "number": record.number,
        "revision": record.revision,
        "status": record.status,
        "valid_until": record.valid_until,
        "sent_at": record.sent_at,
        "currency": (record.frozen or {}).get("currency") or record.account.currency,
        "gross_total": totals["gross_total"] if totals else None,
    }
