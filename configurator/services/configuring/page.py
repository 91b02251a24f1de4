"""Everything the configurator page shows for one selection: per feature and
dimension its options, which are still possible, why the others are not and
the one-click repair, and the running price. Pure functions over an engine
`Catalog` (no database); the picks themselves are in `selection`, the
buttons in `actions`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from configurator.engine import Catalog, SelectionError
from configurator.services import deliveries
from configurator.services.configuring import repairs
from configurator.services.configuring.selection import Selection, clean_selection, pairs
from configurator.services.configuring.wording import Wording

T = TypeVar("T")

DIMENSION_NAMES = {
    "product": "Product",
    "packaging": "Packaging",
    "delivery": "Delivery",
    "billing": "Billing",
}
# Explaining a disabled option takes SAT calls over every rule of the catalog:
# tens of milliseconds on the demo catalogs (60 options), ~130 ms each on the
# big Renault catalog (1,095 options), whose SAT encoding also takes seconds
# to build on first use. Above this many options, explanations wait for the
# customer's "Why not possible?" button, however few options are disabled.
EAGER_MAX_OPTIONS = 200


@dataclass
class Why:
    """Why an option is disabled: the rules and the customer's own picks."""

    rules: list[str]
    picks: list[str]


@dataclass
class RepairOffer:
    """One click that makes a disabled option possible, and what it changes."""

    feature: str
    option: str
    label: str
    changes: list[str]
    price_delta: Decimal
    spoken: str = ""  # the button's accessible name


@dataclass
class OptionView:
    """An option as the page shows it."""

    id: str
    name: str
    price: Decimal
    selected: bool
    possible: bool
    suggested: bool = False
    usual: bool = False
    why: Why | None = None
    repair: RepairOffer | None = None
    unavailable: bool = False  # impossible for this customer whatever they pick
    benefit: str | None = None  # theirs by tier or segment: the rule that says so


@dataclass
class FeatureView:
    """A feature with its options, in the order the page lists them."""

    id: str
    name: str
    kind: str
    min: int
    max: int
    description: str
    options: list[OptionView]
    may_be_empty: bool
    # A suggestion for this feature (e.g. the customer's usual pick); the
    # template shows it when set. Part of `digest`, like every field.
    suggestion: Any = None

    @property
    def digest(self) -> str:
        """A short fingerprint of everything the page shows for this feature.

        The page keeps it next to the feature, so a pick's response can leave
        out the features whose fingerprint the browser already has. It is
        taken over every field of the view and of its options, so a field
        added later counts too (plain value tuples: a dataclass's own repr is
        several times slower, and the big catalogs have a thousand options).
        """
        fields = {key: value for key, value in vars(self).items() if key != "options"}
        options = [tuple(vars(option).values()) for option in self.options]
        text = repr((fields, options))
        return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()

    @property
    def chosen(self) -> list[OptionView]:
        """The options currently picked."""
        return [option for option in self.options if option.selected]

    @property
    def is_multi(self) -> bool:
        """Multi-select features render as checkboxes."""
        return self.kind == "multi"


@dataclass
class PriceLineView:
    """One line of the running price."""

    feature: str
    option: str
    name: str
    amount: Decimal
    recurring: str | None = None  # None: paid once; "per_delivery" or "per_month"


@dataclass
class ConfiguratorState:
    """Everything the configurator page or fragment renders."""

    catalog_id: str
    catalog_name: str
    currency: str
    selection: Selection
    consistent: bool
    complete: bool
    dimensions: list[tuple[str, str, list[FeatureView]]]
    lines: list[PriceLineView]
    total: Decimal
    conflict: Why | None = None
    problems: list[str] = field(default_factory=list)
    notice: str | None = None
    missing: list[str] = field(default_factory=list)
    has_usual: bool = False
    lazy_explanations: bool = False
    # Today's total apart from what is paid again (a subscription), else None.
    recurring: deliveries.Recurrence | None = None

    def chosen_names(self, dimension: str) -> list[str]:
        """The names of the picked options of one dimension, in page order
        (the picture's alt text names the product's picks)."""
        return [
            option.name
            for dimension_id, _name, features in self.dimensions
            if dimension_id == dimension
            for feature in features
            for option in feature.chosen
        ]

    def disabled_keys(self) -> list[str]:
        """`feature=option` of every option that cannot be picked now; the page
        posts them back (`was_disabled`), so the next answer can say what changed."""
        return [
            f"{feature.id}={option.id}"
            for _dimension, _name, features in self.dimensions
            for feature in features
            for option in feature.options
            if not option.possible
        ]


@dataclass(frozen=True)
class Announcement:
    """What a screen reader is told after a pick: the new total and how many
    options the pick made impossible (or possible again)."""

    no_longer_possible: int
    possible_again: int


# A posted list of disabled options longer than this is not read (a tampered form).
MAX_WAS_DISABLED = 200_000


def announcement(state: ConfiguratorState, was_disabled: str | None) -> Announcement:
    """Compare the options disabled now with those the page showed disabled
    before the pick (`was_disabled`, space-separated `feature=option`; None or
    unreadable: nothing to compare, so only the total is said)."""
    if was_disabled is None or len(was_disabled) > MAX_WAS_DISABLED:
        return Announcement(0, 0)
    before = set(was_disabled.split())
    now = set(state.disabled_keys())
    return Announcement(len(now - before), len(before - now))


def evaluate(
    catalog: Catalog,
    selection: Selection,
    customer: Mapping[str, str] | None = None,
    *,
    usual: Mapping[str, list[str]] | None = None,
    explain: tuple[str, str] | None = None,
    eager_limit: int = 40,
    eager_max_options: int = EAGER_MAX_OPTIONS,
    problems: list[str] | None = None,
    notice: str | None = None,
    language: str | None = None,
) -> ConfiguratorState:
    """Domains, price, explanations and repair offers for one selection, with
    names, messages and repairs in `language` (default: the catalog's own).

    Explanations and repairs are computed for every disabled option when there
    are at most `eager_limit` of them and the catalog has at most
    `eager_max_options` options; otherwise only for `explain` (the option
    whose "Why?" was asked).
    """
    customer = dict(customer or {})
    usual = usual or {}
    model = catalog.model
    wording = Wording(catalog, language)
    # What each feature could be switched to: its domain with its own pick left
    # out (with the pick in, a single-choice feature's domain is just that pick).
    # The engine answers that for every pick in the same pass as the domains.
    state = catalog.domains(selection, customer=customer, alternatives=True)
    breakdown = catalog.price(selection)
    picked = set(pairs(selection))
    alternatives = {
        feature.id: set(state.alternatives.get(feature.id, state.domains.get(feature.id, [])))
        for feature in model.features
    }
    disabled = [
        (feature.id, option.id)
        for feature in model.features
        for option in feature.options
        if state.consistent
        and option.id not in alternatives[feature.id]
        and (feature.id, option.id) not in picked
    ]
    option_count = sum(len(feature.options) for feature in model.features)
    lazy = len(disabled) > eager_limit or option_count > eager_max_options
    to_explain = set() if lazy else set(disabled)
    if explain is not None and explain in disabled:
        to_explain.add(explain)

    views: list[tuple[str, FeatureView]] = []
    for feature in model.features:
        domain = alternatives[feature.id]
        options = []
        for option in feature.options:
            selected = (feature.id, option.id) in picked
            view = OptionView(
                id=option.id,
                name=wording.option(feature.id, option.id),
                price=option.price,
                selected=selected,
                possible=selected or not state.consistent or option.id in domain,
                suggested=feature.default == option.id,
                usual=option.id in usual.get(feature.id, []),
            )
            if (feature.id, option.id) in to_explain:
                _explain_option(catalog, wording, view, feature, selection, customer)
            options.append(view)
        # Catalog order on every page (shop, saved configuration, quote line): options
        # the customer chose before are marked, never moved, so the same option is
        # in the same place wherever the customer meets it (issue 14, item 12).
        views.append((
            feature.dimension,
            FeatureView(
                id=feature.id,
                name=wording.feature(feature.id),
                kind=feature.choose_kind,
                min=feature.min,
                max=feature.max,
                description=wording.description(feature.id, getattr(feature, "description", "") or ""),
                options=options,
                may_be_empty=feature.id in state.may_be_empty,
            ),
        ))

    conflict = None
    if not state.consistent and state.conflict is not None:
        conflict = _why(wording, state.conflict)
    missing = []
    if state.consistent and not state.complete:
        for feature in model.features:
            count = (
                len(pairs({feature.id: selection[feature.id]})) if feature.id in selection else 0
            )
            if count < feature.min:
                missing.append(wording.feature(feature.id))
    return ConfiguratorState(
        catalog_id=model.id,
        catalog_name=wording.catalog_name(),
        currency=model.currency,
        selection=selection,
        consistent=state.consistent,
        complete=state.complete,
        dimensions=by_dimension(views),
        lines=[
            PriceLineView(line.feature, line.option, wording.line(line), line.amount, line.recurring)
            for line in breakdown.lines
        ],
        recurring=(
            deliveries.recurrence(catalog, selection, name=wording.option) if breakdown.recurs else None
        ),
        total=breakdown.total,
        conflict=conflict,
        problems=list(problems or []),
        notice=notice,
        missing=missing,
        has_usual=any(usual.values()),
        lazy_explanations=lazy,
    )


def _explain_option(
    catalog: Catalog,
    wording: Wording,
    view: OptionView,
    feature: Any,
    selection: Selection,
    customer: dict[str, str],
) -> None:
    feature_id = feature.id
    # For a single-choice feature the question is "why can I not switch to it?":
    # its own current pick is no reason.
    others = selection
    if feature.choose_kind != "multi":
        others = {key: value for key, value in selection.items() if key != feature_id}
    explanation = catalog.explain(feature_id, view.id, others, customer=customer)
    if explanation.possible:
        return
    view.why = _why(wording, explanation)
    _ = wording._
    if not view.why.rules and feature.choose_kind == "multi":
        # No rule of the catalog: the feature's own limit is what is full.
        view.why.rules = [_("%(feature)s takes at most %(count)s options.",
                            feature=wording.feature(feature_id), count=wording.number(feature.max))]
    repair = repairs.repair(catalog, feature_id, view.id, selection, customer)
    if repair is None:
        view.unavailable = True
        return
    phrased = [(change.feature, _change_phrase(catalog, wording, change, feature_id, view.id))
               for change in repair.changes]
    phrased = [(feature, phrase) for feature, phrase in phrased if phrase]
    changes = [phrase for _feature, phrase in phrased]
    delta = repair.price_delta
    # The label already says "pick <option>" first: the spoken name must not say it twice.
    picks_only = not phrased or phrased[0][0] == feature_id
    label = _("; ").join(changes) if changes else _("pick %(option)s", option=view.name)
    label = _("%(changes)s, %(price)s", changes=label[0].upper() + label[1:], price=wording.signed(delta))
    # Screen readers hear which option the button picks, once.
    spoken = label if picks_only else _("Pick %(option)s: %(repair)s", option=view.name, repair=label)
    view.repair = RepairOffer(feature_id, view.id, label, changes, delta, spoken)


def _change_phrase(
    catalog: Catalog, wording: Wording, change: Any, feature_id: str, option_id: str
) -> str:
    """What a repair does to one feature, in words; "" for just the wanted pick.

    A pick in a full multi-select feature gives up another pick of the same
    feature: that is said too ("pick Front basket, also removes Rear rack"),
    so that nothing disappears unannounced.
    """
    if change.feature == feature_id:
        if not catalog.model.feature(feature_id).multi:
            return ""  # switching a single choice is what the customer asked for
        dropped = [option for option in change.before if option not in change.after]
        dropped = [option for option in dropped if option != option_id]
        if not dropped:
            return ""
        names = wording.join([wording.option(feature_id, option) for option in dropped])
        return wording._("pick %(option)s, also removes %(names)s",
                         option=wording.option(feature_id, option_id), names=names)
    changed = wording.feature(change.feature).lower()
    after = [wording.option(change.feature, option) for option in change.after]
    if after:
        return wording._("switch %(feature)s to %(options)s", feature=changed, options=wording.join(after))
    return wording._("remove %(feature)s", feature=changed)


def _why(wording: Wording, explanation: Any) -> Why:
    rules = [wording.message(constraint) for constraint in explanation.constraints]
    picks = [
        f"{wording.feature(feature)}: {wording.option(feature, option)}"
        for feature, option in explanation.selections
    ]
    return Why(rules=rules, picks=picks)


def evaluate_lenient(
    catalog: Catalog,
    selection: Selection,
    customer: Mapping[str, str] | None = None,
    *,
    problems: list[str] | None = None,
    **options: Any,
) -> ConfiguratorState:
    """`evaluate` for a selection that may name what the catalog does not have (a
    stored selection from an older version, a tampered form): those picks are left
    out and said in the page's problems instead of failing the page."""
    try:
        return evaluate(catalog, selection, customer, problems=problems, **options)
    except SelectionError as error:
        cleaned, more = clean_selection(catalog, selection)
        problems = [*(problems or []), *more, str(error)]
        return evaluate(catalog, cleaned, customer, problems=problems, **options)


def by_dimension(items: Iterable[tuple[str, T]]) -> list[tuple[str, str, list[T]]]:
    """(dimension id, dimension name, items) from (dimension id, item) pairs: the
    known dimensions in the page's order (product, packaging, delivery, billing),
    then any other in the order met; items keep their order."""
    grouped: dict[str, list[T]] = {}
    for dimension, item in items:
        grouped.setdefault(dimension, []).append(item)
    order = list(DIMENSION_NAMES)
    ranked = sorted(grouped, key=lambda key: order.index(key) if key in order else len(order))
    return [(key, dimension_name(key), grouped[key]) for key in ranked]


def dimension_name(dimension: str) -> str:
    """A dimension's heading: "Delivery" for `delivery`."""
    return DIMENSION_NAMES.get(dimension, dimension.title())

