"""The catalog as plain data: product lines, features, options and constraints.

Pure Python dataclasses, no framework. A `CatalogModel` is what the loader
produces from a YAML/JSON file once it has been validated; the solver compiles
it (see `compile.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Union

DIMENSIONS = ("product", "packaging", "delivery", "billing")
# How often an option's price is paid (extension, `recurring:` on an option or a
# feature): None is once, with the order; the others again on each delivery or month.
RECURRING = ("per_delivery", "per_month")


@dataclass(frozen=True)
class Option:
    """A standard part a customer can pick for a feature."""

    id: str
    name: str
    price: Decimal = Decimal("0")
    attributes: dict[str, Union[int, float, Decimal, str, bool]] = field(default_factory=dict)
    cost: Decimal | None = None  # extension: what the option costs us (margin)
    recurring: str | None = None  # extension: None (one-off), "per_delivery" or "per_month"
    # Extension: a picture of the part. A relative path to an SVG file below the
    # catalog directory (`pictures/city-bike/frame-carbon.svg`) is also a layer of
    # the configuration's composed picture (services/configuring/pictures.py); an
    # https address or a path on this shop ("/static/...") is shown as it is.
    image: str = ""


@dataclass(frozen=True)
class Feature:
    """A question of the configurator: pick options of one kind."""

    id: str
    name: str
    dimension: str
    min: int  # how many options must be chosen at least
    max: int  # and at most
    options: tuple[Option, ...]
    default: str | None = None
    description: str = ""
    # True for `choose: {min: M, max: N}`: picks are lists, each option is chosen
    # or not on its own, even where M and N allow the same counts as `optional`.
    multi: bool = False
    # Extension: where the options' images go in the composed picture; lower
    # layers are drawn first (underneath). Features without one are drawn at 0.
    layer: int = 0

    @property
    def choose_kind(self) -> str:
        """`one`, `optional` or `multi`, as written in the catalog."""
        if self.multi:
            return "multi"
        return "one" if self.min == 1 else "optional"

    def option(self, option_id: str) -> Option | None:
        """The option with that id, or None."""
        position = self.position(option_id)
        return None if position is None else self.options[position]

    def position(self, option_id: str) -> int | None:
        """The option's 0-based place in catalog order, or None if the feature has no such option."""
        index = self.__dict__.get("_positions")
        if index is None:
            index = {option.id: i for i, option in enumerate(self.options)}
            object.__setattr__(self, "_positions", index)
        return index.get(option_id)

    def option_ids(self) -> list[str]:
        """Option ids in catalog order."""
        return [option.id for option in self.options]


# ---------------------------------------------------------------- expressions
# The rule language's abstract syntax tree. Built by `rules.parse_expression`.


@dataclass(frozen=True)
class Or:
    items: tuple["Expr", ...]


@dataclass(frozen=True)
class And:
    items: tuple["Expr", ...]


@dataclass(frozen=True)
class Not:
    item: "Expr"


@dataclass(frozen=True)
class Const:
    """A truth value; produced by the compiler when it folds customer facts."""

    value: bool


@dataclass(frozen=True)
class OptionAtom:
    """`F == o`, `F != o`, `F in [..]`, `F not in [..]`: `negated` is True for != and not in."""

    feature: str
    options: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class FilledAtom:
    """A bare `F`: true when the feature has a chosen option."""

    feature: str


@dataclass(frozen=True)
class CustomerAtom:
    """`customer.KEY == v`, `!= v`, `in [..]`. A missing fact makes it false."""

    key: str
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class NumTerm:
    """`sum(attr)`, `sum(attr, dim)`, `count(F)`, `count(dim)`, `price()`.

    kind is `sum`, `count` or `price`; `arg` the attribute (sum) or feature or
    dimension (count); `dimension` the dimension filter of a sum.
    """

    kind: str
    arg: str | None = None
    dimension: str | None = None


@dataclass(frozen=True)
class Compare:
    """`NUMTERM CMP NUMBER`."""

    term: NumTerm
    op: str  # one of < <= == != >= >
    value: Decimal


Expr = Union[Or, And, Not, Const, OptionAtom, FilledAtom, CustomerAtom, Compare]


# ---------------------------------------------------------------- constraints


@dataclass(frozen=True)
class Constraint:
    """One rule of the catalog, in one of four kinds.

    kind `if`: `condition` implies `expr`; `require`: `expr` holds; `forbid`:
    `expr` must not hold; `table`: the chosen options of `table_features` form
    one of `rows` (`deny` False) or none of them (`deny` True); None in a row
    means "no option chosen".
    """

    index: int  # 1-based position in the file, used to name constraints without id
    kind: str
    id: str | None = None
    message: str = ""
    condition: Expr | None = None
    expr: Expr | None = None
    table_features: tuple[str, ...] = ()
    rows: tuple[tuple[str | None, ...], ...] = ()
    deny: bool = False
    source: str = ""  # the rule as written, for explanations and check reports

    @property
    def name(self) -> str:
        """The id, or `#N` for a constraint without one."""
        return self.id if self.id else f"#{self.index}"

    def describe(self) -> dict[str, str]:
        """{"id": ..., "message": ...} as explanations print it."""
        return {"id": self.name, "message": self.message}


@dataclass(frozen=True)
class CatalogModel:
    """A validated product line."""

    id: str
    name: str
    version: int
    currency: str
    features: tuple[Feature, ...]
    constraints: tuple[Constraint, ...]
    path: str = ""
    description: str = ""
    language: str = "en"  # the language of the texts above
    # Other languages' texts (engine/translations.py); left out of equality and hashing.
    translations: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def feature(self, feature_id: str) -> Feature | None:
        """The feature with that id, or None."""
        return self._feature_index().get(feature_id)

    def _feature_index(self) -> dict[str, Feature]:
        index = self.__dict__.get("_index")
        if index is None:
            index = {feature.id: feature for feature in self.features}
            object.__setattr__(self, "_index", index)
        return index
