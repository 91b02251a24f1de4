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

from configurator.engine.constraint_reader import read_constraints
from configurator.engine.documents import read_document
from configurator.engine.model import DIMENSIONS, RECURRING, CatalogModel, Feature, Option
from configurator.engine.problems import (
    CatalogError,
    Problem,
    ProblemLog,
    as_id,
    describe,
    said,
)
from configurator.engine.text import CONTROL_CHARACTER, control_character_at, describe_character
from configurator.engine.translations import LANGUAGE, read_translations

__all__ = ["CatalogError", "Problem", "load_model", "parse_model"]

ATTRIBUTE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")
CURRENCY = re.compile(r"[A-Z]{3}\Z")
MAX_PRICE = Decimal("1000000000000")
MAX_DECIMALS = 4
MAX_VERSION = 2**63 - 1
MAX_FILE_BYTES = 200 * 1024 * 1024
# Ids end up in URLs, form fields and database columns (catalog ids: 64
# characters); names in headings. Longer ones are mistakes or attacks.
MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 200

_RAW_CONTROL = re.compile(r"[\x7f-\x9f]")

# `language` and `translations` (engine/translations.py) extend the contract: both optional.
CATALOG_KEYS = {
    "catalog", "name", "version", "currency", "description", "features", "constraints",
    "language", "translations",
}
# `layer` (features) and `image` (options) extend the contract too: pictures.
FEATURE_KEYS = {
    "id", "name", "dimension", "choose", "default", "options", "description", "layer",
    "recurring",
}
OPTION_KEYS = {"id", "name", "price", "attributes", "cost", "description", "recurring", "image"}
MAX_IMAGE_LENGTH = 500
_IMAGE = re.compile(r"(https://|/)[^\s<>\"']+\Z")  # an https address or a path on this shop
# Or a relative path below the catalog directory to an SVG file: a layer of the composed picture.
_IMAGE_LAYER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\.svg\Z")
MAX_LAYER = 10_000


def load_model(path: str | os.PathLike[str]) -> CatalogModel:
    """Read and validate the catalog file at `path` (YAML, or JSON for `.json`).

    Raises CatalogError listing every problem of the file.
    """
    file = str(path)
    try:
        size = os.path.getsize(file)
        if size > MAX_FILE_BYTES:
            raise CatalogError([Problem(file, "", said("the file is too large (%(size)s bytes)",
                                                       size=size), True)])
        raw = Path(file).read_bytes()
    except OSError as error:
        raise CatalogError([Problem(file, "", said("cannot read the file: %(reason)s",
                                                   reason=error.strerror), True)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = said("not UTF-8 text (byte %(byte)s cannot be decoded)", byte=error.start + 1)
        raise CatalogError([Problem(file, "", message, True)]) from None
    return parse_model(text, file)


def parse_model(text: str, path: str = "<text>") -> CatalogModel:
    """Validate catalog text; `path` names the file in problems and picks JSON for `.json`.

    Raises CatalogError listing every problem.
    """
    data, problems = read_document(text, path, as_json=path.lower().endswith(".json"))
    reader = _CatalogReader(path, problems)
    try:
        if _may_hold_control_characters(text):
            _report_control_characters(reader.log, data)
        model = reader.read(data)
    except (RecursionError, MemoryError) as error:
        # Files are hostile input: even a resource limit must reach the author as a problem.
        reader.report("", said("the file is too large or too deeply nested (%(error)s)",
                               error=type(error).__name__))
        model = None
    if reader.problems or model is None:
        raise CatalogError(reader.problems)
    return model


class _CatalogReader:
    """Turns plain data into a CatalogModel, collecting problems instead of stopping."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.log = ProblemLog(file, problems)
        self.file = file
        self.report = self.log.report
        self.unknown_keys = self.log.unknown_keys
        self.text = self.log.text

    @property
    def problems(self) -> list[Problem]:
        """Every problem found so far."""
        return self.log.problems

    def identifier(self, location: str, key: str, value: Any, what: str) -> str | None:
        """A valid id of at most MAX_ID_LENGTH characters, or None after reporting why not."""
        text = self.log.identifier(location, key, value, what)
        if text is not None and len(text) > MAX_ID_LENGTH:
            self.report(location, said("%(what)s '%(start)s...' is %(length)s characters long; "
                                       "at most %(most)s are allowed", what=said(what),
                                       start=text[:20], length=len(text), most=MAX_ID_LENGTH))
            return None
        return text

    def name(self, location: str, value: Any, default: str) -> str:
        """A display name of at most MAX_NAME_LENGTH characters."""
        text = self.text(location, "name", value, default=default)
        if len(text) > MAX_NAME_LENGTH:
            self.report(location, said("the name '%(start)s...' is %(length)s characters long; "
                                       "at most %(most)s are allowed",
                                       start=text[:20], length=len(text), most=MAX_NAME_LENGTH))
        return text

    # ------------------------------------------------------------- catalog

    def read(self, data: Any) -> CatalogModel | None:
        """The model, or None when the data is not even a mapping."""
        if not isinstance(data, dict):
            self.report("", f"the file must hold a mapping (catalog, version, currency, "
                            f"features, constraints), not {describe(data)}", syntax=True)
            return None
        self.unknown_keys("", data, CATALOG_KEYS)
        catalog_id = self.identifier("", "catalog", data.get("catalog"), "catalog id")
        name = self.name("", data.get("name"), default=catalog_id or "")
        description = self.text("", "description", data.get("description"), default="")
        version = self.version(data.get("version"))
        currency = self.currency(data.get("currency"))
        features = self.features(data.get("features"))
        constraints = read_constraints(data.get("constraints", []), features, self.log)
        language = self.language(data.get("language"))
        translations = read_translations(data.get("translations"), features, constraints, self.log)
        return CatalogModel(
            id=catalog_id or "",
            name=name,
            version=version,
            currency=currency,
            features=features,
            constraints=constraints,
            path=self.file,
            description=description,
            language=language,
            translations=translations,
        )

    def language(self, value: Any) -> str:
        """The language of the catalog's own texts (`en` unless it says otherwise)."""
        if value is None:
            return "en"
        if not isinstance(value, str) or not LANGUAGE.match(value):
            self.report("", said("'language' must be a language code such as en or fa, not %(value)s",
                                 value=describe(value)))
            return "en"
        return value

    def version(self, value: Any) -> int:
        if value is None:
            self.report("", said("'version' is missing: give a whole number such as 1"))
        elif type(value) is not int or not 0 <= value <= MAX_VERSION:
            self.report("", said("'version' must be a whole number from 0 to %(most)s, not %(value)s",
                                 most=str(MAX_VERSION), value=describe(value)))
        else:
            return value
        return 0

    def currency(self, value: Any) -> str:
        if value is None:
            self.report("", said("'currency' is missing: give a code such as EUR"))
        elif not isinstance(value, str) or not CURRENCY.match(value):
            self.report("", said("'currency' must be a three-letter code such as EUR, not %(value)s",
                                 value=describe(value)))
        else:
            return value
        return ""

    # ------------------------------------------------------------ features

    def features(self, raw: Any) -> tuple[Feature, ...]:
        if raw is None:
            self.report("", said("'features' is missing"))
            return ()
        if not isinstance(raw, list) or not raw:
            self.report("features", said("must be a non-empty list of features, not %(value)s", value=describe(raw)))
            return ()
        features: list[Feature] = []
        first_index: dict[str, int] = {}
        for index, item in enumerate(raw):
            feature = self.feature(index, item)
            if feature is None:
                continue
            if feature.id in first_index:
                self.report(_named(said("features[%(index)s]", index=str(index)), feature.id),
                            said("feature id '%(feature)s' is already used by features[%(index)s]",
                                 feature=feature.id, index=str(first_index[feature.id])))
                continue
            first_index[feature.id] = index
            features.append(feature)
        return tuple(features)

    def feature(self, index: int, item: Any) -> Feature | None:
        location = said("features[%(index)s]", index=str(index))
        if not isinstance(item, dict):
            self.report(location, said("a feature must be a mapping, not %(value)s", value=describe(item)))
            return None
        feature_id = self.identifier(location, "id", item.get("id"), "feature id")
        if feature_id:
            location = _named(location, feature_id)
        self.unknown_keys(location, item, FEATURE_KEYS)
        name = self.name(location, item.get("name"), default=feature_id or "")
        description = self.text(location, "description", item.get("description"), default="")
        dimension = self.dimension(location, item.get("dimension"))
        recurring = self.recurring(location, item.get("recurring"))
        options = self.options(location, item.get("options"), recurring)
        minimum, maximum, multi = self.choose(location, item.get("choose"), len(options))
        default = self.default(location, item.get("default"), options)
        layer = self.layer(location, item.get("layer"))
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
            layer=layer,
        )

    def layer(self, location: str, value: Any) -> int:
        """A feature's picture layer: a whole number, 0 when not given."""
        if value is None:
            return 0
        if type(value) is not int or not -MAX_LAYER <= value <= MAX_LAYER:
            self.report(location, said("'layer' must be a whole number from %(least)s to %(most)s, not %(value)s",
                                       least=str(-MAX_LAYER), most=str(MAX_LAYER), value=describe(value)))
            return 0
        return value

    def dimension(self, location: str, value: Any) -> str:
        if value is None:
            self.report(location, said("'dimension' is missing: give one of %(dimensions)s",
                                       dimensions=list(DIMENSIONS)))
        elif value not in DIMENSIONS:
            self.report(location, said("dimension %(value)s is unknown: use one of %(dimensions)s",
                                       value=describe(value), dimensions=list(DIMENSIONS)))
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
            self.report(location, said("'choose' is missing: give one, optional or {min: M, max: N}"))
        else:
            self.report(location, said("'choose' must be one, optional or {min: M, max: N}, not %(value)s",
                                       value=describe(value)))
        return 1, 1, False

    def choose_range(self, location: str, value: dict, option_count: int) -> tuple[int, int, bool]:
        self.unknown_keys(location, value, {"min", "max"}, what="'choose'")
        minimum, maximum = value.get("min"), value.get("max")
        if type(minimum) is not int or type(maximum) is not int:
            self.report(location, said("'choose' needs whole numbers min and max, not min %(least)s and max %(most)s",
                                       least=describe(minimum), most=describe(maximum)))
            return 0, max(option_count, 1), True
        if not 0 <= minimum <= maximum <= option_count:
            self.report(location, said("'choose' needs 0 <= min <= max <= %(count)s (the number of options), "
                                       "not min %(least)s and max %(most)s",
                                       count=option_count, least=minimum, most=maximum))
            return 0, max(option_count, 1), True
        return minimum, maximum, True

    def default(self, location: str, value: Any, options: tuple[Option, ...]) -> str | None:
        if value is None:
            return None
        option_id = as_id(value)
        if option_id is None or not any(option.id == option_id for option in options):
            self.report(location, said("default %(value)s is not an option of this feature", value=describe(value)))
            return None
        return option_id

    # ------------------------------------------------------------- options

    def recurring(self, location: str, value: Any, inherited: str | None = None) -> str | None:
        """How often a price is paid: absent is the feature's (or once), else one of RECURRING;
        `one_off` on an option overrides a recurring feature."""
        if value is None:
            return inherited
        if value == "one_off":
            return None
        if value not in RECURRING:
            self.report(location, said("'recurring' must be one_off, %(kinds)s, not %(value)s",
                                       kinds=" or ".join(RECURRING), value=describe(value)))
            return inherited
        return value

    def options(self, location: str, raw: Any, recurring: str | None = None) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            self.report(location, said("'options' must be a non-empty list, not %(value)s", value=describe(raw)))
            return ()
        options: list[Option] = []
        seen: set[str] = set()
        for index, item in enumerate(raw):
            option = self.option(said("%(place)s, options[%(index)s]", place=location, index=str(index)),
                                 item, recurring)
            if option is None:
                continue
            if option.id in seen:
                self.report(location, said("option '%(option)s' is listed twice", option=option.id))
                continue
            seen.add(option.id)
            options.append(option)
        return tuple(options)

    def option(self, location: str, item: Any, recurring: str | None = None) -> Option | None:
        if not isinstance(item, dict):
            self.report(location, said("an option must be a mapping, not %(value)s", value=describe(item)))
            return None
        option_id = self.identifier(location, "id", item.get("id"), "option id")
        if option_id:
            location = _named(location, option_id)
        if not OPTION_KEYS.issuperset(item):
            self.unknown_keys(location, item, OPTION_KEYS)
        name = self.name(location, item.get("name"), default=option_id or "")
        self.text(location, "description", item.get("description"), default="")
        price = self.money(location, "price", item.get("price", 0)) or Decimal("0")
        cost = self.money(location, "cost", item["cost"]) if "cost" in item else None
        attributes = self.attributes(location, item.get("attributes", {}))
        recurring = self.recurring(location, item.get("recurring"), recurring)
        image = self.image(location, item.get("image"))
        if option_id is None:
            return None
        return Option(id=option_id, name=name, price=price, attributes=attributes, cost=cost,
                      recurring=recurring, image=image)

    def image(self, location: str, value: Any) -> str:
        """An option's picture (extension), or "": a relative path to an SVG file
        below the catalog directory (a layer of the composed picture), an https
        address or a path on this shop. A layer file that is not there is no
        problem: the picture is drawn without it."""
        text = self.text(location, "image", value, default="")
        usable = _IMAGE.match(text) or _IMAGE_LAYER.match(text)
        if text and (len(text) > MAX_IMAGE_LENGTH or not usable):
            self.report(location, said("'image' must be an https:// address or a path starting "
                                       "with '/', or a relative path to an .svg file such as "
                                       "pictures/bike/frame.svg, at most %(most)s characters, "
                                       "not %(value)s", most=MAX_IMAGE_LENGTH, value=repr(text[:40])))
            return ""
        return text

    def money(self, location: str, key: str, value: Any) -> Decimal | None:
        """A price or cost: a decimal from 0 to MAX_PRICE with at most 4 decimals."""
        amount = _decimal(value)
        if amount is None:
            self.report(location, said("%(key)s must be a number, not %(value)s", key=said(key), value=describe(value)))
        elif amount < 0:
            self.report(location, said("%(key)s %(value)s is negative", key=said(key), value=str(value)))
        elif amount > MAX_PRICE:
            self.report(location, said("%(key)s %(value)s is too large (at most %(most)s)", key=said(key),
                                       value=describe(value), most=str(MAX_PRICE)))
        elif amount.as_tuple().exponent < -MAX_DECIMALS:  # type: ignore[operator]
            self.report(location, said("%(key)s %(value)s has more than %(most)s decimals", key=said(key),
                                       value=str(value), most=MAX_DECIMALS))
        else:
            return amount
        return None

    def attributes(self, location: str, raw: Any) -> dict[str, int | float | str | bool]:
        if not isinstance(raw, dict):
            self.report(location, said("'attributes' must be a mapping, not %(value)s", value=describe(raw)))
            return {}
        attributes: dict[str, int | float | str | bool] = {}
        for key, value in raw.items():
            if not isinstance(key, str) or not ATTRIBUTE.match(key):
                self.report(location, said("attribute name %(name)s is not valid: use letters, digits, '-' and '_'",
                                           name=describe(key)))
            elif not _is_attribute_value(value):
                self.report(location, said("attribute '%(name)s' must be a number, a text or true/false, "
                                           "not %(value)s", name=key, value=describe(value)))
            else:
                attributes[key] = value
        return attributes


# ------------------------------------------------------------------ helpers


def _may_hold_control_characters(text: str) -> bool:
    """A quick look at the text before the walk that finds where: big catalogs
    have hundreds of thousands of strings.

    Both parsers refuse a raw C0 control character (other than tab and line
    breaks), so one can only come from an escape (a backslash) or be a raw DEL
    or C1 character, which JSON lets through.
    """
    return "\\" in text or _RAW_CONTROL.search(text) is not None


def _report_control_characters(log: ProblemLog, data: Any, location: str = "") -> None:
    """Report every key or text holding a control character, where it is.

    YAML escapes (`"Bra\\x00kes"`) and JSON `\\u0000` get past the text checks
    as ordinary strings; PostgreSQL then refuses them when an order stores the
    line, so they are refused here, before the catalog is used.
    """
    if isinstance(data, str):
        index = control_character_at(data)
        if index is not None:
            log.report(location, said("the text %(value)s holds the control character %(character)s "
                                      "at position %(position)s; remove it",
                                      value=describe(CONTROL_CHARACTER.sub("?", data)),
                                      character=describe_character(data, index), position=index + 1))
    elif isinstance(data, dict):
        for key, value in data.items():
            here = f"{location}.{key}" if location else str(key)
            key_place = said("%(place)s key", place=location) if location else said("top level key")
            _report_control_characters(log, key, key_place)
            _report_control_characters(log, value, CONTROL_CHARACTER.sub("?", here))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _report_control_characters(log, value, f"{location}[{index}]")


def _named(place: str, item_id: str) -> str:
    """A place in the file with the id of what is there: `features[0] 'frame'`."""
    return said("%(place)s '%(id)s'", place=place, id=item_id)


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
        return True  # a yes/no property (`waterproof: true`); never summed (rule_names refuses sum() of it)
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (int, str))
