"""Checking that a parsed rule names only features, options, dimensions and
attributes that exist in its catalog (spec section 2)."""

from __future__ import annotations

from collections.abc import Iterator

from configurator.engine.model import (
    DIMENSIONS,
    And,
    Compare,
    Expr,
    Feature,
    FilledAtom,
    Not,
    NumTerm,
    OptionAtom,
    Or,
)
from configurator.engine.problems import said


class RuleNames:
    """What the rules of one catalog may name."""

    def __init__(self, features: tuple[Feature, ...]) -> None:
        self.features = {feature.id: feature for feature in features}
        self.options = {feature.id: set(feature.option_ids()) for feature in features}
        # attribute -> dimensions where some option has it as a number / as text / as true or false
        self.numeric: dict[str, set[str]] = {}
        self.textual: dict[str, set[str]] = {}
        self.flags: dict[str, set[str]] = {}
        for feature in features:
            for option in feature.options:
                for key, value in option.attributes.items():
                    kinds = (self.flags if isinstance(value, bool) else self.textual if isinstance(value, str)
                             else self.numeric)
                    kinds.setdefault(key, set()).add(feature.dimension)


def check_names(expr: Expr, names: RuleNames) -> list[str]:
    """Messages for every unknown or unusable name in `expr`, each once, in order."""
    messages: list[str] = []
    for atom in _atoms(expr):
        for message in _atom_messages(atom, names):
            if message not in messages:
                messages.append(message)
    return messages


def _atoms(expr: Expr) -> Iterator[Expr]:
    # The parser caps nesting at 100 levels, so recursion is safe here.
    if isinstance(expr, (And, Or)):
        for item in expr.items:
            yield from _atoms(item)
    elif isinstance(expr, Not):
        yield from _atoms(expr.item)
    else:
        yield expr


def _atom_messages(atom: Expr, names: RuleNames) -> list[str]:
    if isinstance(atom, OptionAtom):
        if atom.feature not in names.features:
            return [said("unknown feature '%(feature)s'", feature=atom.feature)]
        known = names.options[atom.feature]
        return [said("unknown option '%(option)s' of feature '%(feature)s'", option=option, feature=atom.feature)
                for option in atom.options if option not in known]
    if isinstance(atom, FilledAtom):
        return [] if atom.feature in names.features else [
            said("unknown feature '%(feature)s'", feature=atom.feature)]
    if isinstance(atom, Compare):
        return _term_messages(atom.term, names)
    return []  # customer facts may name any key


def _term_messages(term: NumTerm, names: RuleNames) -> list[str]:
    if term.kind == "count":
        if term.arg in names.features or term.arg in DIMENSIONS:
            return []
        return [said("unknown feature or dimension '%(name)s' in count()", name=term.arg)]
    if term.kind != "sum":
        return []
    if term.dimension is not None and term.dimension not in DIMENSIONS:
        return [said("unknown dimension '%(dimension)s' in sum(); use one of %(dimensions)s",
                     dimension=term.dimension, dimensions=list(DIMENSIONS))]
    attribute = str(term.arg)
    if all(attribute not in kinds for kinds in (names.numeric, names.textual, names.flags)):
        return [said("unknown attribute '%(attribute)s' in sum(): no option has it", attribute=attribute)]
    for kinds, code in ((names.textual, "attribute '%(attribute)s' is text on some options; sum() needs numbers"),
                        (names.flags, "attribute '%(attribute)s' is true/false on some options; "
                                      "sum() needs numbers")):
        where = kinds.get(attribute, set())
        if where and (term.dimension is None or term.dimension in where):
            return [said(code, attribute=attribute)]
    return []
