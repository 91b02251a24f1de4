"""The README's catalog tutorial must stay true: its example loads and behaves as the text says."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from configurator.engine import Catalog

README = Path(__file__).resolve().parents[1] / "README.md"


def tutorial_catalog() -> Catalog:
    """The first two YAML blocks of the README, joined: features, then rules."""
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(), flags=re.DOTALL)
    return Catalog.from_text(blocks[0] + blocks[1], "README.md")


def test_tutorial_catalog_is_usable():
    report = tutorial_catalog().check()
    assert report.usable and report.dead_options == []


def test_tutorial_rules_do_what_the_text_says():
    catalog = tutorial_catalog()
    assert catalog.domains({"frame": "carbon"}).domains["brakes"] == ["disc_hydraulic"]
    # alu 1800 g + disc 500 g is over the courier's 2 kg; carbon 950 g + disc 500 g is not.
    assert catalog.domains({"frame": "alu", "brakes": "disc_hydraulic"}).domains["delivery"] == ["freight"]
    assert catalog.domains({}, customer={}).domains["billing"] == ["card"]
    assert catalog.domains({}, customer={"segment": "business"}).domains["billing"] == ["card", "invoice_60"]
    assert catalog.complete({"frame": "carbon"}).price == Decimal("745.00")
