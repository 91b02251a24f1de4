"""Personal suggestions in the configurator, and "same as last time".

Suggestions come from the engine's recommender (`engine/recommend.py`),
trained on every customer's orders and saved configurations of the product
line, with this customer's own history passed fresh on every request: for
the next open features, the option this customer most likely wants among the
options still possible, with the reason ("Your usual", "Most chosen with
Frame: Carbon sport"). Only two reasons count (issue 14, item 7): the
customer's own earlier picks of that feature, or other customers' choices
given the same picks in features a rule ties to it (`engine.graph.related_features`);
a suggestion that is merely popular is not shown.

Cost: the trained recommender is kept in-process per catalog version and
retrained when it is older than RETRAIN_AFTER, so a request pays two small
queries for the customer's own history, one domains call and about a
millisecond per suggested feature. Other customers' newest orders reach the
suggestions within RETRAIN_AFTER; the customer's own at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.engine import Catalog
from configurator.engine.graph import related_features
from configurator.engine.recommend import PastConfiguration, Recommendation, Recommender
from configurator.engine.results import State
from configurator.quoting.phrases import N_, Phrase
from configurator.services import catalogs
from configurator.services.configuring.page import ConfiguratorState
from configurator.services.configuring.selection import Selection
from configurator.services.configuring.wording import Wording, phrase_text
from configurator.services.privacy import consent
from configurator.store.models import (
    Configuration,
    Order,
    Revision,
    User,
    snapshot_configurations,
    snapshot_items,
)

ORDER_WEIGHT = 3.0  # an order is what the customer really wanted; a saved one may be a try
OWN_HISTORY = 50  # newest configurations and orders of the customer that speak
NEXT_FEATURES = 3  # open features that get a suggestion
RETRAIN_AFTER = 300.0  # seconds
_CACHE_SIZE = 16


@dataclass(frozen=True)
class Suggestion:
    """The option suggested for a feature (None: leave it empty) and why."""

    feature: str
    option: str | None
    option_name: str
    reason: str
    source: str  # "own", "similar" or "popular"


@dataclass(frozen=True)
class LastTime:
    """The customer's newest order or configuration of a product line."""

    kind: str  # "order" or "configuration"
    reference: str  # order number or configuration id
    label: str
    at: datetime
    item: int | None = None  # of a cart order: which of its items (`orders.items_of`)


@dataclass
class _Trained:
    recommender: Recommender
    built: float


_models: dict[str, _Trained] = {}
_lock = threading.Lock()


def recommender(session: Session, catalog: Catalog, *, now: float | None = None) -> Recommender:
    """The recommender of this catalog version, trained on every customer's history."""
    key = catalog.fingerprint
    now = time.monotonic() if now is None else now
    with _lock:
        trained = _models.get(key)
        if trained is not None and now - trained.built < RETRAIN_AFTER:
            return trained.recommender
    model = Recommender.for_catalog(catalog, training_rows(session, catalog.model.id))
    with _lock:
        _models[key] = _Trained(model, now)
        while len(_models) > _CACHE_SIZE:
            _models.pop(next(iter(_models)))
    return model


def forget_trained() -> None:
    """Drop every trained recommender (tests, or after loading much history)."""
    with _lock:
        _models.clear()


def training_rows(
    session: Session, catalog_id: str, owner_id: int | None = None, limit: int | None = None
) -> list[PastConfiguration]:
    """Orders (weight 3) and newest revisions of configurations (weight 1) of a product line.

    With `owner_id`, only that customer's, newest first, at most `limit` of each.
    """
    # Every item counts: a cart order's items of this line, whatever its first item is.
    orders = (
        sa.select(Order.owner_id, Order.snapshot)
        .where(catalogs.orders_may_hold(catalog_id))
        .order_by(Order.created_at.desc())
    )
    saved = (
        sa.select(Configuration.owner_id, Revision.selection)
        .join(
            Revision,
            sa.and_(
                Revision.configuration_id == Configuration.id,
                Revision.number == Configuration.revision_count,
            ),
        )
        .where(Configuration.catalog_id == catalog_id)
        .order_by(Configuration.updated_at.desc())
    )
    # Customers who refused personalization do not shape anyone's suggestions either.
    refusing = consent.refusing("personalization")
    orders = orders.where(Order.owner_id.not_in(refusing))
    saved = saved.where(Configuration.owner_id.not_in(refusing))
    if owner_id is not None:
        orders = orders.where(Order.owner_id == owner_id).limit(limit)
        saved = saved.where(Configuration.owner_id == owner_id).limit(limit)
    rows = [
        PastConfiguration(item["selection"], ORDER_WEIGHT, str(owner))
        for owner, snapshot in session.execute(orders)
        # An order from the cart or a quote holds several, each of its own product line.
        for item in snapshot_configurations(snapshot)
        if item.get("selection") and item["catalog"]["id"] == catalog_id
    ]
    rows += [
        PastConfiguration(selection, 1.0, str(owner))
        for owner, selection in session.execute(saved)
        if selection
    ]
    return rows


def suggest(
    session: Session,
    customer: User | None,
    catalog: Catalog,
    selection: Selection,
    facts: dict[str, str] | None = None,
    *,
    k: int = NEXT_FEATURES,
    language: str | None = None,
) -> dict[str, Suggestion]:
    """Suggestions for the next `k` open features, by feature id (guests: everyone's
    history), with the option's name and the reason in `language` (the catalog's own
    when None)."""
    state = catalog.domains(selection, customer=facts)
    return _suggest(session, customer, catalog, state, k, language)


def suggest_on_page(
    session: Session,
    customer: User | None,
    catalog: Catalog,
    page: ConfiguratorState,
    *,
    k: int = NEXT_FEATURES,
    language: str | None = None,
) -> dict[str, Suggestion]:
    """`suggest` for a configurator page already evaluated: its domains are reused,
    which saves the engine call (tens of milliseconds on the demo city bike)."""
    if not page.consistent:
        return {}
    views = [view for _, _, features in page.dimensions for view in features]
    state = State(
        consistent=True,
        complete=page.complete,
        # For a feature nothing is picked in, "possible" on the page is its exact domain.
        domains={v.id: [o.id for o in v.options if o.possible] for v in views},
        may_be_empty=[v.id for v in views if v.may_be_empty],
        selection=page.selection,
    )
    return _suggest(session, customer, catalog, state, k, language)


def _suggest(
    session: Session, customer: User | None, catalog: Catalog, state: State, k: int,
    language: str | None = None,
) -> dict[str, Suggestion]:
    """As `engine.recommend.recommend_next`, on a state the caller already has."""
    if not state.consistent:
        return {}
    own: list[PastConfiguration] = []
    if customer is not None and consent.allows(session, customer, "personalization"):
        own = training_rows(session, catalog.model.id, customer.id, OWN_HISTORY)
    model = recommender(session, catalog)
    related = _related_features(catalog)
    found: dict[str, Suggestion] = {}
    for feature in catalog.model.features:
        if len(found) == k:
            break
        choices = len(state.domains.get(feature.id, ())) + (feature.id in state.may_be_empty)
        if feature.id in state.selection or choices < 2:
            continue  # picked already, or no real choice left
        # Only picks a rule ties to this feature may speak for it: "most chosen with
        # Brakes: V-brakes" for a frame size (no rule between them) is no reason.
        evidence = {
            picked: value for picked, value in state.selection.items() if picked in related[feature.id]
        }
        suggestion = model.recommend(feature.id, evidence, state, None, own, explain_popular=True)
        # The customer's own history of this feature, or customers who made the
        # same related picks: plain popularity is no reason a person accepts.
        if suggestion is not None and suggestion.source != "popular":
            found[feature.id] = _suggestion(catalog, suggestion, language)
    return found


_related: dict[str, dict[str, set[str]]] = {}


def _related_features(catalog: Catalog) -> dict[str, set[str]]:
    """`engine.graph.related_features` of a catalog version, computed once."""
    key = catalog.fingerprint
    with _lock:
        known = _related.get(key)
    if known is None:
        known = related_features(catalog.model)
        with _lock:
            _related[key] = known
            while len(_related) > _CACHE_SIZE:
                _related.pop(next(iter(_related)))
    return known


def attach(state: ConfiguratorState, suggestions: dict[str, Suggestion]) -> ConfiguratorState:
    """Put each suggestion on its feature of the page (`FeatureView.suggestion`)."""
    for _, _, features in state.dimensions:
        for feature in features:
            feature.suggestion = suggestions.get(feature.id)
    return state


def last_time(session: Session, customer: User, catalog_id: str) -> LastTime | None:
    """The customer's newest order or saved configuration of this product line; of a
    cart order, its last item of the line (`LastTime.item`)."""
    order = _last_order_item(session, customer, catalog_id)
    configuration = session.execute(
        sa.select(Configuration.id, Configuration.name, Configuration.updated_at)
        .where(Configuration.owner_id == customer.id, Configuration.catalog_id == catalog_id)
        .order_by(Configuration.updated_at.desc())
        .limit(1)
    ).first()
    if order is not None and (configuration is None or order.at >= configuration.updated_at):
        return order
    if configuration is not None:
        return LastTime(
            "configuration", str(configuration.id), f"“{configuration.name}”", configuration.updated_at
        )
    return None


def _last_order_item(session: Session, customer: User, catalog_id: str) -> LastTime | None:
    """The newest order holding an item of the line to fill the configurator with.

    A cart order's first item may be of another line (its own catalog version is the
    first item's), so every order that may hold the line is looked at, newest first;
    an order from a quote keeps no picks and is passed over."""
    orders = session.execute(
        sa.select(Order.number, Order.created_at, Order.snapshot)
        .where(Order.owner_id == customer.id, catalogs.orders_may_hold(catalog_id))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(OWN_HISTORY)
    )
    for number, created_at, snapshot in orders:
        items = snapshot_items(snapshot)
        found = [index for index, item in enumerate(items)
                 if (item.get("catalog") or {}).get("id") == catalog_id and item.get("selection")]
        if found:
            item = found[-1] if "items" in snapshot else None
            return LastTime("order", number, f"order {number}", created_at, item)
    return None


def _suggestion(catalog: Catalog, found: Recommendation, language: str | None) -> Suggestion:
    wording = Wording(catalog, language)
    return Suggestion(
        feature=found.feature,
        option=found.option,
        option_name=wording.option(found.feature, found.option) if found.option else "",
        reason=phrase_text(_reason(wording, found), wording.language),
        source=found.source,
    )


def _reason(wording: Wording, found: Recommendation) -> Phrase:
    """"Your usual", or the pick the suggestion goes with most often, in the catalog's
    names of the page's language."""
    if found.source == "own" or found.because is None:
        return N_("Your usual")
    feature, options = found.because
    left_empty = found.option is None
    if not options:
        if left_empty:
            return N_("Most often left empty with no %(feature)s", feature=wording.feature(feature))
        return N_("Most chosen with no %(feature)s", feature=wording.feature(feature))
    pick = f"{wording.feature(feature)}: {wording.join([wording.option(feature, o) for o in options])}"
    if left_empty:
        return N_("Most often left empty with %(pick)s", pick=pick)
    return N_("Most chosen with %(pick)s", pick=pick)
