"""Explanations are cached per catalog: same question, same answer, no second
SAT call; a different customer or selection is a different question."""

from __future__ import annotations

from configurator.config import REPO_ROOT
from configurator.engine import Catalog

CITY_BIKE = REPO_ROOT / "catalog" / "city-bike.yaml"


def test_a_repeated_question_is_answered_from_the_cache(monkeypatch):
    catalog = Catalog.from_path(CITY_BIKE)
    first = catalog.explain("delivery", "white_glove")
    assert not first.possible
    calls = []
    monkeypatch.setattr(catalog, "_minimal_reason", lambda *a: calls.append(a) or ([], []))
    assert catalog.explain("delivery", "white_glove", {}, {}) is first
    assert calls == []


def test_the_customer_is_part_of_the_question():
    catalog = Catalog.from_path(CITY_BIKE)
    assert not catalog.explain("delivery", "white_glove").possible
    gold = {"tier": "gold", "segment": "consumer", "country": "de", "business": "no"}
    assert catalog.explain("delivery", "white_glove", customer=gold).possible
    assert not catalog.explain("delivery", "white_glove", customer={}).possible
