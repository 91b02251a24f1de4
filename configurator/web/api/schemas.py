"""marshmallow schemas of every API request and response.

Requests are loaded (unknown fields are refused); responses are dumped, so
only the fields listed here ever leave the server: an option's `cost` (our
margin) has no field, so it cannot leak. The OpenAPI document is generated
from these classes (see `openapi.py`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from configurator.engine import format_money

DB_INT_MAX = 2**31 - 1  # ids beyond this cannot exist (32-bit columns)
# No control characters: they have no place in names or ids, and PostgreSQL
# refuses NUL in text outright.
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="Control characters are not allowed.")
MAX_ID_LENGTH = 64  # feature and option ids, as the catalog loader allows them
# Cursors are URL-safe base64 made by us; anything else is not one.
CURSOR = validate.Regexp(r"^[A-Za-z0-9_-]+$", error="This is not a cursor of ours.")
SELECTION_DESCRIPTION = (
    "Feature id -> option id (one/optional features) or list of option ids "
    "(multi-select features). Leave a feature out when nothing is picked."
)


# ------------------------------------------------------------------ fields


class Money(fields.Field):
    """A Decimal amount as a string with two (or more, if exact) decimals; never a float."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return format_money(Decimal(value))


class Pick(fields.Field):
    """One feature's pick: an option id, or a list of option ids."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return list(value) if isinstance(value, list | tuple) else value

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if _is_option_id(value):
            return value
        if isinstance(value, list) and all(_is_option_id(item) for item in value):
            return list(value)
        raise ValidationError(
            f"A pick is an option id (1-{MAX_ID_LENGTH} characters) or a list of option ids."
        )


def _is_option_id(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= MAX_ID_LENGTH


OPTION_ID_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
PICK_SCHEMA = {"oneOf": [OPTION_ID_SCHEMA, {"type": "array", "items": OPTION_ID_SCHEMA}]}


def selection_field(**kwargs: Any) -> fields.Dict:
    """The `selection` object used by requests and responses alike."""
    return fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=MAX_ID_LENGTH)),
        values=Pick(metadata=PICK_SCHEMA),
        # OpenAPI 3.0 cannot constrain an object's keys, so the limit is said in words.
        metadata={"description": f"{SELECTION_DESCRIPTION} Feature ids are 1-{MAX_ID_LENGTH} "
                                 "characters.", "x-key-max-length": MAX_ID_LENGTH},
        **kwargs,
    )


def not_blank(value: str) -> None:
    """Refuse text that is only blanks."""
    if not value.strip():
        raise ValidationError("Write something, not only spaces.")


def ident(**kwargs: Any) -> fields.Integer:
    """A database id in a request body."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=DB_INT_MAX), **kwargs)


# ------------------------------------------------------------------ problems


class ProblemSchema(Schema):
    """An error, as application/problem+json (RFC 9457)."""

    type = fields.String(required=True, metadata={"description": "Link to this kind of problem"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Field -> messages, for input that failed validation"},
    )


# ------------------------------------------------------------------ paging


class PageQuerySchema(Schema):
    """Paging of a list: how many items, and where to continue."""

    limit = fields.Integer(
        load_default=25,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Items per page (1-100)"},
    )
    cursor = fields.String(
        load_default=None,
        validate=[validate.Length(min=1, max=200), CURSOR],
        metadata={"description": "The opaque `cursor` of the previous page's `next` link"},
    )


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """A page of `item`s with the link to the next page."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "limit": fields.Integer(required=True),
            "next": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "URL of the next page; null on the last page"},
            ),
        },
        name=name,
    )


# ------------------------------------------------------------------ catalogs


class CatalogVersionSchema(Schema):
    """One stored text of a product line."""

    number = fields.Integer(required=True, metadata={"description": "Ours: 1, 2, 3... per line"})
    declared_version = fields.Integer(required=True, metadata={"description": "As in the file"})
    fingerprint = fields.String(required=True)
    loaded_at = fields.AwareDateTime(required=True)


class CatalogSummarySchema(Schema):
    """A product line with its current version."""

    id = fields.String(required=True, attribute="catalog_id")
    name = fields.String(required=True)
    currency = fields.String(required=True)
    version = fields.Integer(required=True, attribute="number")
    declared_version = fields.Integer(required=True)
    loaded_at = fields.AwareDateTime(required=True)


class OptionSchema(Schema):
    """A standard part to choose (list price; what it costs us is never shown)."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    price = Money(required=True)
    attributes = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class FeatureSchema(Schema):
    """A question of the configurator and its options."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    choose = fields.String(
        required=True,
        attribute="choose_kind",
        validate=validate.OneOf(["one", "optional", "multi"]),
    )
    min = fields.Integer(required=True)
    max = fields.Integer(required=True)
    default = fields.String(required=True, allow_none=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)


class DimensionSchema(Schema):
    """Product, packaging, delivery or billing, with its features."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    features = fields.List(fields.Nested(FeatureSchema), required=True)


class CatalogSchema(CatalogSummarySchema):
    """A product line: current version, every stored version, features by dimension."""

    description = fields.String(required=True)
    versions = fields.List(fields.Nested(CatalogVersionSchema), required=True)
    dimensions = fields.List(fields.Nested(DimensionSchema), required=True)


# ------------------------------------------------------------ configurator


class SelectionRequestSchema(Schema):
    """A selection to ask the configurator about."""

    selection = selection_field(load_default=dict)


class OptionRefSchema(Schema):
    """One option of one feature."""

    feature = fields.String(required=True, validate=validate.Length(min=1, max=64))
    option = fields.String(required=True, validate=validate.Length(min=1, max=64))


class OptionQuestionSchema(SelectionRequestSchema):
    """A selection and the option asked about."""

    option = fields.Nested(OptionRefSchema, required=True)


class PriceLineSchema(Schema):
    """One chosen option and its list price."""

    feature = fields.String(required=True)
    option = fields.String(required=True)
    name = fields.String(required=True)
    amount = Money(required=True)


class PriceSchema(Schema):
    """List prices of the chosen options and their total."""

    currency = fields.String(required=True)
    lines = fields.List(fields.Nested(PriceLineSchema), required=True)
    total = Money(required=True)


class RuleSchema(Schema):
    """A catalog rule, with the message customers read."""

    id = fields.String(required=True)
    message = fields.String(required=True)


class ReasonSchema(Schema):
    """A minimal set of rules and picks that together rule something out."""

    rules = fields.List(fields.Nested(RuleSchema), required=True)
    picks = fields.List(fields.Nested(OptionRefSchema), required=True)


class DomainsSchema(Schema):
    """What is still possible after a selection, and its price so far."""

    consistent = fields.Boolean(required=True)
    complete = fields.Boolean(required=True)
    domains = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Feature -> options some valid configuration still picks"},
    )
    may_be_empty = fields.List(fields.String(), required=True)
    conflict = fields.Nested(ReasonSchema, required=True, allow_none=True)
    price = fields.Nested(PriceSchema, required=True)


class ExplanationSchema(Schema):
    """Why an option is impossible with this selection (null reason when it is possible)."""

    option = fields.Nested(OptionRefSchema, required=True)
    possible = fields.Boolean(required=True)
    reason = fields.Nested(ReasonSchema, required=True, allow_none=True)


class ChangeSchema(Schema):
    """One pick a repair changes."""

    feature = fields.String(required=True)
    before = fields.List(fields.String(), required=True)
    after = fields.List(fields.String(), required=True)


class RepairSchema(Schema):
    """The smallest change of picks that makes the option possible, and its price effect.

    `available` is false when no configuration at all can pick the option for
    this customer; the other fields are then null.
    """

    option = fields.Nested(OptionRefSchema, required=True)
    available = fields.Boolean(required=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True)
    selection = selection_field(required=True, allow_none=True)
    price_before = Money(required=True, allow_none=True)
    price_after = Money(required=True, allow_none=True)
    price_delta = Money(required=True, allow_none=True)


class CompletionSchema(Schema):
    """The cheapest complete configuration containing the selection."""

    consistent = fields.Boolean(required=True)
    selection = selection_field(required=True, allow_none=True)
    price = fields.Nested(PriceSchema, required=True, allow_none=True)
    conflict = fields.Nested(ReasonSchema, required=True, allow_none=True)


# ---------------------------------------------------------- configurations


class ConfigurationCreateSchema(Schema):
    """A new configuration: product line, name, picks."""

    catalog_id = fields.String(
        required=True, validate=[validate.Length(min=1, max=64), PRINTABLE]
    )
    name = fields.String(load_default="", validate=[validate.Length(max=120), PRINTABLE])
    selection = selection_field(load_default=dict)


class ConfigurationRenameSchema(Schema):
    """A new name for a configuration."""

    name = fields.String(required=True, validate=[validate.Length(min=1, max=120), PRINTABLE])


class RevisionCreateSchema(Schema):
    """A new revision, saved only if `base_revision` is still the newest."""

    base_revision = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=DB_INT_MAX),
        metadata={"description": "The revision these picks started from"},
    )
    selection = selection_field(required=True)


class RevisionSchema(Schema):
    """One saved, never-changing state of a configuration."""

    number = fields.Integer(required=True)
    catalog_version = fields.Integer(required=True, attribute="catalog_version.number")
    selection = selection_field(required=True)
    price = Money(required=True)
    complete = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)


class ConfigurationSummarySchema(Schema):
    """A row of the configuration list."""

    id = fields.Integer(required=True, attribute="configuration.id")
    name = fields.String(required=True, attribute="configuration.name")
    catalog_id = fields.String(required=True, attribute="configuration.catalog_id")
    revision = fields.Integer(required=True, attribute="latest.number")
    price = Money(required=True, attribute="latest.price")
    complete = fields.Boolean(required=True, attribute="latest.complete")
    updated_at = fields.AwareDateTime(required=True, attribute="configuration.updated_at")


class ConfigurationSchema(Schema):
    """A configuration with its newest revision and the list of all of them."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    catalog_id = fields.String(required=True)
    derived_from_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    latest = fields.Nested(RevisionSchema, required=True)
    revisions = fields.List(
        fields.Nested(RevisionSchema(only=("number", "price", "complete", "created_at"))),
        required=True,
    )


# ------------------------------------------------------------------ orders


class OrderCreateSchema(Schema):
    """Order a configuration: its newest revision, or the one given."""

    configuration_id = ident(required=True)
    revision = fields.Integer(
        strict=True, load_default=None, validate=validate.Range(min=1, max=DB_INT_MAX)
    )


class OrderLineSchema(Schema):
    """An ordered option, with the names and price it had when ordered."""

    feature = fields.String(required=True)
    feature_name = fields.String(required=True)
    dimension = fields.String(required=True)
    option = fields.String(required=True)
    option_name = fields.String(required=True)
    amount = Money(required=True)


class OrderedCatalogSchema(Schema):
    """The catalog version an order was made with."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    # Absent for an order made from an accepted quote (its lines are the quote's).
    version = fields.Integer()
    declared_version = fields.Integer()


class OrderItemSchema(Schema):
    """One configuration of an order from the cart, with how many of it."""

    configuration_id = fields.Integer(required=True, allow_none=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True)
    total = Money(required=True)
    catalog = fields.Nested(OrderedCatalogSchema, required=True)
    selection = selection_field(required=True)
    lines = fields.List(fields.Nested(OrderLineSchema), required=True)


class OrderSchema(Schema):
    """A placed order, exactly as it was placed."""

    number = fields.String(required=True)
    status = fields.String(required=True)
    total = Money(required=True)
    currency = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    configuration_id = fields.Integer(required=True, allow_none=True)
    reorder_of = fields.String(required=True, allow_none=True)
    catalog = fields.Nested(OrderedCatalogSchema, required=True)
    selection = selection_field(required=True)
    lines = fields.List(fields.Nested(OrderLineSchema), required=True)
    # Only for an order from the cart: each configuration ordered (the lines above are all of theirs).
    # (`cart_items` inside: `items` would be the dict's method.)
    cart_items = fields.List(fields.Nested(OrderItemSchema), data_key="items")


class RecheckLineSchema(Schema):
    """One pick of an old order, seen with today's catalog."""

    feature = fields.String(required=True)
    feature_name = fields.String(required=True)
    option = fields.String(required=True)
    option_name = fields.String(required=True)
    price_then = Money(required=True, allow_none=True)
    price_now = Money(required=True, allow_none=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["same", "price", "retired", "conflict", "added"])
    )
    reason = fields.String(required=True)


class RecheckSchema(Schema):
    """Does an order still fit today's catalog; if not, the repaired selection."""

    order = fields.String(required=True)
    catalog_version = fields.Integer(required=True)
    fits = fields.Boolean(required=True)
    total_then = Money(required=True)
    total_now = Money(required=True, allow_none=True)
    lines = fields.List(fields.Nested(RecheckLineSchema), required=True)
    kept = selection_field(required=True)
    repaired = selection_field(required=True, allow_none=True)
    repaired_total = Money(required=True, allow_none=True)


CatalogPageSchema = page_schema(CatalogSummarySchema, "CatalogPage")
ConfigurationPageSchema = page_schema(ConfigurationSummarySchema, "ConfigurationPage")
OrderPageSchema = page_schema(OrderSchema, "OrderPage")
