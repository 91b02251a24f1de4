"""A catalog's names, descriptions and rule messages in other languages.

The catalog's own texts are in its `language` (default `en`). An optional
`translations:` block gives, per language, any subset of them:

    translations:
      fa:
        name: دوچرخهٔ شهری
        description: ...
        features:
          frame:
            name: بدنه
            description: ...
            options: {alu: آلومینیوم, carbon: کربن}
        messages:
          carbon-needs-disc: بدنهٔ کربنی فقط با ترمز دیسکی هیدرولیک جور است.

What a language leaves out falls back to the catalog's own text
(`CatalogText.lookup`); `missing` lists it for `catalog check`. Unknown
features, options and rule ids are problems, reported with their place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Constraint, Feature
from .problems import ProblemLog, describe, said

LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?\Z")
LANGUAGE_KEYS = {"name", "description", "features", "messages"}
FEATURE_KEYS = {"name", "description", "options"}


@dataclass(frozen=True)
class CatalogText:
    """One language's texts, keyed like the catalog: `("feature", id)`,
    `("feature.description", id)`, `("option", feature_id, option_id)`,
    `("message", rule_id)`, `("catalog",)`, `("catalog.description",)`."""

    texts: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    def lookup(self, key: tuple[str, ...], default: str) -> str:
        """The translated text, or `default` (the catalog's own) when there is none."""
        return self.texts.get(key) or default


def read_translations(
    value: Any, features: Iterable[Feature], constraints: Iterable[Constraint], log: ProblemLog
) -> dict[str, CatalogText]:
    """The `translations:` block as one CatalogText per language; problems go to `log`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        log.report("translations", said("'translations' must map languages to texts, not %(value)s",
                                        value=describe(value)))
        return {}
    by_feature = {feature.id: feature for feature in features}
    rule_ids = {constraint.id for constraint in constraints if constraint.id}
    result = {}
    for language, block in value.items():
        where = f"translations.{language}"
        if not isinstance(language, str) or not LANGUAGE.match(language):
            log.report(where, said("%(value)s is not a language code such as fa or vi", value=describe(language)))
            continue
        if not isinstance(block, dict):
            log.report(where, said("must be a mapping (name, features, messages), not %(value)s",
                                   value=describe(block)))
            continue
        result[language] = CatalogText(_read_language(where, block, by_feature, rule_ids, log))
    return result


def _read_language(
    where: str, block: dict, by_feature: dict[str, Feature], rule_ids: set[str], log: ProblemLog
) -> dict[tuple[str, ...], str]:
    log.unknown_keys(where, block, LANGUAGE_KEYS)
    texts: dict[tuple[str, ...], str] = {}
    _put(texts, ("catalog",), block.get("name"), f"{where}.name", log)
    _put(texts, ("catalog.description",), block.get("description"), f"{where}.description", log)
    for feature_id, entry in _mapping(block.get("features"), f"{where}.features", log).items():
        place = f"{where}.features.{feature_id}"
        feature = by_feature.get(feature_id)
        if feature is None:
            log.report(place, said("the catalog has no feature %(value)s", value=describe(feature_id)))
            continue
        if isinstance(entry, str):  # `frame: بدنه` is the feature's name alone
            entry = {"name": entry}
        if not isinstance(entry, dict):
            log.report(place, said("must be a name or a mapping (name, description, options), not %(value)s",
                                   value=describe(entry)))
            continue
        log.unknown_keys(place, entry, FEATURE_KEYS)
        _put(texts, ("feature", feature_id), entry.get("name"), f"{place}.name", log)
        _put(texts, ("feature.description", feature_id), entry.get("description"), f"{place}.description", log)
        options = {option.id for option in feature.options}
        for option_id, name in _mapping(entry.get("options"), f"{place}.options", log).items():
            if option_id not in options:
                log.report(f"{place}.options", said("feature '%(feature)s' has no option %(value)s",
                                                    feature=feature_id, value=describe(option_id)))
                continue
            _put(texts, ("option", feature_id, option_id), name, f"{place}.options.{option_id}", log)
    for rule_id, message in _mapping(block.get("messages"), f"{where}.messages", log).items():
        if rule_id not in rule_ids:
            log.report(f"{where}.messages", said("the catalog has no rule with id %(value)s",
                                                 value=describe(rule_id)))
            continue
        _put(texts, ("message", rule_id), message, f"{where}.messages.{rule_id}", log)
    return texts


def _mapping(value: Any, where: str, log: ProblemLog) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        log.report(where, said("must be a mapping, not %(value)s", value=describe(value)))
        return {}
    return value


def _put(texts: dict, key: tuple[str, ...], value: Any, where: str, log: ProblemLog) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.strip():
        log.report(where, said("must be text, not %(value)s", value=describe(value)))
        return
    texts[key] = value


def missing_translations(model: Any) -> list[str]:
    """Per language, the catalog's texts it does not translate ("fa: option frame.carbon")."""
    wanted: list[tuple[tuple[str, ...], str]] = [(("catalog",), "catalog name")]
    for feature in model.features:
        wanted.append((("feature", feature.id), f"feature {feature.id}"))
        if feature.description:
            wanted.append((("feature.description", feature.id), f"description of {feature.id}"))
        wanted += [(("option", feature.id, option.id), f"option {feature.id}.{option.id}")
                   for option in feature.options]
    wanted += [(("message", c.id), f"message of rule {c.id}")
               for c in model.constraints if c.id and c.message]
    missing = []
    for language, text in sorted(model.translations.items()):
        missing += [f"{language}: {what}" for key, what in wanted if key not in text.texts]
    return missing
