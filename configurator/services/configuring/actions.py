"""The configurator's buttons: repair, complete, clear, and "apply my usual
choices"; each returns the new selection and a notice for the page. Pure
functions over an engine `Catalog`, no database."""

from __future__ import annotations

from collections.abc import Mapping

from configurator.engine import Catalog, SelectionError
from configurator.quoting.phrases import N_
from configurator.services.configuring import repairs
from configurator.services.configuring.names import option_name
from configurator.services.configuring.selection import Selection


def apply_action(
    catalog: Catalog,
    selection: Selection,
    action: str,
    customer: Mapping[str, str] | None = None,
    usual: Mapping[str, list[str]] | None = None,
) -> tuple[Selection, str | None]:
    """Apply a button of the page to the selection; returns it and a notice.

    Actions: `repair:F=O`, `complete`, `clear:F`, `start-over` (every pick
    cleared), `usual`. Anything else
    (plain picks, `why:F=O`) leaves the selection as it is.
    """
    customer = dict(customer or {})
    kind, _, argument = action.partition(":")
    if kind == "repair":
        feature_id, _, option_id = argument.partition("=")
        try:
            repair = repairs.repair(catalog, feature_id, option_id, selection, customer)
        except (SelectionError, ValueError, KeyError):
            return selection, N_("That option is not part of this product line.")
        if repair is None:
            return selection, N_("That option is not available for your account.")
        return dict(
            repair.selection
        ), N_("Switched to %(option)s.", option=option_name(catalog, feature_id, option_id))
    if kind == "complete":
        try:
            done = catalog.complete(selection, customer=customer)
        except (SelectionError, ValueError):
            return selection, N_("Please fix the picks marked above first.")
        if not done.consistent:
            return (
                selection,
                N_("These picks cannot be completed; change one of the picks in conflict."),
            )
        return dict(done.selections), N_("Completed the rest at the lowest price.")
    if kind == "clear":
        result = dict(selection)
        result.pop(argument, None)
        return result, None
    if kind == "start-over":
        return {}, None
    if kind == "usual" and usual:
        return apply_usual(
            catalog, selection, usual, customer
        ), N_("Applied your usual choices where they fit.")
    return selection, None

def apply_usual(
    catalog: Catalog,
    selection: Selection,
    usual: Mapping[str, list[str]],
    customer: Mapping[str, str],
) -> Selection:
    """Add the customer's usual options where nothing is picked yet and they still fit."""
    result = dict(selection)
    for feature in catalog.model.features:
        if feature.id in result or not usual.get(feature.id):
            continue
        state = catalog.domains(result, customer=dict(customer))
        if not state.consistent:
            break
        possible = set(state.domains.get(feature.id, []))
        wanted = [option for option in usual[feature.id] if option in possible]
        if not wanted:
            continue
        if feature.choose_kind == "multi":
            trial = dict(result, **{feature.id: wanted[: feature.max]})
            if catalog.domains(trial, customer=dict(customer)).consistent:
                result = trial
        else:
            result[feature.id] = wanted[0]
    return result
