"""Small catalogs with dense sum() rules, whose running totals outgrow the tree's and the layers' budgets
once a test lowers them (test_backend_memo.py, tests/services/test_draft_backend_choice.py)."""

from __future__ import annotations

import json


def dense_sums(limit: int = 9) -> str:
    """Five parts with weight and power, two sum() rules and no price() rule (a small dense-sum catalog)."""
    features = [
        {
            "id": f"f{i}",
            "name": f"F{i}",
            "dimension": "product",
            "choose": "one",
            "options": [
                {
                    "id": f"o{j}",
                    "name": f"O{j}",
                    "price": 10 * i + j,
                    "attributes": {"weight": (i + j) % 4, "power": (2 * i + j) % 3},
                }
                for j in range(3)
            ],
        }
        for i in range(5)
    ]
    rules = [
        {"id": "weight", "require": f"sum(weight) <= {limit}"},
        {"id": "power", "if": "f0 == o2", "then": "sum(power) <= 4"},
    ]
    return json.dumps(
        {
            "catalog": "dense",
            "name": "Dense",
            "version": 1,
            "currency": "EUR",
            "features": features,
            "constraints": rules,
        }
    )


TEXT = dense_sums()
# The edits of a working day: a name, a price (no rule reads prices) and a message. The same shape.
RENAMED = (
    TEXT.replace('"name": "O1"', '"name": "Option one"')
    .replace('"price": 11', '"price": 19')
    .replace('"id": "power", "if"', '"id": "power", "message": "Too much power.", "if"')
)
# The power rule removed: the weight's running total alone fits the lowered budgets.
WITHOUT_POWER = json.dumps({**json.loads(TEXT), "constraints": json.loads(TEXT)["constraints"][:1]})
