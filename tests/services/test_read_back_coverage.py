"""Every use case has a test that reads its result back through a second
session (`tests/services/read_back.py`): a new use case without one fails here."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import configurator.services
from configurator.services.unit_of_work import USE_CASES
from tests.services.read_back import COVERED


def public_use_cases() -> set[str]:
    """Every `@use_case` of the services; private ones are steps of a public one."""
    for module in pkgutil.walk_packages(configurator.services.__path__, "configurator.services."):
        importlib.import_module(module.name)
    return {
        name
        for name in USE_CASES
        if name.startswith("configurator.services.") and not name.rsplit(".", 1)[1].startswith("_")
    }


def test_every_use_case_is_read_back_through_a_second_session():
    for path in Path(__file__).parent.glob("test_read_back_*.py"):
        importlib.import_module(f"tests.services.{path.stem}")
    missing = sorted(public_use_cases() - COVERED)
    assert missing == [], f"use cases without a read-back test: {missing}"


def test_the_use_cases_are_found():
    found = public_use_cases()
    assert "configurator.services.orders.place" in found
    assert len(found) > 40
