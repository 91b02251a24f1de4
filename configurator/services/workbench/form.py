"""The form editor of a draft: its features, options, rules and tables as
fields, read from the draft's YAML and written back into it.

The YAML stays the source of truth. An edit is applied to the text with
ruamel.yaml's round trip, so the comments, the order of keys and the flow
style (`{id: s, name: S, price: 0.00}`) of everything not edited stay as the
catalog manager wrote them; only the edited value changes.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from sqlalchemy.orm import Session

from configurator.engine.documents import read_document
from configurator.engine.model import DIMENSIONS
from configurator.engine.problems import CatalogError
from configurator.quoting.phrases import N_, Phrase
from configurator.services.errors import CatalogProblem
from configurator.services.unit_of_work import use_case
from configurator.services.workbench import attributes as typed_attributes
from configurator.services.workbench import drafts, edit_in_place
from configurator.services.workbench.rule_text import RuleText, read_rule
from configurator.store.models import User
from configurator.store.releases import CatalogDraft

RULE_KEYS = ("if", "then", "require", "forbid")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_CHOOSE = re.compile(r"(\d+)\s*-\s*(\d+)\Z")
_LANGUAGE = re.compile(r"[a-z]{2,3}\Z")
MAX_FIELD_CHARS = 10_000
MAX_PRICE = Decimal("1000000000")


class FormProblem(CatalogProblem):
    """An edit the form cannot make (a bad price, an unknown option...): nothing is changed."""


@dataclass(frozen=True)
class Edit:
    """One field of the form: what it belongs to, which field, the new value.

    `target` is `feature`, `option`, `rule` or `table`; `feature`/`option`
    name the feature and option, `index` the rule's position (0-based),
    `row` and `column` a table cell. `name` is the field (`price`,
    `name.fa`, `then`, `cell`, `add-row`...). A new feature (`feature`,
    `add`) takes its id from `feature`, its name from `value`, its first
    option's id from `option` and its `dimension` and `choose` from `details`.
    """

    target: str
    name: str
    value: str = ""
    feature: str = ""
    option: str = ""
    index: int = -1
    row: int = -1
    column: int = -1
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass
class OptionForm:
    """An option's fields."""

    id: str
    name: str
    price: str
    cost: str
    image: str
    attributes: str  # as one text, `name: value, ...`
    translations: dict[str, str]
    typed_attributes: list[typed_attributes.AttributeField] = field(default_factory=list)


@dataclass
class FeatureForm:
    """A feature's fields and its options."""

    id: str
    name: str
    dimension: str
    choose: str
    options: list[OptionForm]
    translations: dict[str, str]


@dataclass
class RuleForm:
    """A rule (if/then, require, forbid): each expression read as typed, and its message."""

    index: int
    id: str
    expressions: list[tuple[str, RuleText]]
    message: str


@dataclass
class TableForm:
    """A table rule as a grid: the features (columns), the rows, the options each cell may take."""

    index: int
    id: str
    mode: str  # allow | deny
    features: list[str]
    rows: list[list[str]]
    choices: list[list[str]]
    message: str


@dataclass
class DraftForm:
    """Everything the form editor shows of a draft's text."""

    features: list[FeatureForm] = field(default_factory=list)
    rules: list[RuleForm] = field(default_factory=list)
    tables: list[TableForm] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    problem: str = ""  # the text is not YAML the form can show (a Phrase): edit it as text


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long name or rule onto two lines
    yaml.indent(mapping=2, sequence=4, offset=2)  # the catalogs' own layout
    yaml.representer.add_representer(Decimal, _represent_money)
    return yaml


def _represent_money(representer, amount: Decimal):
    """Prices as the catalogs write them: a plain number with at least two decimals (`12.50`)."""
    if amount.as_tuple().exponent > -2:
        amount = amount.quantize(Decimal("0.01"))
    return representer.represent_scalar("tag:yaml.org,2002:float", format(amount, "f"))


def load(text: str) -> CommentedMap:
    """The draft's text as a round-trip document; FormProblem when it is not a catalog mapping."""
    try:
        data = _yaml().load(text)
    except (YAMLError, RecursionError, ValueError) as error:
        raise FormProblem(N_("The YAML does not parse (%(error)s): fix it in the text editor.",
                             error=_first_line(error))) from error
    if not isinstance(data, CommentedMap):
        raise FormProblem(N_("The YAML is not a catalog (a mapping with features and constraints)."))
    return data


def dump(data: CommentedMap) -> str:
    """The document as text again."""
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _plain(text: str) -> Mapping:
    """The draft's text as plain data, read as the engine reads a catalog (libyaml's C loader, or JSON).

    For showing the form, which needs no round trip: ruamel's round-trip reader,
    which an edit needs to keep the layout, takes seconds on a Renault-sized
    text (23 s for Renault medium's 367 KB under load). A text that does not
    read this way is read by `load`, for its FormProblem.
    """
    try:
        data, problems = read_document(text, "draft", as_json=text.lstrip().startswith("{"))
    except CatalogError:
        problems, data = True, None
    if problems or not isinstance(data, Mapping):
        return load(text)
    return data


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


# ------------------------------------------------------------------ reading


def read_form(text: str, languages: Sequence[str] = ()) -> DraftForm:
    """The form of a draft's text; `problem` says why when the text cannot be shown as a form."""
    try:
        data = _plain(text)
    except FormProblem as problem:
        return DraftForm(problem=problem.args[0])
    features = [f for f in _list(data.get("features")) if isinstance(f, Mapping)]
    options = {_text(f.get("id")): [_text(o.get("id")) for o in _options(f)] for f in features}
    translations = data.get("translations") if isinstance(data.get("translations"), Mapping) else {}
    shown = list(dict.fromkeys([*languages, *(str(k) for k in translations)]))
    form = DraftForm(languages=shown)
    for feature in features:
        form.features.append(_feature_form(feature, translations, shown))
    for index, constraint in enumerate(_list(data.get("constraints"))):
        if not isinstance(constraint, Mapping):
            continue
        if isinstance(constraint.get("table"), Mapping):
            form.tables.append(_table_form(index, constraint, options))
            continue
        expressions = [
            (key, read_rule(_text(constraint[key]), options)) for key in RULE_KEYS if key in constraint
        ]
        form.rules.append(RuleForm(index, _text(constraint.get("id")), expressions,
                                   _text(constraint.get("message"))))
    return form


@functools.lru_cache(maxsize=4)
def option_ids(text: str) -> dict[str, list[str]]:
    """Each feature's option ids in a draft's text (none when it does not parse).

    Kept for the last few texts: every key typed in a rule asks again of the same draft.
    Read only: callers must not change the answer.
    """
    try:
        data = _plain(text)
    except FormProblem:
        return {}
    features = [f for f in _list(data.get("features")) if isinstance(f, Mapping)]
    return {_text(f.get("id")): [_text(o.get("id")) for o in _options(f)] for f in features}


def _feature_form(feature: Mapping, translations: Mapping, languages: list[str]) -> FeatureForm:
    feature_id = _text(feature.get("id"))
    texts = {lang: _translated(translations, lang, feature_id) for lang in languages}
    options = []
    for option in _options(feature):
        option_id = _text(option.get("id"))
        options.append(OptionForm(
            id=option_id,
            name=_text(option.get("name")),
            price=_money_text(option.get("price", "")),
            cost=_money_text(option.get("cost", "")),
            image=_text(option.get("image", "")),
            attributes=_attributes_text(option.get("attributes")),
            translations={
                lang: _text(_options_map(texts[lang]).get(option_id, "")) for lang in languages
            },
            typed_attributes=typed_attributes.fields(option.get("attributes")),
        ))
    return FeatureForm(
        id=feature_id,
        name=_text(feature.get("name")),
        dimension=_text(feature.get("dimension")),
        choose=_choose_text(feature.get("choose")),
        options=options,
        translations={lang: _text(texts[lang].get("name", "")) for lang in languages},
    )


def _table_form(index: int, constraint: Mapping, options: Mapping[str, list[str]]) -> TableForm:
    table = constraint["table"]
    mode = "deny" if "deny" in table else "allow"
    features = [_text(f) for f in _list(table.get("features"))]
    rows = [[("" if cell is None else _text(cell)) for cell in _list(row)] for row in _list(table.get(mode))]
    return TableForm(
        index=index,
        id=_text(constraint.get("id")),
        mode=mode,
        features=features,
        rows=rows,
        choices=[options.get(feature, []) for feature in features],
        message=_text(constraint.get("message")),
    )


def _list(value: Any) -> list:
    return list(value) if isinstance(value, list) else []


def _options(feature: Mapping) -> list[Mapping]:
    return [o for o in _list(feature.get("options")) if isinstance(o, Mapping)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _translated(translations: Mapping, language: str, feature_id: str) -> Mapping:
    texts = translations.get(language)
    features = texts.get("features") if isinstance(texts, Mapping) else None
    feature = features.get(feature_id) if isinstance(features, Mapping) else None
    return feature if isinstance(feature, Mapping) else {}


def _options_map(feature_texts: Mapping) -> Mapping:
    options = feature_texts.get("options")
    return options if isinstance(options, Mapping) else {}


def _money_text(value: Any) -> str:
    """A price as the form shows it: `12.50`, not the float `12.5` the YAML parser read."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = Decimal(str(value))
        return format(amount.quantize(Decimal("0.01")) if amount.as_tuple().exponent > -2 else amount, "f")
    return _text(value)


def _attributes_text(value: Any) -> str:
    if not isinstance(value, Mapping):
        return ""
    return ", ".join(f"{key}: {item}" for key, item in value.items())


def _choose_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"{value.get('min', 0)}-{value.get('max', 0)}"
    return _text(value)


# ------------------------------------------------------------------ writing


def apply(text: str, edit: Edit) -> str:
    """The text with one field of the form changed; FormProblem (nothing changed) when it cannot be."""
    if len(edit.value) > MAX_FIELD_CHARS:
        raise FormProblem(N_("The value is longer than %(most)s characters.", most=MAX_FIELD_CHARS))
    in_place = _money_in_place(text, edit)
    if in_place is not None:
        return in_place
    data = load(text)
    if edit.target == "feature" and edit.name == "add":
        _add_feature(data, edit)
    elif edit.target == "feature" and edit.name == "remove":
        _remove_feature(data, _feature(data, edit.feature))
    elif edit.target == "feature":
        _edit_feature(data, _feature(data, edit.feature), edit)
    elif edit.target == "option":
        _edit_option(data, _feature(data, edit.feature), edit)
    elif edit.target == "rule" and edit.name == "add":
        _add_rule(data, edit.value.strip())
    elif edit.target == "rule" and edit.name == "remove":
        _constraint(data, edit.index)  # refuses a rule that is not there (any more)
        del data["constraints"][edit.index]
    elif edit.target == "rule":
        _edit_rule(_constraint(data, edit.index), edit)
    elif edit.target == "table":
        _edit_table(data, _constraint(data, edit.index), edit)
    else:
        raise FormProblem(N_("Unknown part of the form: '%(part)s'.", part=edit.target[:40]))
    return dump(data)


def _money_in_place(text: str, edit: Edit) -> str | None:
    """A price or cost edit written where the number is, when it can be (see edit_in_place); else None."""
    value = edit.value.strip()
    if edit.target != "option" or edit.name not in ("price", "cost") or not (value or edit.name == "price"):
        return None
    amount = _money(value or "0", edit.name)
    return edit_in_place.money_in_place(text, edit.feature, edit.option, edit.name, amount)


def _feature(data: CommentedMap, feature_id: str) -> CommentedMap:
    for feature in _list(data.get("features")):
        if isinstance(feature, CommentedMap) and _text(feature.get("id")) == feature_id:
            return feature
    raise FormProblem(N_("The draft has no feature '%(feature)s' (any more).", feature=feature_id[:80]))


def _option(feature: CommentedMap, option_id: str) -> CommentedMap:
    for option in _options(feature):
        if _text(option.get("id")) == option_id:
            return option  # type: ignore[return-value]
    raise FormProblem(N_("Feature '%(feature)s' has no option '%(option)s' (any more).",
                         feature=_text(feature.get("id")), option=option_id[:80]))


def _constraint(data: CommentedMap, index: int) -> CommentedMap:
    constraints = _list(data.get("constraints"))
    if not 0 <= index < len(constraints) or not isinstance(constraints[index], CommentedMap):
        raise FormProblem(N_("The draft has no rule number %(number)s (any more).", number=index + 1))
    return constraints[index]


def _edit_feature(data: CommentedMap, feature: CommentedMap, edit: Edit) -> None:
    value = edit.value.strip()
    if edit.name == "name":
        _require_text(value, N_("A feature needs a name."))
        feature["name"] = value
    elif edit.name == "dimension":
        _require_dimension(value)
        feature["dimension"] = value
    elif edit.name == "choose":
        feature["choose"] = _choose(value)
    elif edit.name.startswith("name."):
        _set_translation(data, _language(edit.name), [feature.get("id"), "name"], value)
    elif edit.name == "add-option":
        _add_option(feature, value)
    else:
        raise FormProblem(N_("A feature has no field '%(field)s' in this form.", field=edit.name[:40]))


def _edit_option(data: CommentedMap, feature: CommentedMap, edit: Edit) -> None:
    option = _option(feature, edit.option)
    value = edit.value.strip()
    if edit.name == "name":
        _require_text(value, N_("An option needs a name."))
        option["name"] = value
    elif edit.name == "price":
        option["price"] = _money(value or "0", "price")
    elif edit.name in ("cost", "image"):
        if not value:
            option.pop(edit.name, None)
        else:
            option[edit.name] = _money(value, "cost") if edit.name == "cost" else value
    elif edit.name == "attributes":
        attributes = _attributes(value)
        if attributes:
            flow = CommentedMap(attributes)
            flow.fa.set_flow_style()
            option["attributes"] = flow
        else:
            option.pop("attributes", None)
    elif edit.name.startswith("attribute.") or edit.name in ("add-attribute", "remove-attribute"):
        _edit_attribute(option, edit)
    elif edit.name.startswith("name."):
        _set_translation(data, _language(edit.name), [feature.get("id"), "options", option.get("id")], value)
    elif edit.name == "remove":
        feature["options"].remove(option)
    else:
        raise FormProblem(N_("An option has no field '%(field)s' in this form.", field=edit.name[:40]))


def _edit_attribute(option: CommentedMap, edit: Edit) -> None:
    """One typed attribute: its value (read as the type it has), a new one of a chosen type, or its removal."""
    current = option.get("attributes")
    current = current if isinstance(current, CommentedMap) else None
    name = edit.name.removeprefix("attribute.") if edit.name.startswith("attribute.") else edit.value.strip()
    if edit.name == "add-attribute":
        kind = edit.details.get("kind", "")
        if not typed_attributes.valid_name(name):
            raise FormProblem(N_("An attribute's name is letters, digits, '-' and '_' (at most 64), "
                                 "such as weight_g."))
        if current is not None and name in current:
            raise FormProblem(N_("The option has an attribute '%(name)s' already.", name=name))
        if kind not in typed_attributes.KINDS:
            raise FormProblem(N_("Choose the attribute's type: %(kinds)s.", kinds=list(typed_attributes.KINDS)))
        if current is None:
            current = option["attributes"] = CommentedMap()
            current.fa.set_flow_style()
        current[name] = typed_attributes.new_value(kind)
        return
    if current is None or name not in current:
        raise FormProblem(N_("The option has no attribute '%(name)s' (any more).", name=name[:80]))
    if edit.name == "remove-attribute":
        del current[name]
        if not current:
            del option["attributes"]
        return
    try:
        current[name] = typed_attributes.typed(edit.value, typed_attributes.kind_of(current[name]), name)
    except ValueError as problem:
        raise FormProblem(problem.args[0]) from None  # its Phrase, shown in the reader's language


def _edit_rule(constraint: CommentedMap, edit: Edit) -> None:
    if edit.name in RULE_KEYS:
        if edit.name not in constraint:
            raise FormProblem(N_("This rule has no '%(part)s' part.", part=edit.name))
        # Kept even when it does not parse: a draft is work in progress, the check says what is wrong.
        constraint[edit.name] = edit.value.strip()
    elif edit.name == "message":
        _set_or_drop(constraint, "message", edit.value.strip())
    else:
        raise FormProblem(N_("A rule has no field '%(field)s' in this form.", field=edit.name[:40]))


def _edit_table(data: CommentedMap, constraint: CommentedMap, edit: Edit) -> None:
    table = constraint.get("table")
    if not isinstance(table, CommentedMap):
        raise FormProblem(N_("Rule number %(number)s is not a table.", number=edit.index + 1))
    mode = "deny" if "deny" in table else "allow"
    rows = table.get(mode)
    if not isinstance(rows, CommentedSeq):
        rows = table[mode] = CommentedSeq()
    width = len(_list(table.get("features")))
    if edit.name == "cell":
        if not 0 <= edit.row < len(rows) or not 0 <= edit.column < width:
            raise FormProblem(N_("That cell is not in the table (any more)."))
        row = rows[edit.row]
        while len(row) < width:
            row.append(None)
        feature_id = _text(table["features"][edit.column])
        value = edit.value.strip()
        if value:
            _option(_feature(data, feature_id), value)  # refuses an option the feature lacks
        row[edit.column] = value or None
    elif edit.name == "add-row":
        new = CommentedSeq(list(rows[-1]) if len(rows) else [None] * width)
        new.fa.set_flow_style()
        rows.append(new)
    elif edit.name == "remove-row":
        if not 0 <= edit.row < len(rows):
            raise FormProblem(N_("That row is not in the table (any more)."))
        del rows[edit.row]
    elif edit.name == "message":
        _set_or_drop(constraint, "message", edit.value.strip())
    else:
        raise FormProblem(N_("A table has no field '%(field)s' in this form.", field=edit.name[:40]))


NEW_RULES = {  # a new rule's kind and its parts
    "if": ("if", "then"),
    "require": ("require",),
    "forbid": ("forbid",),
}


def _add_rule(data: CommentedMap, kind: str) -> None:
    """A new rule at the end with its parts empty: the check shows it as a problem at its
    line until the catalog manager writes the conditions (a draft may keep problems)."""
    if kind not in NEW_RULES:
        raise FormProblem(N_("A new rule is one of: %(kinds)s.", kinds=list(NEW_RULES)))
    constraints = data.get("constraints")
    if not isinstance(constraints, CommentedSeq):
        constraints = data["constraints"] = CommentedSeq()
    taken = {_text(c.get("id")) for c in constraints if isinstance(c, Mapping)}
    number = len(constraints) + 1
    while f"rule-{number}" in taken:
        number += 1
    rule = CommentedMap([("id", f"rule-{number}")])
    for part in NEW_RULES[kind]:
        rule[part] = ""
    rule["message"] = ""
    constraints.append(rule)


NEW_FEATURE_OPTION = "standard"  # the first option of a new feature when none is named


def _add_feature(data: CommentedMap, edit: Edit) -> None:
    """A new feature at the end, with one option (free, named as its id) so that the
    catalog stays a catalog; the check says what else it needs (a `{min, max}` wider
    than its options, say)."""
    feature_id = edit.feature.strip()
    if not _ID.match(feature_id):
        raise FormProblem(N_("A feature id is lower-case letters, digits, '_' and '-', "
                             "starting with a letter or digit."))
    features = data.get("features")
    if not isinstance(features, CommentedSeq):
        if features is not None:
            raise FormProblem(N_("The draft's 'features' is not a list: fix it in the text editor."))
        features = data["features"] = CommentedSeq()
    if any(isinstance(f, Mapping) and _text(f.get("id")) == feature_id for f in features):
        raise FormProblem(N_("The draft already has a feature '%(feature)s'.", feature=feature_id))
    dimension = edit.details.get("dimension", "").strip() or "product"
    _require_dimension(dimension)
    choose = _choose(edit.details.get("choose", "").strip() or "one")
    option_id = edit.option.strip() or NEW_FEATURE_OPTION
    feature = CommentedMap([("id", feature_id), ("name", edit.value.strip() or feature_id),
                            ("dimension", dimension), ("choose", choose), ("options", CommentedSeq())])
    _add_option(feature, option_id)
    if _options_in_flow_style(features):
        feature["options"][0].fa.set_flow_style()  # like the other features' options
    features.append(feature)


def _options_in_flow_style(features: Sequence) -> bool:
    for feature in reversed(features):
        options = feature.get("options") if isinstance(feature, Mapping) else None
        if isinstance(options, CommentedSeq) and len(options) and isinstance(options[-1], CommentedMap):
            return bool(options[-1].fa.flow_style())
    return False


def users_of_feature(data: Mapping, feature_id: str) -> list[Phrase]:
    """The rules and tables that name a feature (each as `rule <id>` or `table <id>`,
    `#n` when it has no id), in the order of the constraints; phrases, for the reader's language."""
    options = {_text(f.get("id")): [_text(o.get("id")) for o in _options(f)]
               for f in _list(data.get("features")) if isinstance(f, Mapping)}
    users = []
    for index, constraint in enumerate(_list(data.get("constraints"))):
        if not isinstance(constraint, Mapping):
            continue
        label = _text(constraint.get("id")) or f"#{index + 1}"
        table = constraint.get("table")
        if isinstance(table, Mapping):
            if feature_id in (_text(f) for f in _list(table.get("features"))):
                users.append(N_("table %(name)s", name=label))
            continue
        for key in RULE_KEYS:
            if key in constraint and any(
                token.kind == "feature" and token.text == feature_id
                for token in read_rule(_text(constraint[key]), options).tokens
            ):
                users.append(N_("rule %(name)s", name=label))
                break
    return users


def _remove_feature(data: CommentedMap, feature: CommentedMap) -> None:
    """Remove a feature and its names in other languages; refused while a rule or table names it."""
    feature_id = _text(feature.get("id"))
    users = users_of_feature(data, feature_id)
    if users:
        raise FormProblem(N_("Feature '%(feature)s' is still used by %(users)s: change or remove those first.",
                             feature=feature_id, users=users))
    features = data["features"]
    del features[next(i for i, f in enumerate(features) if f is feature)]
    translations = data.get("translations")
    if isinstance(translations, CommentedMap):
        for language in list(translations):
            texts = translations[language]
            features = texts.get("features") if isinstance(texts, CommentedMap) else None
            if isinstance(features, CommentedMap) and feature_id in features:
                del features[feature_id]
                if not features:
                    del texts["features"]
                if not texts:
                    del translations[language]
        if not translations:
            del data["translations"]


def _add_option(feature: CommentedMap, option_id: str) -> None:
    if not _ID.match(option_id):
        raise FormProblem(N_("An option id is lower-case letters, digits, '_' and '-', "
                             "starting with a letter or digit."))
    if any(_text(o.get("id")) == option_id for o in _options(feature)):
        raise FormProblem(N_("Feature '%(feature)s' already has an option '%(option)s'.",
                             feature=_text(feature.get("id")), option=option_id))
    options = feature.get("options")
    if not isinstance(options, CommentedSeq):
        options = feature["options"] = CommentedSeq()
    option = CommentedMap([("id", option_id), ("name", option_id), ("price", Decimal("0.00"))])
    if len(options) and isinstance(options[-1], CommentedMap) and options[-1].fa.flow_style():
        option.fa.set_flow_style()  # like its siblings
    options.append(option)


def _set_translation(data: CommentedMap, language: str, path: list[Any], value: str) -> None:
    """Set (or, when empty, drop) `translations.<language>.features.<path>`."""
    node = data
    keys = ["translations", language, "features", *(_text(key) for key in path)]
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, CommentedMap):
            if not value:
                return  # nothing to drop
            child = node[key] = CommentedMap()
        node = child
    _set_or_drop(node, keys[-1], value)


def _set_or_drop(node: CommentedMap, key: str, value: str) -> None:
    if value:
        node[key] = value
    else:
        node.pop(key, None)


def _language(name: str) -> str:
    language = name.partition(".")[2]
    if not _LANGUAGE.match(language):
        raise FormProblem(N_("'%(code)s' is not a language code.", code=language[:20]))
    return language


def _require_dimension(value: str) -> None:
    if value not in DIMENSIONS:
        raise FormProblem(N_("The dimension is one of %(dimensions)s.", dimensions=list(DIMENSIONS)))


def _require_text(value: str, message: Phrase) -> None:
    if not value:
        raise FormProblem(message)


# A price's and a cost's refusals, whole sentences each (languages inflect the noun).
NOT_A_NUMBER = {
    "price": N_("The price must be a number such as 12.50, not '%(value)s'."),
    "cost": N_("The cost must be a number such as 12.50, not '%(value)s'."),
}
OUT_OF_RANGE = {  # MAX_PRICE written in the sentence
    "price": N_("The price must be from 0 to 1,000,000,000 with at most 4 decimals."),
    "cost": N_("The cost must be from 0 to 1,000,000,000 with at most 4 decimals."),
}


def _money(value: str, what: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise FormProblem(Phrase(NOT_A_NUMBER[what].template, {"value": value[:20]})) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_PRICE or amount.as_tuple().exponent < -4:
        raise FormProblem(OUT_OF_RANGE[what])
    return amount


def _choose(value: str) -> Any:
    if value in ("one", "optional"):
        return value
    if match := _CHOOSE.match(value):
        low, high = int(match.group(1)), int(match.group(2))
        if low <= high:
            choose = CommentedMap([("min", low), ("max", high)])
            choose.fa.set_flow_style()
            return choose
    raise FormProblem(N_("Choose is 'one', 'optional' or a range such as 0-2."))


def _attributes(value: str) -> dict[str, Any]:
    """`weight_g: 1800, colour: red` as a mapping; numbers stay numbers."""
    attributes: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        key, colon, item = (s.strip() for s in part.partition(":"))
        if not colon or not _ID.match(key.lower()) or not item:
            raise FormProblem(N_("Write attributes as 'name: value, name: value' ('%(part)s' is not).",
                                 part=part[:30]))
        attributes[key] = _number(item)
    return attributes


def _number(item: str) -> Any:
    if re.fullmatch(r"-?\d+", item):
        return int(item)
    if re.fullmatch(r"-?\d+\.\d+", item):
        return Decimal(item)
    return item


# ------------------------------------------------------------------ saving


@use_case
def save_edit(session: Session, catalog_id: str, user: User, edit: Edit,
              now: datetime | None = None) -> CatalogDraft:
    """Apply one field of the form to the product line's draft (started from the version in use) and keep it.

    A refused edit (FormProblem) changes nothing.
    """
    draft = drafts.start(session, catalog_id, user, now)
    return drafts.save(session, catalog_id, apply(draft.source_text, edit), user, now)
