"""An option's attributes as the form editor shows them: each with its type.

A catalog's attributes are numbers (`weight_g: 1800`), texts (`colour: red`)
or true/false (`waterproof: true`). The form gives each the input of its
type (a number field, a text field, a checkbox), reads what is typed as that
type and writes it back so: `1800` stays a number, the text `"12"` stays
text (quoted in the YAML), a checkbox writes `true` or `false`. What cannot
be read as the attribute's type is refused with a ValueError whose message is
shown at the field (a Phrase: in the reader's language).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from configurator.engine.loader import ATTRIBUTE
from configurator.quoting.phrases import N_

KINDS = ("number", "text", "boolean")
MAX_NUMBER = Decimal("1e15")
_TRUE = frozenset({"true", "on", "yes", "1"})  # a checked checkbox posts "true"
_FALSE = frozenset({"", "false", "off", "no", "0"})  # an unchecked one posts nothing


@dataclass(frozen=True)
class AttributeField:
    """One attribute of an option: its name, its type and its value as the input shows it."""

    name: str
    kind: str  # number | text | boolean
    value: str


def kind_of(value: Any) -> str:
    """The type of an attribute's value in the YAML."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Decimal)):
        return "number"
    return "text"


def fields(raw: Any) -> list[AttributeField]:
    """An option's `attributes:` as typed fields, in the YAML's order."""
    if not isinstance(raw, Mapping):
        return []
    return [AttributeField(str(name), kind_of(value), shown(value)) for name, value in raw.items()]


def shown(value: Any) -> str:
    """A value as its input shows it: `true`/`false` for a checkbox, `12.5` for a number."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def typed(raw: str, kind: str, name: str) -> Any:
    """What was typed, as a value of the attribute's type; ValueError (its message for the field) if it is not one."""
    value = raw.strip()
    if kind == "boolean":
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise ValueError(N_("Attribute '%(name)s' is true or false, not '%(value)s'.", name=name, value=value[:20]))
    if kind == "number":
        return _number(value, name)
    if kind == "text":
        return value
    raise ValueError(N_("An attribute is a number, a text or a boolean, not '%(kind)s'.", kind=kind[:20]))


def _number(value: str, name: str) -> int | Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(N_("Attribute '%(name)s' is a number, such as 1800 or 2.5, not '%(value)s'.",
                            name=name, value=value[:20])) from None
    if not amount.is_finite() or abs(amount) >= MAX_NUMBER:  # MAX_NUMBER written in the sentence
        raise ValueError(N_("Attribute '%(name)s' must be a number below 1,000,000,000,000,000.", name=name))
    if amount == amount.to_integral_value() and "." not in value and "e" not in value.lower():
        return int(amount)
    return amount


def new_value(kind: str) -> Any:
    """A new attribute's first value, before the manager types one."""
    return {"number": 0, "text": "", "boolean": False}[kind]


def valid_name(name: str) -> bool:
    """A name the catalog loader takes for an attribute."""
    return len(name) <= 64 and bool(ATTRIBUTE.match(name))
