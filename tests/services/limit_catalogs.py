"""Catalogs and budgets that send the engine down its refusal paths, and a reader's check for English
left in a translated engine message (test_compile_limit_phrases, test_solver_give_up_phrases)."""

from __future__ import annotations

import json
import re

from configurator.engine import grid_count, jtree, layered, linear_count
from configurator.engine.problems import Said
from configurator.services import catalogs
from configurator.services.configuring.wording import phrase_text
from tests.engine.dense_catalogs import dense_sums

# Five parts, three options each, two sum() rules: small, but its running totals outgrow the
# budgets `shrink_budgets` sets, so each counting route is tried and refused in turn.
DENSE_TEXT = dense_sums()


def shrink_budgets(monkeypatch) -> None:
    """Budgets DENSE_TEXT outgrows: the tree, its layers, the linear counter and the grid refuse it."""
    monkeypatch.setattr(jtree, "MAX_BAG_TUPLES", 20)
    monkeypatch.setattr(layered, "MAX_LAYER_STATES", 3)
    monkeypatch.setattr(linear_count, "MAX_STATES", 2)
    monkeypatch.setattr(linear_count, "MAX_SUFFIX_ROWS", 0)  # no meeting in the middle either
    monkeypatch.setattr(linear_count, "MAX_HALF_ROWS", 0)  # (neither at the cut nor in two halves)
    monkeypatch.setattr(grid_count, "MAX_CELLS", 0)  # nor the dense grid of totals


def wide_boolean() -> str:
    """A boolean catalog whose 24-literal group the junction tree refuses: d4 compiles it (or gives up)."""
    features = [
        {
            "id": f"g{i}",
            "name": f"G{i}",
            "dimension": "product",
            "choose": "optional",
            "options": [{"id": "on", "name": "on", "price": i}],
        }
        for i in range(1, 25)
    ]
    group = " or ".join(f"g{i}" for i in range(1, 25))
    return json.dumps(
        {
            "catalog": "wide",
            "name": "Wide",
            "version": 1,
            "currency": "EUR",
            "features": features,
            "constraints": [{"id": "group", "require": group}],
        }
    )


def shown_in(message: Said, language: str) -> str:
    """The engine message as the pages write it for a reader of `language`."""
    return phrase_text(catalogs.engine_text(message), language)


def english_words(message: Said) -> set[str]:
    """The words of the message's English templates (its own and those of the messages inside it)."""
    words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"%\(\w+\)s", "", message.code)))
    for value in message.params.values():
        if isinstance(value, Said):
            words |= english_words(value)
    return {word.lower() for word in words}


def english_left(message: Said, language: str, *, alike: frozenset[str] = frozenset()) -> set[str]:
    """The words of the message's English templates that the reader's text still has, but for
    `alike` (lower case: units, signals and solvers named the same in every language)."""
    shown = {word.lower() for word in re.findall(r"[A-Za-z]{3,}", shown_in(message, language))}
    return (shown & english_words(message)) - alike
