"""Product lines and the configurator's answers for a selection.

The answers come from the engine's Catalog API, as on the configurator page,
for the token user's customer facts (segment, country, tier).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from configurator.engine import Catalog, Explanation, SelectionError
from configurator.services import catalogs, configuring
from configurator.store.models import User
from configurator.web.api import schemas
from configurator.web.api.lists import positional_page
from configurator.web.api.operations import operation
from configurator.web.api.problems import ApiProblem
from configurator.web.database import db
from configurator.web.i18n import error_text

TAG = "Catalogs"
READ = "catalog:read"


@operation("/catalogs", "GET", scope=READ, tag=TAG, query=schemas.PageQuerySchema,
           response=schemas.CatalogPageSchema)
def list_catalogs(user: User, query: dict[str, Any]) -> dict[str, Any]:
    """List the product lines with their current versions.

    Ordered by name; paged with `limit` and the `cursor` of the `next` link.
    """
    return positional_page(catalogs.current_versions(db.session), query, "api.list_catalogs")


@operation("/catalogs/<catalog_id>", "GET", scope=READ, tag=TAG, response=schemas.CatalogSchema)
def get_catalog(user: User, catalog_id: str) -> dict[str, Any]:
    """Get a product line: versions, and features with options by dimension."""
    version = catalogs.current(db.session, catalog_id)
    model = catalogs.engine_catalog(version).model
    return {
        "catalog_id": version.catalog_id,
        "name": version.name,
        "currency": version.currency,
        "number": version.number,
        "declared_version": version.declared_version,
        "loaded_at": version.loaded_at,
        "description": model.description or "",
        "versions": catalogs.versions(db.session, catalog_id),
        "dimensions": [
            {"id": key, "name": name, "features": features}
            for key, name, features in configuring.page.by_dimension(
                (feature.dimension, feature) for feature in model.features
            )
        ],
    }


@operation("/catalogs/<catalog_id>/domains", "POST", scope=READ, tag=TAG,
           body=schemas.SelectionRequestSchema, response=schemas.DomainsSchema)
def domains(user: User, catalog_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Compute what is still possible after a selection.

    For every feature, exactly the options some complete valid configuration
    still picks; whether the selection is complete; its price so far; and, when
    the picks contradict each other, a minimal reason.
    """
    catalog = _catalog(catalog_id)
    with _selection_errors():
        state = catalog.domains(body["selection"], customer=user.facts())
        price = catalog.price(body["selection"])
    return {
        "consistent": state.consistent,
        "complete": state.complete,
        "domains": state.domains,
        "may_be_empty": state.may_be_empty,
        "conflict": _reason(state.conflict) if not state.consistent else None,
        "price": price,
    }


@operation("/catalogs/<catalog_id>/explain", "POST", scope=READ, tag=TAG,
           body=schemas.OptionQuestionSchema, response=schemas.ExplanationSchema)
def explain(user: User, catalog_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Explain why an option is impossible with a selection.

    The reason is minimal: leaving out any one of its rules or picks makes the
    option possible again. `possible` is true (and `reason` null) when nothing
    rules it out.
    """
    catalog = _catalog(catalog_id)
    feature, option = body["option"]["feature"], body["option"]["option"]
    with _selection_errors():
        explanation = catalog.explain(feature, option, body["selection"], customer=user.facts())
    return {
        "option": body["option"],
        "possible": explanation.possible,
        "reason": None if explanation.possible else _reason(explanation),
    }


@operation("/catalogs/<catalog_id>/repair", "POST", scope=READ, tag=TAG,
           body=schemas.OptionQuestionSchema, response=schemas.RepairSchema)
def repair(user: User, catalog_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Find the smallest change of picks that makes an option possible.

    Among changes of that size, the one whose cheapest completion costs least;
    with the new selection and the price difference.
    """
    catalog = _catalog(catalog_id)
    feature, option = body["option"]["feature"], body["option"]["option"]
    with _selection_errors():
        found = catalog.repair(feature, option, body["selection"], customer=user.facts())
    if found is None:
        return {"option": body["option"], "available": False, "changes": [],
                "selection": None, "price_before": None, "price_after": None,
                "price_delta": None}
    return {
        "option": body["option"],
        "available": True,
        "changes": found.changes,
        "selection": found.selection,
        "price_before": found.price_before,
        "price_after": found.price_after,
        "price_delta": found.price_delta,
    }


@operation("/catalogs/<catalog_id>/complete", "POST", scope=READ, tag=TAG,
           body=schemas.SelectionRequestSchema, response=schemas.CompletionSchema)
def complete(user: User, catalog_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Complete a selection at the lowest price.

    The cheapest complete valid configuration that keeps every pick, or the
    minimal reason why the picks cannot be completed.
    """
    catalog = _catalog(catalog_id)
    with _selection_errors():
        done = catalog.complete(body["selection"], customer=user.facts())
    if not done.consistent:
        return {"consistent": False, "selection": None, "price": None,
                "conflict": _reason(done.conflict)}
    return {
        "consistent": True,
        "selection": done.selections,
        "price": catalog.price(done.selections),
        "conflict": None,
    }


@operation("/catalogs/<catalog_id>/price", "POST", scope=READ, tag=TAG,
           body=schemas.SelectionRequestSchema, response=schemas.PriceSchema)
def price(user: User, catalog_id: str, body: dict[str, Any]) -> Any:
    """Price a selection: the list price of each picked option and the total."""
    catalog = _catalog(catalog_id)
    with _selection_errors():
        return catalog.price(body["selection"])


# ------------------------------------------------------------------ helpers


def _catalog(catalog_id: str) -> Catalog:
    return catalogs.engine_catalog(catalogs.current(db.session, catalog_id))


@contextmanager
def _selection_errors() -> Iterator[None]:
    """Turn the engine's unknown-feature/option errors into a 422 problem."""
    try:
        yield
    except SelectionError as error:
        raise ApiProblem(
            422,
            f"The selection does not fit this product line: {error}.",
            kind="invalid-selection",
            errors={"selection": [error_text(error)]},
        ) from error


def _reason(explanation: Explanation | None) -> dict[str, Any]:
    if explanation is None:
        return {"rules": [], "picks": []}
    return {
        "rules": [rule.describe() for rule in explanation.constraints],
        "picks": [{"feature": f, "option": o} for f, o in explanation.selections],
    }
