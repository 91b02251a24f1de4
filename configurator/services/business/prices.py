"""Managers and administrators keep the prices of business accounts: each
account's price list (percent off a product line, fixed prices of options
chosen from the catalog) and our quantity breaks per product line.

Checked, allowed and recorded like the rest of `admin`: clear
InvalidAccountData messages, managers and admins only, every price list change
on the account's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting import BreakMode, PricingError
from configurator.quoting.phrases import N_
from configurator.services import catalogs
from configurator.services.business import accounts, terms
from configurator.services.business.accounts import InvalidAccountData
from configurator.services.business.admin import amount, percentage, require_editor, whole_number
from configurator.services.errors import NotFound
from configurator.services.unit_of_work import use_case
from configurator.store.models import CatalogVersion, User
from configurator.store.quotes import BusinessAccount, PriceListEntry, QuantityBreakTier


@dataclass(frozen=True)
class CatalogOption:
    """An option a fixed price can be set for, as the picker lists it."""

    feature: str
    feature_name: str
    option: str
    option_name: str
    list_price: Decimal


# ------------------------------------------------------------------ price list


@use_case
def set_line_discount(
    session: Session, editor: User, account_id: int, catalog_id: str, percent_text: str
) -> PriceListEntry:
    """The account's percentage off one product line (replaces an earlier one)."""
    require_editor(editor)
    account = accounts.get_account(session, editor, account_id)
    version = _catalog(session, catalog_id)
    _priced_in(version, account)
    percent = percentage(percent_text, N_("The discount"))
    entry = terms.set_percent_off(session, account, catalog_id, percent)
    accounts.record_event(
        session,
        account.id,
        "price list changed",
        f"{version.name}: {percent} % off",
        actor=editor,
        detail=f"price list {account.price_list_name}",
    )
    return entry


@use_case
def set_fixed_option_price(
    session: Session,
    editor: User,
    account_id: int,
    catalog_id: str,
    option_key: str,
    price_text: str,
) -> PriceListEntry:
    """A fixed unit price for one option (`feature=option`) of a product line."""
    require_editor(editor)
    account = accounts.get_account(session, editor, account_id)
    version = _catalog(session, catalog_id)
    _priced_in(version, account)
    feature, _, option = option_key.partition("=")
    known = {(o.feature, o.option): o for o in catalog_options(session, catalog_id)}
    chosen = known.get((feature, option))
    if chosen is None:
        raise InvalidAccountData(N_(
            "%(line)s has no option %(option)s; choose one from the list.",
            line=version.name, option=repr(option_key)))
    price = amount(price_text, N_("The option price"))
    entry = terms.set_option_price(session, account, catalog_id, feature, option, price)
    accounts.record_event(
        session,
        account.id,
        "price list changed",
        f"{version.name}: {chosen.feature_name} {chosen.option_name} at {price} {account.currency}",
        actor=editor,
        detail=f"list price {chosen.list_price:.2f}",
    )
    return entry


@use_case
def remove_price_entry(session: Session, editor: User, account_id: int, entry_id: int) -> None:
    """Take one line off the account's price list."""
    require_editor(editor)
    account = accounts.get_account(session, editor, account_id)
    entry = session.get(PriceListEntry, entry_id)
    if entry is None or entry.account_id != account.id:
        raise NotFound("There is no such price list entry on this account.")
    what = (
        entry.catalog_id
        if entry.option is None
        else (f"{entry.catalog_id} {entry.feature}={entry.option}")
    )
    session.delete(entry)
    accounts.record_event(
        session,
        account.id,
        "price list changed",
        f"Removed from the price list: {what}",
        actor=editor,
    )


def catalog_options(session: Session, catalog_id: str) -> list[CatalogOption]:
    """Every option of a product line's current version, in catalog order."""
    catalog = catalogs.engine_catalog(_catalog(session, catalog_id))
    return [
        CatalogOption(feature.id, feature.name, option.id, option.name, option.price)
        for feature in catalog.model.features
        for option in feature.options
    ]


def _catalog(session: Session, catalog_id: str) -> CatalogVersion:
    try:
        return catalogs.current(session, catalog_id)
    except NotFound:
        raise InvalidAccountData(N_("There is no product line called %(line)s.",
                                     line=repr(catalog_id))) from None


def _priced_in(version: CatalogVersion, account: BusinessAccount) -> None:
    """InvalidAccountData unless the product line is priced in the price list's currency:
    a price list has one currency, like the quotes priced with it."""
    if version.currency.upper() != account.currency.upper():
        raise InvalidAccountData(N_(
            "%(catalog)s is priced in %(catalog_currency)s, but this price list is in "
            "%(currency)s; prices are never converted, so it can only hold product lines "
            "priced in %(currency)s.",
            catalog=version.name, catalog_currency=version.currency.upper(),
            currency=account.currency.upper()))


# ------------------------------------------------------------------ quantity breaks


@use_case
def set_breaks(
    session: Session,
    editor: User,
    catalog_id: str,
    rows: list[tuple[str, str]],
    mode: str,
    *,
    account_id: int | None = None,
) -> list[QuantityBreakTier]:
    """Quantity breaks of a product line from rows of (from quantity, percent off) as
    typed: ours for every account, or with `account_id` that account's own, which
    replace ours for this product line. Empty rows are skipped; no rows removes them."""
    require_editor(editor)
    account = None if account_id is None else accounts.get_account(session, editor, account_id)
    version = _catalog(session, catalog_id)
    if mode not in {m.value for m in BreakMode}:
        raise InvalidAccountData(N_("Price the units by range (all at the tier reached) or by slab."))
    tiers = _typed_tiers(rows)
    try:
        if tiers:
            saved = terms.set_quantity_breaks(
                session, catalog_id, tiers, mode, account_id=account_id
            )
        else:
            saved = []
            terms.clear_quantity_breaks(session, catalog_id, account_id=account_id)
    except PricingError as error:  # the pricing domain says why a tier list is not usable
        raise InvalidAccountData(str(error)) from None
    if account is not None:
        described = ", ".join(f"from {m}: {p} %" for m, p in tiers) or "ours apply again"
        accounts.record_event(
            session,
            account.id,
            "quantity breaks changed",
            f"{version.name}: own quantity breaks",
            actor=editor,
            detail=described,
        )
    return saved


def _typed_tiers(rows: list[tuple[str, str]]) -> list[tuple[int, Decimal]]:
    """(minimum, percent) from the form's rows, sorted, starting at 1."""
    tiers = []
    for minimum_text, percent_text in rows:
        if not (minimum_text.strip() or percent_text.strip()):
            continue
        minimum = whole_number(minimum_text, N_("A tier's quantity"))
        if minimum < 1:
            raise InvalidAccountData(N_("A tier starts at a quantity of at least 1."))
        tiers.append((minimum, percentage(percent_text, N_("The discount from %(minimum)s units", minimum=minimum))))
    tiers.sort()
    if len({m for m, _ in tiers}) != len(tiers):
        raise InvalidAccountData(N_("Two tiers start at the same quantity; give each its own."))
    if tiers and tiers[0][0] != 1:
        # The domain prices every quantity from the first tier on: make that tier 1 (0 % off).
        tiers.insert(0, (1, Decimal(0)))
    return tiers


def breaks_by_catalog(
    session: Session, viewer: User, account_id: int | None = None
) -> dict[str, list[QuantityBreakTier]]:
    """Our quantity breaks per product line, or (with `account_id`) the account's own."""
    if not viewer.is_staff:
        raise NotFound("There is no such page.")
    owner = (
        QuantityBreakTier.account_id.is_(None)
        if account_id is None
        else QuantityBreakTier.account_id == account_id
    )
    rows = session.scalars(
        sa.select(QuantityBreakTier)
        .where(owner)
        .order_by(QuantityBreakTier.catalog_id, QuantityBreakTier.min_quantity)
    )
    grouped: dict[str, list[QuantityBreakTier]] = {}
    for row in rows:
        grouped.setdefault(row.catalog_id, []).append(row)
    return grouped
