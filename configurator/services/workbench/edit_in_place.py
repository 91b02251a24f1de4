"""An option's price or cost changed where it is written, without ruamel's round trip.

The form editor writes an edit into the draft's YAML by reading it as a
round-trip document and writing it out again, which keeps its layout but takes
seconds on a big draft (a price edit in Renault medium: 22 s under load). A
price or cost is the commonest edit, and it is one number already in the text:
libyaml finds where (the scalar's place), the number is replaced there, and
the new text is read again and must be the old catalog with that one value
changed. Anything else (the value not written as a plain number, the option
not found, the check failing) answers None and the round trip does the edit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

import yaml

from configurator.engine.documents import read_document
from configurator.engine.problems import CatalogError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def money_in_place(text: str, feature_id: str, option_id: str, field: str, amount: Decimal) -> str | None:
    """The text with this option's `field` (price or cost) set to `amount` in place; None when it cannot be."""
    as_json = text.lstrip().startswith("{")
    try:
        # read as the engine reads a catalog first: that also refuses alias bombs and deep nesting
        before, problems = read_document(text, "draft", as_json=as_json)
        root = None if problems else yaml.compose(text, Loader=_LOADER)
    except (yaml.YAMLError, RecursionError, CatalogError):
        return None
    scalar = _value(_option(root, feature_id, option_id), field)
    if scalar is None or scalar.style not in (None, ""):  # only a plain number is replaced
        return None
    written = format(amount.quantize(Decimal("0.01")) if amount.as_tuple().exponent > -2 else amount, "f")
    changed = text[:scalar.start_mark.index] + written + text[scalar.end_mark.index:]
    option = _plain_option(before, feature_id, option_id)
    if option is None:
        return None
    option[field] = yaml.safe_load(written)  # what a reader of the new text must find there
    try:  # the same text but one number: the plain reader will do
        after = json.loads(changed) if as_json else yaml.load(changed, Loader=_LOADER)
    except (ValueError, yaml.YAMLError):
        return None
    return changed if after == before else None


def _option(root: yaml.Node | None, feature_id: str, option_id: str) -> yaml.Node | None:
    features = _value(root, "features")
    for feature in features.value if isinstance(features, yaml.SequenceNode) else []:
        if _scalar(_value(feature, "id")) != feature_id:
            continue
        options = _value(feature, "options")
        for option in options.value if isinstance(options, yaml.SequenceNode) else []:
            if _scalar(_value(option, "id")) == option_id:
                return option
    return None


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if isinstance(name, yaml.ScalarNode) and name.value == key), None)


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _plain_option(data, feature_id: str, option_id: str) -> dict | None:
    features = data.get("features") if isinstance(data, Mapping) else None
    for feature in features if isinstance(features, list) else []:
        if isinstance(feature, Mapping) and str(feature.get("id")) == feature_id:
            for option in feature.get("options") or []:
                if isinstance(option, dict) and str(option.get("id")) == option_id:
                    return option
    return None
