"""Loading and validating a catalog file (spec section 1) into a `CatalogModel`.

Everything is checked and every problem of a file is reported at once, with
the file and the place, so that a catalog manager fixes a file in one round.
Whatever goes wrong, the caller gets a `CatalogError`, never a traceback.
"""

from __future__ import annotations

import math
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from configurator.engine.documents import read_document
from configurator.engine.model import (
    DIMENSIONS,
    CatalogModel,
    Constraint,
    Feature,
    Option,
)
from configurator.engine.problems import CatalogError, Problem
from configurator.engine.rule_names import RuleNames, check_names
from configurator.engine.rules import RuleSyntaxError, parse_expression

__all__ = ["CatalogError", "Problem", "load_model", "parse_model"]

ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
ATTRIBUTE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")
CURRENCY = re.compile(r"[A-Z]{3}\Z")
MAX_PRICE = Decimal("1000000000000")
MAX_DECIMALS = 4
MAX_VERSION = 2**63 - 1
MAX_FILE_BYTES = 200 * 1024 * 1024

CATALOG_KEYS = {"catalog", "name", "version", "currency", "description", "features", "constraints"}
FEATURE_KEYS = {"id", "name", "dimension", "choose", "default", "options", "description"}
OPTION_KEYS = {"id", "name", "price", "attributes", "cost", "description"}
CONSTRAINT_KEYS = {"id", "message", "description", "if", "then", "require", "forbid", "table"}
TABLE_KEYS = {"features", "allow", "deny"}
MAX_TABLE_PROBLEMS = 20

_ID_RULE = "use lowercase letters, digits, '-' and '_', starting with a letter or a digit"


def load_model(path: str | os.PathLike[str]) -> CatalogModel:
    """Read and validate the catalog file at `path` (YAML, or JSON for `.json`).

    Raises CatalogError listing every problem of the file.
    """
    file = str(path)
    try:
        size = os.path.getsize(file)
        if size > MAX_FILE_BYTES:
            raise CatalogError([Problem(file, "", f"the file is too large ({size} bytes)")])
        raw = Path(file).read_bytes()
    except OSError as error:
        raise CatalogError([Problem(file, "", f"cannot read the file: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = f"not UTF-8 text (byte {error.start + 1} cannot be decoded)"
        raise CatalogError([Problem(file, "", message)]) from None
    return parse_model(text, file)


def parse_model(text: str, path: str = "<text>") -> CatalogModel:
    """Validate catalog text; `path` names the file in problems and picks JSON for `.json`.

    Raises CatalogError listing every problem.
    """
    data, problems = read_document(text, path, as_json=path.lower().endswith(".json"))
    reader = _CatalogReader(path, problems)
    model = reader.read(data)
    if reader.problems or model is None:
        raise CatalogError(reader.problems)
    return model


class _CatalogReader:
    """Turns plain data into a CatalogModel, collecting problems instead of stopping."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = list(problems)

    def report(self, location: str, message: str) -> None:
        """Note one problem; reading goes on."""
        self.problems.append(Problem(self.file, location, message))

    # ------------------------------------------------------------- catalog

    def read(self, data: Any) -> CatalogModel | None:
        """The model, or None when the data is not even a mapping."""
        if not isinstance(data, dict):
            self.report("", f"the file must hold a mapping (catalog, version, currency, "
                            f"features, constraints), not {_describe(data)}")
            return None
        self.unknown_keys("", data, CATALOG_KEYS)
        catalog_id = self.identifier("", "catalog", data.get("catalog"), "catalog id")
        name = self.text("", "name", data.get("name"), default=catalog_id or "")
        description = self.text("", "description", data.get("description"), default="")
        version = self.version(data.get("version"))
        currency = self.currency(data.get("currency"))
        features = self.features(data.get("features"))
        constraints = self.constraints(data.get("constraints", []), features)
        return CatalogModel(
            id=catalog_id or "",
            name=name,
            version=version,
            currency=currency,
            features=features,
            constraints=constraints,
            path=self.file,
            description=description,
        )

    def version(self, value: Any) -> int:
        if value is None:
            self.report("", "'version' is missing: give a whole number such as 1")
        elif type(value) is not int or not 0 <= value <= MAX_VERSION:
            self.report("", f"'version' must be a whole number from 0 to {MAX_VERSION}, "
                            f"not {_describe(value)}")
        else:
            return value
        return 0

    def currency(self, value: Any) -> str:
        if value is None:
            self.report("", "'currency' is missing: give a code such as EUR")
        elif not isinstance(value, str) or not CURRENCY.match(value):
            self.report("", f"'currency' must be a three-letter code such as EUR, "
                            f"not {_describe(value)}")
        else:
            return value
        return ""

    # ------------------------------------------------------------ features

    def features(self, raw: Any) -> tuple[Feature, ...]:
        if raw is None:
            self.report("", "'features' is missing")
            return ()
        if not isinstance(raw, list) or not raw:
            self.report("features", f"must be a non-empty list of features, not {_describe(raw)}")
            return ()
        features: list[Feature] = []
        first_index: dict[str, int] = {}
        for index, item in enumerate(raw):
            feature = self.feature(index, item)
            if feature is None:
                continue
            if feature.id in first_index:
                self.report(f"features[{index}] '{feature.id}'",
                            f"feature id '{feature.id}' is already used by "
                            f"features[{first_index[feature.id]}]")
                continue
            first_index[feature.id] = index
            features.append(feature)
        return tuple(features)

    def feature(self, index: int, item: Any) -> Feature | None:
        location = f"features[{index}]"
        if not isinstance(item, dict):
            self.report(location, f"a feature must be a mapping, not {_describe(item)}")
            return None
        feature_id = self.identifier(location, "id", item.get("id"), "feature id")
        if feature_id:
            location = f"{location} '{feature_id}'"
        self.unknown_keys(location, item, FEATURE_KEYS)
        name = self.text(location, "name", item.get("name"), default=feature_id or "")
        description = self.text(location, "description", item.get("description"), default="")
        dimension = self.dimension(location, item.get("dimension"))
        options = self.options(location, item.get("options"))
        minimum, maximum, multi = self.choose(location, item.get("choose"), len(options))
        default = self.default(location, item.get("default"), options)
        if feature_id is None:
            return None
        return Feature(
            id=feature_id,
            name=name,
            dimension=dimension,
            min=minimum,
            max=maximum,
            options=options,
            default=default,
            description=description,
            multi=multi,
        )

    def dimension(self, location: str, value: Any) -> str:
        if value is None:
            self.report(location, f"'dimension' is missing: give one of {', '.join(DIMENSIONS)}")
        elif value not in DIMENSIONS:
            self.report(location, f"dimension {_describe(value)} is unknown: "
                                  f"use one of {', '.join(DIMENSIONS)}")
        else:
            return value
        return DIMENSIONS[0]

    def choose(self, location: str, value: Any, option_count: int) -> tuple[int, int, bool]:
        """(min, max, multi) from `one`, `optional` or `{min: M, max: N}`."""
        if value == "one":
            return 1, 1, False
        if value == "optional":
            return 0, 1, False
        if isinstance(value, dict):
            return self.choose_range(location, value, option_count)
        if value is None:
            self.report(location, "'choose' is missing: give one, optional or {min: M, max: N}")
        else:
            self.report(location, f"'choose' must be one, optional or {{min: M, max: N}}, "
                                  f"not {_describe(value)}")
        return 1, 1, False

    def choose_range(self, location: str, value: dict, option_count: int) -> tuple[int, int, bool]:
        self.unknown_keys(location, value, {"min", "max"}, what="'choose'")
        minimum, maximum = value.get("min"), value.get("max")
        if type(minimum) is not int or type(maximum) is not int:
            self.report(location, f"'choose' needs whole numbers min and max, "
                                  f"not min {_describe(minimum)} and max {_describe(maximum)}")
            return 0, max(option_count, 1), True
        if not 0 <= minimum <= maximum <= option_count:
            self.report(location, f"'choose' needs 0 <= min <= max <= {option_count} "
                                  f"(the number of options), not min {minimum} and max {maximum}")
            return 0, max(option_count, 1), True
        return minimum, maximum, True

    def default(self, location: str, value: Any, options: tuple[Option, ...]) -> str | None:
        if value is None:
            return None
        option_id = _as_id(value)
        if option_id is None or not any(option.id == option_id for option in options):
            self.report(location, f"default {_describe(value)} is not an option of this feature")
            return None
        return option_id

    # ------------------------------------------------------------- options

    def options(self, location: str, raw: Any) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            self.report(location, f"'options' must be a non-empty list, not {_describe(raw)}")
            return ()
        options: list[Option] = []
        seen: set[str] = set()
        for index, item in enumerate(raw):
            option = self.option(f"{location}, options[{index}]", item)
            if option is None:
                continue
            if option.id in seen:
                self.report(location, f"option '{option.id}' is listed twice")
                continue
            seen.add(option.id)
            options.append(option)
        return tuple(options)

    def option(self, location: str, item: Any) -> Option | None:
        if not isinstance(item, dict):
            self.report(location, f"an option must be a mapping, not {_describe(item)}")
            return None
        option_id = self.identifier(location, "id", item.get("id"), "option id")
        if option_id:
            location = f"{location} '{option_id}'"
        if not OPTION_KEYS.issuperset(item):
            self.unknown_keys(location, item, OPTION_KEYS)
        name = self.text(location, "name", item.get("name"), default=option_id or "")
        self.text(location, "description", item.get("description"), default="")
        price = self.money(location, "price", item.get("price", 0)) or Decimal("0")
        cost = self.money(location, "cost", item["cost"]) if "cost" in item else None
        attributes = self.attributes(location, item.get("attributes", {}))
        if option_id is None:
            return None
        return Option(id=option_id, name=name, price=price, attributes=attributes, cost=cost)

    def money(self, location: str, key: str, value: Any) -> Decimal | None:
        """A price or cost: a decimal from 0 to MAX_PRICE with at most 4 decimals."""
        amount = _decimal(value)
        if amount is None:
            self.report(location, f"{key} must be a number, not {_describe(value)}")
        elif amount < 0:
            self.report(location, f"{key} {value} is negative")
        elif amount > MAX_PRICE:
            self.report(location, f"{key} {_describe(value)} is too large (at most {MAX_PRICE})")
        elif amount.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
            self.report(location, f"{key} {value} has more than {MAX_DECIMALS} decimals")
        else:
            return amount
        return None

    def attributes(self, location: str, raw: Any) -> dict[str, int | float | str]:
        if not isinstance(raw, dict):
            self.report(location, f"'attributes' must be a mapping, not {_describe(raw)}")
            return {}
        attributes: dict[str, int | float | str] = {}
        for key, value in raw.items():
            if not isinstance(key, str) or not ATTRIBUTE.match(key):
                self.report(location, f"attribute name {_describe(key)} is not valid: use "
                                      "letters, digits, '-' and '_'")
            elif not _is_attribute_value(value):
                self.report(location, f"attribute '{key}' must be a number or a text, "
                                      f"not {_describe(value)}")
            else:
                attributes[key] = value
        return attributes

    # --------------------------------------------------------- constraints

    def constraints(self, raw: Any, features: tuple[Feature, ...]) -> tuple[Constraint, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.report("constraints", f"must be a list of constraints, not {_describe(raw)}")
            return ()
        context = RuleNames(features)
        constraints: list[Constraint] = []
        first_index: dict[str, int] = {}
        for index, item in enumerate(raw, start=1):
            self.note_constraint_id(index, item, first_index)
            constraint = self.constraint(index, item, context)
            if constraint is not None:
                constraints.append(constraint)
        return tuple(constraints)

    def note_constraint_id(self, index: int, item: Any, first_index: dict[str, int]) -> None:
        """Report an id already used, even when that earlier constraint had problems."""
        constraint_id = _as_id(item.get("id")) if isinstance(item, dict) else None
        if constraint_id is None or not ID.match(constraint_id):
            return
        if constraint_id in first_index:
            self.report(_constraint_location(constraint_id, index),
                        f"constraint id '{constraint_id}' is already used by "
                        f"#{first_index[constraint_id]}")
        else:
            first_index[constraint_id] = index

    def constraint(self, index: int, item: Any, context: RuleNames) -> Constraint | None:
        if not isinstance(item, dict):
            self.report(f"constraint #{index}", f"a constraint must be a mapping, "
                                                f"not {_describe(item)}")
            return None
        constraint_id = None
        if "id" in item:
            constraint_id = self.identifier(f"constraint #{index}", "id", item["id"],
                                            "constraint id")
        location = _constraint_location(constraint_id, index)
        self.unknown_keys(location, item, CONSTRAINT_KEYS)
        message = self.text(location, "message", item.get("message"), default="")
        self.text(location, "description", item.get("description"), default="")
        kind = self.constraint_kind(location, item)
        if kind is None:
            return None
        base = {"index": index, "kind": kind, "id": constraint_id, "message": message}
        if kind == "table":
            return self.table(location, item["table"], context, base)
        return self.rule_constraint(location, kind, item, context, base)

    def constraint_kind(self, location: str, item: dict) -> str | None:
        kinds = [kind for kind in ("if", "require", "forbid", "table") if kind in item]
        if "then" in item and "if" not in item:
            self.report(location, "'then' without 'if'")
            return None
        if not kinds:
            self.report(location, "no rule: give one of if/then, require, forbid or table")
            return None
        if len(kinds) > 1:
            self.report(location, f"mixes {' and '.join(repr(kind) for kind in kinds)}: "
                                  "give exactly one of if/then, require, forbid or table")
            return None
        if kinds == ["if"] and "then" not in item:
            self.report(location, "'if' without 'then'")
            return None
        return kinds[0]

    def rule_constraint(self, location: str, kind: str, item: dict, context: RuleNames,
                        base: dict) -> Constraint | None:
        if kind == "if":
            condition = self.rule(location, "if", item["if"], context, name_key=True)
            expr = self.rule(location, "then", item["then"], context, name_key=True)
            source = f"if {item['if']} then {item['then']}"
            if condition is None or expr is None:
                return None
            return Constraint(**base, condition=condition, expr=expr, source=source)
        expr = self.rule(location, kind, item[kind], context, name_key=False)
        if expr is None:
            return None
        return Constraint(**base, expr=expr, source=str(item[kind]))

    def rule(self, location: str, key: str, text: Any, context: RuleNames, *,
             name_key: bool) -> Any:
        """Parse one rule and check the names in it; None when it has problems."""
        where = f"in '{key}', " if name_key else ""
        if not isinstance(text, str):
            self.report(location, f"{where}the rule must be written as text, "
                                  f"not {_describe(text)}")
            return None
        try:
            expr = parse_expression(text)
        except RuleSyntaxError as error:
            self.report(location, f"{where}{error.message}")
            return None
        messages = check_names(expr, context)
        for message in messages:
            self.report(location, f"{where}{message}")
        return None if messages else expr

    # --------------------------------------------------------------- tables

    def table(self, location: str, raw: Any, context: RuleNames,
              base: dict) -> Constraint | None:
        if not isinstance(raw, dict):
            self.report(location, f"'table' must be a mapping with features and allow or deny, "
                                  f"not {_describe(raw)}")
            return None
        self.unknown_keys(location, raw, TABLE_KEYS, what="'table'")
        columns = self.table_columns(location, raw.get("features"), context)
        if ("allow" in raw) == ("deny" in raw):
            self.report(location, "a table needs exactly one of 'allow' or 'deny'")
            return None
        deny = "deny" in raw
        rows = self.table_rows(location, raw["deny" if deny else "allow"], columns)
        if columns is None or rows is None:
            return None
        features = tuple(feature.id for feature in columns)
        return Constraint(**base, table_features=features, rows=rows, deny=deny,
                          source=f"table over {', '.join(features)}")

    def table_columns(self, location: str, raw: Any,
                      context: RuleNames) -> list[Feature] | None:
        if not isinstance(raw, list) or not raw:
            self.report(location, f"the table's 'features' must be a non-empty list of "
                                  f"feature ids, not {_describe(raw)}")
            return None
        columns: list[Feature] = []
        ok = True
        for value in raw:
            feature_id = _as_id(value)
            feature = context.features.get(feature_id) if feature_id else None
            if feature is None:
                self.report(location, f"unknown feature {_describe(value)}")
                ok = False
            elif feature.multi:
                self.report(location, f"feature '{feature.id}' is multi-select; a table "
                                      "takes only `choose: one` or `optional` features")
                ok = False
            elif feature in columns:
                self.report(location, f"feature '{feature.id}' appears twice in the table")
                ok = False
            else:
                columns.append(feature)
        return columns if ok else None

    def table_rows(self, location: str, raw: Any,
                   columns: list[Feature] | None) -> tuple[tuple[str | None, ...], ...] | None:
        if not isinstance(raw, list):
            self.report(location, f"the table's rows must be a list of lists, "
                                  f"not {_describe(raw)}")
            return None
        if columns is None:
            return None
        checker = _RowChecker(columns)
        rows: list[tuple[str | None, ...]] = []
        problems: list[str] = []
        for number, row in enumerate(raw, start=1):
            converted = checker.check(row)
            if isinstance(converted, str):
                problems.append(f"row {number}: {converted}")
            else:
                rows.append(converted)
        for message in problems[:MAX_TABLE_PROBLEMS]:
            self.report(location, message)
        if len(problems) > MAX_TABLE_PROBLEMS:
            self.report(location, f"and {len(problems) - MAX_TABLE_PROBLEMS} more bad rows")
        return None if problems else tuple(rows)

    # -------------------------------------------------------------- helpers

    def unknown_keys(self, location: str, item: dict, known: set[str], what: str = "") -> None:
        unknown = [key for key in item if key not in known]
        if unknown:
            names = ", ".join(_describe(key) for key in unknown)
            allowed = ", ".join(sorted(known))
            subject = f"{what} has unknown" if what else "unknown"
            self.report(location, f"{subject} key{'s' if len(unknown) > 1 else ''} {names} "
                                  f"(allowed: {allowed})")

    def identifier(self, location: str, key: str, value: Any, what: str) -> str | None:
        if value is None:
            self.report(location, f"'{key}' is missing: every {what.split()[0]} needs an id")
            return None
        text = _as_id(value)
        if isinstance(value, bool):
            self.report(location, f"{what} {_describe(value)} is not text; YAML reads yes, no, "
                                  "on, off, true and false as truth values, so quote it")
        elif text is None or not ID.match(text):
            self.report(location, f"{what} {_describe(value)} is not valid: {_ID_RULE}")
        else:
            return text
        return None

    def text(self, location: str, key: str, value: Any, *, default: str) -> str:
        if value is None:
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # `name: 2024` is meant as text
        if not isinstance(value, str):
            self.report(location, f"'{key}' must be text, not {_describe(value)}")
            return default
        return value


class _RowChecker:
    """Checks table rows against the table's features, fast enough for 200,000 rows."""

    def __init__(self, columns: list[Feature]) -> None:
        self.columns = columns
        self.width = len(columns)
        self.option_ids = [set(feature.option_ids()) for feature in columns]
        self.nullable = [feature.min == 0 for feature in columns]

    def check(self, row: Any) -> tuple[str | None, ...] | str:
        """The row as a tuple, or a message saying what is wrong with it."""
        if not isinstance(row, list) or len(row) != self.width:
            return f"needs a list of {self.width} entries, one per feature, not {_describe(row)}"
        entries: list[str | None] = []
        for column, entry in enumerate(row):
            if entry is None:
                if not self.nullable[column]:
                    return (f"null in column {column + 1}, but feature "
                            f"'{self.columns[column].id}' is `choose: one`")
                entries.append(None)
                continue
            option_id = entry if type(entry) is str else _as_id(entry)
            if option_id is None or option_id not in self.option_ids[column]:
                return (f"{_describe(entry)} is not an option of feature "
                        f"'{self.columns[column].id}'")
            entries.append(option_id)
        return tuple(entries)


# ------------------------------------------------------------------ helpers


def _constraint_location(constraint_id: str | None, index: int) -> str:
    return f"constraint '{constraint_id}' (#{index})" if constraint_id else f"constraint #{index}"


def _as_id(value: Any) -> str | None:
    """Ids are text; a YAML whole number such as `id: 28` is taken as its digits."""
    if isinstance(value, str):
        return value
    if type(value) is int and value >= 0:
        return str(value)
    return None


def _decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a number or numeric text, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def _is_attribute_value(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (int, str))


def _describe(value: Any) -> str:
    """A short description of a value for a message, never a huge or nested dump."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = str(value)
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} value"

