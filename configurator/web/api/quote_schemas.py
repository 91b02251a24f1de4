"""marshmallow schemas of the quote endpoints (see `schemas.py` for the rest)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from configurator.quoting.pricing import MAX_QUANTITY
from configurator.web.api.schemas import (
    DB_INT_MAX,
    PRINTABLE,
    Money,
    PageQuerySchema,
    not_blank,
    page_schema,
)


class QuoteSearchSchema(PageQuerySchema):
    """Staff search: any part of the number or client name, status, product line."""

    text = fields.String(load_default="", validate=[validate.Length(max=100), PRINTABLE])
    status = fields.String(load_default="", validate=[validate.Length(max=20), PRINTABLE])
    catalog_id = fields.String(load_default="", validate=[validate.Length(max=64), PRINTABLE])


class QuoteAcceptSchema(Schema):
    """Accepting a quote: the name it is signed with (default: the token user's)."""

    signature = fields.String(load_default="", validate=[validate.Length(max=120), PRINTABLE])


class QuoteDeclineSchema(Schema):
    """Declining a quote needs a reason."""

    reason = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=500),
            PRINTABLE,
            not_blank,
        ],
    )


class QuoteLineSchema(Schema):
    """One line of a quote: a configured product, its quantity and net amount."""

    line_id = fields.String(required=True)
    product_line = fields.String(required=True)
    title = fields.String(required=True)
    quantity = fields.Integer(required=True)
    choices = fields.List(fields.String(), required=True)
    net = Money(required=True)


AMOUNT = validate.Regexp(r"^[0-9]{1,10}(\.[0-9]{1,2})?$",
                         error="An amount such as 80 or 80.50: digits, at most two decimals.")
RATE = validate.Regexp(r"^[0-9]{1,3}(\.[0-9]{1,2})?$",
                       error="A VAT percent such as 19 or 7.5, or null for the quote's rate.")


class ServiceLineInputSchema(Schema):
    """A service or free-text line of a draft as staff type it: `unit_cost` is ours (for
    the margin; default 0), `tax_rate` a VAT percent of its own (null: the quote's rate),
    `version` the quote's version you read (a newer one is a 409, nothing overwritten)."""

    description = fields.String(required=True, validate=[validate.Length(min=1, max=200),
                                                         PRINTABLE, not_blank])
    quantity = fields.Integer(strict=True, required=True,
                              validate=validate.Range(min=1, max=MAX_QUANTITY))
    # Amounts are decimal strings, like every amount of the API (never a float).
    unit_price = fields.String(required=True, validate=AMOUNT)
    unit_cost = fields.String(load_default="0", validate=AMOUNT)
    tax_rate = fields.String(load_default=None, allow_none=True, validate=RATE)
    version = fields.Integer(strict=True, load_default=None, allow_none=True,
                             validate=validate.Range(min=1, max=DB_INT_MAX))


class QuoteServiceSchema(Schema):
    """A service or free-text line (freight, installation) as the client sees it: no cost."""

    line_id = fields.String(required=True)
    description = fields.String(required=True)
    quantity = fields.Integer(required=True)
    unit_price = Money(required=True)
    tax_label = fields.String(required=True)
    net = Money(required=True)


class StaffQuoteServiceSchema(QuoteServiceSchema):
    """A service line as staff see it: with our unit cost and its own VAT rate
    (null: the quote's rate)."""

    unit_cost = Money(required=True)
    tax_rate = fields.Decimal(required=True, allow_none=True, as_string=True)


class QuoteTotalsSchema(Schema):
    """The quote's totals: lines, quote discount, net, tax and gross."""

    subtotal = Money(required=True)
    discount = Money(required=True)
    net_total = Money(required=True)
    tax_label = fields.String(required=True)
    tax = Money(required=True)
    gross_total = Money(required=True)


class QuoteSummarySchema(Schema):
    """A row of a quote list (the gross total is null until the quote is sent)."""

    id = fields.Integer(required=True)
    number = fields.String(required=True)
    revision = fields.Integer(required=True)
    status = fields.String(required=True)
    valid_until = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(required=True, allow_none=True)
    currency = fields.String(required=True)
    gross_total = Money(required=True, allow_none=True)


class QuoteSchema(QuoteSummarySchema):
    """A quote revision: as sent to the client, or (drafts, staff only) as it stands."""

    account = fields.String(required=True)
    lines = fields.List(fields.Nested(QuoteLineSchema), required=True)
    services = fields.List(fields.Nested(QuoteServiceSchema), required=True)
    totals = fields.Nested(QuoteTotalsSchema, required=True)
    decline_reason = fields.String(required=True, allow_none=True)
    superseded_by = fields.String(required=True, allow_none=True)


class StaffQuoteSchema(QuoteSchema):
    """A quote revision as staff see it: its service lines with their cost and VAT rate."""

    services = fields.List(fields.Nested(StaffQuoteServiceSchema), required=True)


QuotePageSchema = page_schema(QuoteSummarySchema, "QuotePage")
