"""Re-check an old selection against the current catalog: what no longer
fits (retired options, changed rules), what it costs now, and a repair; and
the configurator's starting point from it (a past configuration or order the
shop, the account and a staff quote line start from)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from configurator.engine import Catalog
from configurator.quoting.phrases import N_, CatalogWords
from configurator.services.configuring.selection import Selection, pairs, with_pick


@dataclass
class RecheckLine:
    """One pick of the old selection, seen with today's catalog.

    status: `same`, `price` (price changed), `retired` (option or feature
    gone), `conflict` (rules no longer allow it), `added` (a pick the repair adds).
    """

    feature: str
    feature_name: str
    option: str
    option_name: str
    price_then: Decimal | None
    price_now: Decimal | None
    status: str
    reason: str = ""


@dataclass
class Recheck:
    """The outcome: does the old selection still fit, and if not, the repair."""

    lines: list[RecheckLine]
    total_then: Decimal
    fits: bool
    total_now: Decimal | None = None
    kept: Selection = field(default_factory=dict)
    repaired: Selection | None = None
    repaired_total: Decimal | None = None

    @property
    def problems(self) -> list[RecheckLine]:
        """Lines that no longer fit."""
        return [line for line in self.lines if line.status in ("retired", "conflict")]

    @property
    def starting_selection(self) -> Selection:
        """What the configurator starts from: the old picks while they fit, else the
        repair when there is one, else the picks that still fit (the rest to redo)."""
        if self.fits or self.repaired is None:
            return self.kept
        return self.repaired


@dataclass(frozen=True)
class StartingPoint:
    """A configurator page starting from a past configuration or order."""

    selection: Selection
    notice: str  # what the page says about where it started
    recheck: Recheck
    source_id: int | None = None  # the configuration it came from, if any


def starting_point(result: Recheck, label: str, source_id: int | None = None) -> StartingPoint:
    """Start from `label` (a configuration's name in quotes, "order K7QF-3M2P") re-checked."""
    if result.fits:
        notice = N_("Started from %(label)s; everything still fits.", label=label)
    elif result.repaired is not None:
        notice = N_("Started from %(label)s, repaired to fit today's catalog.", label=label)
    else:
        notice = N_("Started from %(label)s; some picks no longer fit.", label=label)
    return StartingPoint(result.starting_selection, notice, result, source_id)


def recheck(
    catalog: Catalog,
    old_selection: Mapping[str, Any],
    old_lines: Mapping[tuple[str, str], tuple[str, str, Decimal]],
    customer: Mapping[str, str] | None = None,
) -> Recheck:
    """Check `old_selection` against `catalog` for this customer.

    `old_lines` maps (feature, option) to (feature name, option name, price
    then). Picks are kept greedily in catalog order while they still fit; the
    rest is reported, and the kept picks are completed at the lowest price.
    """
    customer = dict(customer or {})
    model = catalog.model
    order = {feature.id: index for index, feature in enumerate(model.features)}
    old_pairs = sorted(pairs(dict(old_selection)), key=lambda p: order.get(p[0], len(order)))
    lines: list[RecheckLine] = []
    candidates: list[tuple[str, str]] = []
    for feature_id, option_id in old_pairs:
        feature_name, option_name, price_then = old_lines.get(
            (feature_id, option_id), (feature_id, option_id, Decimal(0))
        )
        feature = model.feature(feature_id)
        option = feature.option(option_id) if feature else None
        if option is None:
            reason = (N_("no longer offered") if feature
                      else N_("%(feature)s is no longer offered", feature=feature_name))
            lines.append(
                RecheckLine(
                    feature_id,
                    feature_name,
                    option_id,
                    option_name,
                    price_then,
                    None,
                    "retired",
                    reason,
                )
            )
            continue
        candidates.append((feature_id, option_id))

    kept: Selection = {}
    whole: Selection = {}
    for feature_id, option_id in candidates:
        whole = with_pick(catalog, whole, feature_id, option_id)
    if catalog.domains(whole, customer=customer).consistent:
        kept = whole
        refused: dict[tuple[str, str], str] = {}
    else:
        refused = {}
        for feature_id, option_id in candidates:
            trial = with_pick(catalog, kept, feature_id, option_id)
            if catalog.domains(trial, customer=customer).consistent:
                kept = trial
            else:
                explanation = catalog.explain(feature_id, option_id, kept, customer=customer)
                messages = [_rule_message(catalog, c) for c in explanation.constraints]
                refused[(feature_id, option_id)] = _one_after_another(messages) or N_("no longer fits")

    for feature_id, option_id in candidates:
        feature_name, option_name, price_then = old_lines.get(
            (feature_id, option_id), (feature_id, option_id, Decimal(0))
        )
        feature = model.feature(feature_id)
        option = feature.option(option_id)
        if (feature_id, option_id) in refused:
            status, reason = "conflict", refused[(feature_id, option_id)]
        elif option.price != price_then:
            status, reason = "price", ""
        else:
            status, reason = "same", ""
        lines.append(
            RecheckLine(
                feature_id,
                _words(catalog, ("feature", feature_id), feature.name),
                option_id,
                _words(catalog, ("option", feature_id, option_id), option.name),
                price_then,
                option.price,
                status,
                reason,
            )
        )
    lines.sort(key=lambda line: order.get(line.feature, len(order)))

    total_then = sum((line.price_then or Decimal(0) for line in lines), Decimal(0))
    state = catalog.domains(kept, customer=customer)
    fits = not any(line.status in ("retired", "conflict") for line in lines) and bool(
        state.complete
    )
    result = Recheck(lines=lines, total_then=total_then, fits=fits, kept=kept)
    if fits:
        result.total_now = catalog.price(kept).total
        return result
    done = catalog.complete(kept, customer=customer)
    if done.consistent:
        result.repaired = dict(done.selections)
        result.repaired_total = done.price
        old = set(old_pairs)
        for feature_id, option_id in pairs(result.repaired):
            if (feature_id, option_id) not in old:
                feature = model.feature(feature_id)
                option = feature.option(option_id)
                result.lines.append(
                    RecheckLine(
                        feature_id,
                        feature.name,
                        option_id,
                        option.name,
                        None,
                        option.price,
                        "added",
                    )
                )
        result.lines.sort(
            key=lambda line: (order.get(line.feature, len(order)), line.status == "added")
        )
    return result


def _words(catalog: Catalog, key: tuple[str, ...], text: str) -> str:
    """The catalog's text with its `translations:` of `key`, for the reader's language."""
    translations = getattr(catalog.model, "translations", None) or {}
    return CatalogWords(text, {language: texts.lookup(key, "")
                               for language, texts in translations.items()})


def _rule_message(catalog: Catalog, constraint: Any) -> str:
    """Why a pick no longer fits: the rule's message (translated where the catalog
    translates it), or "rule <name>" when it has none."""
    if not constraint.message:
        return N_("rule %(name)s", name=constraint.name)
    if not constraint.id:
        return constraint.message
    return _words(catalog, ("message", constraint.id), constraint.message)


def _one_after_another(reasons: list[str]) -> str:
    """Reasons as one text, `; ` between them (a phrase: the reader's language writes its own `;`)."""
    if not reasons:
        return ""
    text = reasons[0]
    for reason in reasons[1:]:
        text = N_("%(first)s; %(second)s", first=text, second=reason)
    return text
