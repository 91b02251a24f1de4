"""A catalog's shape: what the compilers read of it, as one key.

The backend chosen for a catalog (the junction tree, or CP-SAT when the
running totals outgrow every budget, catalog.py) is kept by the catalog's
fingerprint (compiled.py, `<fingerprint>.backend`). A draft in the workbench
gets a new fingerprint with every edit, so it would try the tree again at
each check (10-20 s of CPU on dense sums) only to be refused again. The
choice depends on less than the text: on the features, their options and
how many of them may be chosen, the numbers the rules add up (attributes
summed, prices when a rule reads price()) and the rules themselves. Names,
messages, descriptions, pictures, translations, costs, defaults and the
prices of a catalog whose rules never read price() do not enter the
compiled problem's factors or totals, so two texts of the same shape are
compiled into the same variables and factors (up to prices per value, which
no budget reads) and get the same choice. Any change of what the key holds
(a rule added or removed, a weight or a bound changed, an option added)
makes another key: that draft is judged afresh, never held to an old choice.
"""

from __future__ import annotations

import hashlib

from .compile import atoms
from .model import CatalogModel, Compare, Constraint, Feature

SHAPE_PREFIX = "shape-"


def shape_key(model: CatalogModel) -> str:
    """The name the backend chosen for this catalog is kept under, whichever text it came from."""
    summed, reads_price = _numbers_read(model)
    shape = (
        tuple(_feature_shape(feature, summed, reads_price) for feature in model.features),
        tuple(_rule_shape(constraint) for constraint in model.constraints),
    )
    return SHAPE_PREFIX + hashlib.sha256(repr(shape).encode("utf-8")).hexdigest()


def _numbers_read(model: CatalogModel) -> tuple[frozenset[str], bool]:
    """(attributes some sum() adds up, whether some rule reads price())."""
    terms = {
        atom.term
        for constraint in model.constraints
        for expr in (constraint.condition, constraint.expr)
        for atom in atoms(expr)
        if isinstance(atom, Compare)
    }
    summed = frozenset(term.arg for term in terms if term.kind == "sum")
    return summed, any(term.kind == "price" for term in terms)


def _feature_shape(feature: Feature, summed: frozenset[str], reads_price: bool) -> tuple:
    """A feature's id, dimension, choice bounds and options with the numbers the rules read of them.

    Values keep their type in the key (repr): 5 and 5.0 make two keys, which
    only costs a fresh choice, never a wrong one.
    """
    options = tuple(
        (
            option.id,
            repr(option.price) if reads_price else None,
            tuple(
                sorted(
                    (name, repr(value))
                    for name, value in option.attributes.items()
                    if name in summed
                )
            ),
        )
        for option in feature.options
    )
    return feature.id, feature.dimension, feature.min, feature.max, feature.multi, options


def _rule_shape(constraint: Constraint) -> tuple:
    """A rule as the compiler reads it: its kind and parsed parts, with the id and place that name it
    in a refusal's message (kept with the choice), without its message or source text."""
    return (
        constraint.index,
        constraint.id,
        constraint.kind,
        repr(constraint.condition),
        repr(constraint.expr),
        constraint.table_features,
        constraint.rows,
        constraint.deny,
    )
