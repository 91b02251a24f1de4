"""Catalog texts for the workbench tests: the test bike and a draft of it that
changes prices, retires an option, adds one and changes the rules."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from tests.conftest import DATA
from tests.helpers import gen_user

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

BIKE_TEXT = (DATA / "bike.yaml").read_text(encoding="utf-8")

# carbon 640 -> 700; steel retired; a kickstand added; the pallet rule dropped;
# a new rule: no rack on a carbon frame.
DRAFT_TEXT = (
    BIKE_TEXT.replace("version: 1", "version: 2")
    .replace("{id: carbon, name: Carbon, price: 640.00}", "{id: carbon, name: Carbon, price: 700.00}")
    .replace("      - {id: steel, name: Steel, price: 80.00}\n", "")
    .replace("      - {id: lights, name: Lights, price: 40.00}\n",
             "      - {id: lights, name: Lights, price: 40.00}\n"
             "      - {id: kickstand, name: Kickstand, price: 12.00}\n")
    .replace("  - id: courier-no-pallet\n    require: not (delivery == courier and packaging == pallet)\n"
             "    message: Couriers do not take pallets.\n", "")
    + "  - id: no-rack-on-carbon\n    forbid: frame == carbon and extras in [rack]\n"
    "    message: Carbon frames take no rack.\n"
)


def line_of(text: str, fragment: str) -> int:
    """The 1-based number of the first line of `text` containing `fragment`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def gen_catalog_manager(session, email: str = "catalogs@shop.example"):
    """A catalog manager: edits drafts and releases them."""
    return gen_user(session, email, role="catalog_manager", name="Cat Manager")


def count_rows(session, model) -> int:
    """How many rows a table has."""
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def gen_large_draft(min_chars: int) -> str:
    """The test bike with change notes as YAML comments until it is at least `min_chars` long.

    Bigger than the 2 MiB drafts were limited to, yet quick to check: the size is what is tested.
    """
    note = "# 2026-12-07 change note {:06d}: frame, brakes and extras reviewed with the supplier's price list\n"
    notes = []
    size = len(BIKE_TEXT)
    while size < min_chars:
        notes.append(note.format(len(notes)))
        size += len(notes[-1])
    return BIKE_TEXT + "".join(notes)
