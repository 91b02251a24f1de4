"""Service bundles by tier and segment: what a customer gets because of who they are.

The demo catalogs write them as rules on `customer.tier` and
`customer.segment` ("white-glove delivery is a benefit for Gold and Platinum
members", "on-site service contracts are for business accounts"). A
customer's *benefits* in a product line are the options possible for them
but impossible for a standard customer (no tier, a private customer, same
country), each with the rules that keep it from a standard customer, as the
engine explains them (exact: two `domains` on the empty selection and one
`explain` per benefit, kept per catalog version and customer facts).

The configurator marks those options ("Included for you: …"); staff see every
customer's benefits on the customer's insights page.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from configurator.engine import Catalog
from configurator.services import catalogs
from configurator.services.configuring.page import ConfiguratorState
from configurator.services.configuring.wording import Wording
from configurator.store.models import User

STANDARD = {"segment": "consumer", "business": "no"}  # and no tier
_CACHE_SIZE = 256
_lock = threading.Lock()
_cache: dict[tuple, list[Benefit]] = {}


@dataclass(frozen=True)
class Benefit:
    """One option this customer may have and a standard customer may not, and why."""

    catalog_id: str
    catalog_name: str
    feature: str
    feature_name: str
    option: str
    option_name: str
    price: Decimal
    because: list[str]  # the rules' messages, in the page's language
    currency: str = "EUR"  # the catalog's: the price is in it


def standard_facts(facts: dict[str, str]) -> dict[str, str]:
    """A standard customer of the same country: no tier, private."""
    return {key: value for key, value in facts.items() if key == "country"} | STANDARD


def benefits(catalog: Catalog, facts: dict[str, str], language: str | None = None) -> list[Benefit]:
    """The options `facts` open up in this catalog beyond a standard customer's."""
    standard = standard_facts(facts)
    if {k: v for k, v in facts.items() if v} == standard:
        return []
    key = (catalog.fingerprint, tuple(sorted(facts.items())), language)
    with _lock:
        if key in _cache:
            return _cache[key]
    found = _benefits(catalog, facts, standard, language)
    with _lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = found
    return found


def _benefits(
    catalog: Catalog, facts: dict[str, str], standard: dict[str, str], language: str | None
) -> list[Benefit]:
    mine = catalog.domains({}, customer=facts)
    theirs = catalog.domains({}, customer=standard)
    if not mine.consistent:
        return []
    wording = Wording(catalog, language)
    model = catalog.model
    found = []
    for feature in model.features:
        extra = set(mine.domains.get(feature.id, [])) - set(theirs.domains.get(feature.id, []))
        for option in feature.options:
            if option.id not in extra:
                continue
            explanation = catalog.explain(feature.id, option.id, {}, customer=standard)
            found.append(Benefit(
                model.id, wording.catalog_name(),
                feature.id, wording.feature(feature.id), option.id,
                wording.option(feature.id, option.id), option.price,
                [wording.message(constraint) for constraint in explanation.constraints],
                model.currency,
            ))
    return found


def attach(state: ConfiguratorState, found: list[Benefit]) -> ConfiguratorState:
    """Mark the page's options that are this customer's benefits."""
    by_option = {(b.feature, b.option): b for b in found}
    for _dimension, _name, features in state.dimensions:
        for feature in features:
            for option in feature.options:
                benefit = by_option.get((feature.id, option.id))
                if benefit is not None:
                    option.benefit = " ".join(benefit.because)
    return state


def for_customer(session: Session, customer: User, language: str | None = None) -> list[Benefit]:
    """Every product line's benefits of this customer (staff's view of an account)."""
    found = []
    for version in catalogs.current_versions(session):
        found += benefits(catalogs.engine_catalog(version), customer.facts(), language)
    return found
