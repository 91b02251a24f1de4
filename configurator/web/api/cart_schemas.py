"""marshmallow schemas of the cart endpoints (see `schemas.py` for the rest)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from configurator.services.orders import MAX_QUANTITY
from configurator.web.api.schemas import PRINTABLE, Money, ident, not_blank

QUANTITY = validate.Range(min=1, max=MAX_QUANTITY)


class CartAddSchema(Schema):
    """Put one of your configurations into the cart, `quantity` times (added to what is there)."""

    configuration_id = ident(required=True)
    quantity = fields.Integer(strict=True, load_default=1, validate=QUANTITY)


class CartQuantitySchema(Schema):
    """How many of a cart line are ordered."""

    quantity = fields.Integer(strict=True, required=True, validate=QUANTITY)


def _text(most: int) -> fields.String:
    return fields.String(required=True, validate=[validate.Length(min=1, max=most), PRINTABLE,
                                                  not_blank])


class AddressSchema(Schema):
    """A new delivery address; `country` is an ISO 3166 two-letter code."""

    name = _text(120)
    street = _text(200)
    postcode = _text(20)
    city = _text(100)
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$"))


class CartCheckoutSchema(Schema):
    """Order the cart as reviewed (`token` of `GET /cart`), to a saved address (`address_id`)
    or a new one (`address`), with the terms of sale accepted."""

    token = fields.String(required=True, validate=[validate.Length(min=1, max=64), PRINTABLE])
    terms_accepted = fields.Boolean(required=True)
    address_id = ident(load_default=None, allow_none=True)
    address = fields.Nested(AddressSchema, load_default=None, allow_none=True)


class CartLineSchema(Schema):
    """One line of the cart as the checkout would order it now."""

    line_id = fields.Integer(required=True)
    configuration_id = fields.Integer(required=True)
    name = fields.String(required=True)
    catalog_id = fields.String(required=True)
    revision = fields.Integer(required=True)
    quantity = fields.Integer(required=True)
    unit_total = Money(required=True, allow_none=True)
    total = Money(required=True, allow_none=True)
    problem = fields.String(required=True, allow_none=True)


class CartSchema(Schema):
    """Your cart: its lines, what the whole costs in the delivery country, and whether it
    can be ordered as it is (`problems` says what keeps it from being one order)."""

    items = fields.List(fields.Nested(CartLineSchema), required=True)
    country = fields.String(required=True)
    currency = fields.String(required=True, allow_none=True)
    net = Money(required=True)
    vat = Money(required=True)
    gross = Money(required=True)
    orderable = fields.Boolean(required=True)
    problems = fields.List(fields.String(), required=True)
    token = fields.String(required=True)
