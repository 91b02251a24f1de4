"""What a release changes: features, options, rules and prices added,
removed or changed between the version in use and the draft."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from configurator.engine.model import CatalogModel, Constraint, Feature, Option


@dataclass(frozen=True)
class Change:
    """One difference. `what` is feature, option, rule or price; `change` is
    added, removed or changed; before/after say it in words."""

    what: str
    change: str
    name: str
    before: str = ""
    after: str = ""


def diff_models(old: CatalogModel, new: CatalogModel) -> list[Change]:
    """Every difference from `old` to `new`: features, then options and prices, then rules."""
    changes: list[Change] = []
    old_features = {feature.id: feature for feature in old.features}
    new_features = {feature.id: feature for feature in new.features}
    for feature_id, feature in old_features.items():
        if feature_id not in new_features:
            changes.append(Change("feature", "removed", feature_id, feature.name))
    for feature_id, feature in new_features.items():
        before = old_features.get(feature_id)
        if before is None:
            changes.append(Change("feature", "added", feature_id, "", feature.name))
            continue
        if _feature_text(before) != _feature_text(feature):
            changes.append(
                Change("feature", "changed", feature_id, _feature_text(before), _feature_text(feature))
            )
        changes += _option_changes(feature_id, before, feature)
    changes += _rule_changes(old.constraints, new.constraints)
    return changes


def _feature_text(feature: Feature) -> str:
    choose = {(1, 1): "one", (0, 1): "optional"}.get((feature.min, feature.max))
    choose = choose or f"{feature.min} to {feature.max}"
    default = f", default {feature.default}" if feature.default else ""
    return f"{feature.name} ({feature.dimension}, choose {choose}{default})"


def _option_changes(feature_id: str, old: Feature, new: Feature) -> list[Change]:
    changes = []
    old_options = {option.id: option for option in old.options}
    new_options = {option.id: option for option in new.options}
    for option_id, option in old_options.items():
        if option_id not in new_options:
            changes.append(Change("option", "removed", f"{feature_id}={option_id}", _price(option)))
    for option_id, option in new_options.items():
        label = f"{feature_id}={option_id}"
        before = old_options.get(option_id)
        if before is None:
            changes.append(Change("option", "added", label, "", _price(option)))
            continue
        if before.price != option.price:
            changes.append(Change("price", "changed", label, _money(before.price), _money(option.price)))
        if _option_rest(before) != _option_rest(option):
            changes.append(Change("option", "changed", label, _option_text(before), _option_text(option)))
    return changes


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _price(option: Option) -> str:
    return f"{option.name}, {_money(option.price)}"


def _option_rest(option: Option) -> Option:
    """The option apart from its price (a price change is listed on its own)."""
    return dataclasses.replace(option, price=Decimal(0))


def _option_text(option: Option) -> str:
    attributes = ", ".join(f"{key}: {value}" for key, value in sorted(option.attributes.items()))
    cost = f", cost {_money(option.cost)}" if option.cost is not None else ""
    image = f", image {option.image}" if option.image else ""
    return f"{option.name}{cost}{image}" + (f" ({attributes})" if attributes else "")


def _rule_changes(old: tuple[Constraint, ...], new: tuple[Constraint, ...]) -> list[Change]:
    """Rules are matched by id (or, without one, by their text)."""
    old_rules = {_key(rule): rule for rule in old}
    new_rules = {_key(rule): rule for rule in new}
    changes = []
    for key, rule in old_rules.items():
        if key not in new_rules:
            changes.append(Change("rule", "removed", rule.name, _rule_text(rule)))
    for key, rule in new_rules.items():
        before = old_rules.get(key)
        if before is None:
            changes.append(Change("rule", "added", rule.name, "", _rule_text(rule)))
        elif _comparable(before) != _comparable(rule):
            changes.append(Change("rule", "changed", rule.name, _rule_text(before), _rule_text(rule)))
    return changes


def _key(rule: Constraint) -> str:
    return rule.id or f"{rule.kind}: {_rule_text(rule)}"


def _comparable(rule: Constraint) -> Constraint:
    """The rule without its position in the file (moving a rule changes nothing)."""
    return dataclasses.replace(rule, index=0)


def _rule_text(rule: Constraint) -> str:
    if rule.kind == "table":
        word = "deny" if rule.deny else "allow"
        rows = "; ".join(", ".join(str(cell) for cell in row) for row in rule.rows)
        text = f"table {', '.join(rule.table_features)} {word} {rows}"
    else:
        text = f"{rule.kind}: {rule.source}"
    return f"{text} — {rule.message}" if rule.message else text
