"""What a release changes: features, options, rules and prices added,
removed or changed between the version in use and the draft.

Before and after are phrases (their English as `str`): the release page writes
them in the reader's language, prices in its digits. Names, rule sources and
messages stay as the catalog's author wrote them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from configurator.engine.model import CatalogModel, Constraint, Feature, Option
from configurator.quoting.phrases import N_, Amount, Phrase


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
    currency = new.currency
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
        changes += _option_changes(feature_id, before, feature, currency)
    changes += _rule_changes(old.constraints, new.constraints)
    return changes


# How many options a feature takes, as the diff says it.
CHOOSE = {(1, 1): N_("choose one"), (0, 1): N_("choose one or none")}
# The catalog's four dimensions as words inside a sentence.
DIMENSION_WORDS = {
    "product": N_("product"),
    "packaging": N_("packaging"),
    "delivery": N_("delivery"),
    "billing": N_("billing"),
}


def _feature_text(feature: Feature) -> Phrase:
    choose = CHOOSE.get((feature.min, feature.max)) or N_(
        "choose %(least)s to %(most)s", least=feature.min, most=feature.max)
    dimension = DIMENSION_WORDS.get(feature.dimension, feature.dimension)
    if feature.default:
        return N_("%(name)s (%(dimension)s, %(choose)s, default %(default)s)", name=feature.name,
                  dimension=dimension, choose=choose, default=feature.default)
    return N_("%(name)s (%(dimension)s, %(choose)s)", name=feature.name, dimension=dimension,
              choose=choose)


def _option_changes(feature_id: str, old: Feature, new: Feature, currency: str) -> list[Change]:
    changes = []
    old_options = {option.id: option for option in old.options}
    new_options = {option.id: option for option in new.options}
    for option_id, option in old_options.items():
        if option_id not in new_options:
            changes.append(Change("option", "removed", f"{feature_id}={option_id}", _price(option, currency)))
    for option_id, option in new_options.items():
        label = f"{feature_id}={option_id}"
        before = old_options.get(option_id)
        if before is None:
            changes.append(Change("option", "added", label, "", _price(option, currency)))
            continue
        if before.price != option.price:
            changes.append(Change("price", "changed", label, _money(before.price, currency),
                                  _money(option.price, currency)))
        if _option_rest(before) != _option_rest(option):
            changes.append(Change("option", "changed", label, _option_text(before, currency),
                                  _option_text(option, currency)))
    return changes


def _money(amount: Decimal, currency: str) -> Phrase:
    """An amount alone (the catalog's currency is said once, on the page): `640.00`, `۶۴۰٫۰۰`."""
    return N_("%(amount)s", amount=Amount(amount, currency, coded=False))


def _price(option: Option, currency: str) -> Phrase:
    return N_("%(name)s, %(price)s", name=option.name, price=Amount(option.price, currency, coded=False))


def _option_rest(option: Option) -> Option:
    """The option apart from its price (a price change is listed on its own)."""
    return dataclasses.replace(option, price=Decimal(0))


def _option_text(option: Option, currency: str) -> str:
    """`Carbon, cost 310.00, image /static/carbon.png (weight_g: 1400)`: the attributes as the
    catalog writes them."""
    text: str = option.name
    if option.cost is not None:
        text = N_("%(option)s, cost %(cost)s", option=text, cost=Amount(option.cost, currency, coded=False))
    if option.image:
        text = N_("%(option)s, image %(image)s", option=text, image=option.image)
    attributes = ", ".join(f"{key}: {value}" for key, value in sorted(option.attributes.items()))
    return N_("%(option)s (%(attributes)s)", option=text, attributes=attributes) if attributes else text


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
