"""The lines of a draft quote: add a complete configuration with a quantity
(starting, if staff like, from a past configuration of the account's
contacts), change its quantity, discount and kind, remove it.

A line is included (in the totals), optional (offered on top) or an
alternative to an included line (good / better / best); optional and
alternative lines are priced and shown like any line but kept out of the
totals by the pricing domain.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from configurator.engine import SelectionError
from configurator.quoting import (
    Discount,
    OptionPrice,
    OtherCurrency,
    PricingError,
    Quote,
    QuoteError,
)
from configurator.quoting.phrases import N_, Joined
from configurator.quoting.pricing import LineKind
from configurator.services import catalogs
from configurator.services.business import accounts
from configurator.services.configuring import configurations
from configurator.services.configuring.recheck import StartingPoint, recheck, starting_point
from configurator.services.configuring.selection import Selection
from configurator.services.errors import InvalidSelection, NotFound
from configurator.services.quotes.records import actor, editing, require_staff, run_step, staff_step
from configurator.services.unit_of_work import use_case
from configurator.store.models import Configuration, User
from configurator.store.quotes import BusinessAccount, QuoteLineRecord, QuoteRecord


def configured_options(
    session: Session,
    account: BusinessAccount,
    catalog_id: str,
    selection: Selection,
    currency: str,
) -> tuple[int, list[OptionPrice], str]:
    """The current catalog version, the priced options and the product line's name of a
    selection; InvalidSelection unless it is complete and valid for the account,
    OtherCurrency unless the catalog is priced in the quote's `currency`."""
    version = catalogs.current(session, catalog_id)
    require_currency(version.name, version.currency, currency)
    catalog = catalogs.engine_catalog(version)
    try:
        state = catalog.domains(selection, customer=accounts.customer_facts(account))
        breakdown = catalog.price(selection)
    except SelectionError as error:
        raise InvalidSelection(str(error)) from error
    if not state.consistent:
        raise InvalidSelection(N_("These picks do not fit together; a quote line must be valid."))
    if not state.complete:
        raise InvalidSelection(N_(
            "A quote line needs a complete configuration; finish every choice."))
    options = [OptionPrice.from_price_line(line) for line in breakdown.lines]
    return version.id, options, version.name


def require_currency(catalog_name: str, catalog_currency: str, currency: str) -> None:
    """OtherCurrency unless a product line is priced in the quote's currency: a quote
    has one currency, and its amounts are never converted."""
    if catalog_currency.upper() != currency.upper():
        raise OtherCurrency(N_(
            "%(catalog)s is priced in %(catalog_currency)s, but this quote is in "
            "%(currency)s, the currency of the client's price list. A quote has one "
            "currency and prices are never converted: choose a product line priced in "
            "%(currency)s.",
            catalog=catalog_name, catalog_currency=catalog_currency.upper(),
            currency=currency.upper()))


@dataclass(frozen=True)
class LineMisfit:
    """A line whose configuration no longer fits its product line's current catalog."""

    line_id: str
    title: str
    catalog_id: str
    problems: tuple[str, ...]  # phrases: "Dynamo lights (lights): no longer offered"

    @property
    def message(self) -> str:
        """For staff: which line, which options, and what to do (a phrase)."""
        return N_("Line %(line)s (%(title)s) no longer fits today's catalog: %(problems)s. "
                  "Reconfigure the line.", line=self.line_id, title=self.title,
                  problems=Joined(self.problems, "; "))


class LinesNoLongerFit(QuoteError):
    """A step that needs every line to fit today's catalog (reprice, send, accept, order)."""

    def __init__(self, misfits: list[LineMisfit], message: str = "") -> None:
        self.misfits = misfits
        # One phrase for all lines, so the page writes each in the reader's language.
        super().__init__(message or N_("%(misfits)s",
                                       misfits=Joined(tuple(m.message for m in misfits), " ")))


def misfits(session: Session, record: QuoteRecord) -> list[LineMisfit]:
    """The quote's lines whose picks a newer catalog version retired or no longer allows
    (re-checked as the shop re-checks a saved configuration), in quote order."""
    facts = accounts.customer_facts(record.account)
    found = []
    for row in record.lines:
        try:
            catalog = catalogs.engine_catalog(catalogs.current(session, row.catalog_id))
        except NotFound:
            found.append(LineMisfit(row.line_id, row.title, row.catalog_id,
                                    (N_("the product line %(line)s is no longer offered", line=row.catalog_id),)))
            continue
        then = {(f, o): (f, name or o, Decimal(price)) for f, o, price, name in row.options}
        result = recheck(catalog, row.selection, then, facts)
        if not result.fits:
            # The catalog's names and the engine's reasons as they are; our words as phrases.
            problems = tuple(
                N_("%(option)s (%(feature)s): %(reason)s", option=line.option_name,
                   feature=line.feature_name, reason=line.reason or N_("no longer fits"))
                for line in result.problems
            ) or (N_("the configuration is no longer complete"),)
            found.append(LineMisfit(row.line_id, row.title, row.catalog_id, problems))
    return found


def require_fit(session: Session, record: QuoteRecord, *, for_client: bool = False) -> None:
    """LinesNoLongerFit unless every line fits today's catalog (a client is told to ask
    for a new revision instead of being told to reconfigure)."""
    found = misfits(session, record)
    if not found:
        return
    if for_client:
        lines = Joined(tuple(N_("%(line)s (%(problems)s)", line=m.line_id,
                                problems=Joined(m.problems, "; ")) for m in found), ", ")
        raise LinesNoLongerFit(
            found,
            N_("Quote %(number)s can no longer be accepted as it stands: %(lines)s. "
               "Please ask us for a new revision.", number=record.number, lines=lines),
        )
    raise LinesNoLongerFit(found)


def restart_line(session: Session, staff: User, quote_id: int, line_id: str) -> StartingPoint:
    """The configurator for reconfiguring a draft's line: its picks re-checked against
    today's catalog (retired options dropped, the rest repaired when possible)."""
    loaded = editing(session, staff, quote_id, None)
    row = _row(loaded.record, line_id)
    catalog = catalogs.engine_catalog(catalogs.current(session, row.catalog_id))
    then = {(f, o): (f, name or o, Decimal(price)) for f, o, price, name in row.options}
    result = recheck(catalog, row.selection, then, accounts.customer_facts(loaded.record.account))
    return starting_point(result, f"line {row.line_id}", row.source_configuration_id)


def _row(record: QuoteRecord, line_id: str) -> QuoteLineRecord:
    row = next((row for row in record.lines if row.line_id == line_id), None)
    if row is None:
        raise NotFound(N_("Quote %(number)s has no line %(line)s.", number=record.number,
                          line=line_id))
    return row


@use_case
def reconfigure_line(
    session: Session,
    staff: User,
    quote_id: int,
    line_id: str,
    selection: Selection,
    quantity: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Replace a draft line's configuration (and quantity) with a complete, valid one of
    today's catalog; the line keeps its id, kind, discount and place."""
    loaded = editing(session, staff, quote_id, version)
    row = _row(loaded.record, line_id)
    version_id, options, _ = configured_options(
        session, loaded.record.account, row.catalog_id, selection, loaded.quote.terms.currency
    )

    def step(quote: Quote, at: datetime) -> None:
        quote.change_line(line_id, by=actor(staff), at=at, quantity=quantity, options=options)
        row.selection = dict(selection)
        row.catalog_version_id = version_id

    return run_step(session, staff, loaded, step, now=now)


def source_configuration(
    session: Session, staff: User, account: BusinessAccount, configuration_id: int
) -> Configuration:
    """One of the account's contacts' past configurations, to start a line from."""
    require_staff(staff)
    configuration = configurations.get(session, staff, configuration_id)
    if configuration.owner_id not in accounts.contact_user_ids(session, account):
        raise NotFound(N_("That configuration does not belong to this client."))
    return configuration


def start_from(
    session: Session, staff: User, account: BusinessAccount, catalog_id: str, configuration_id: int
) -> StartingPoint:
    """A new line's configurator starting from one of the account's contacts' past
    configurations, re-checked against today's catalog.

    NotFound when it is not theirs; InvalidSelection when it is of another product line.
    """
    source = source_configuration(session, staff, account, configuration_id)
    if source.catalog_id != catalog_id:
        raise InvalidSelection(N_("That configuration is of another product line."))
    return configurations.start_from(session, staff, source.id)


def _check_source(
    session: Session, staff: User, account: BusinessAccount, catalog_id: str, source_id: int
) -> None:
    """A line's starting configuration: one of this client's, of the same product line."""
    try:
        if not 0 < source_id < 2**31:  # beyond any id, and beyond what the database reads
            raise NotFound(N_("There is no such configuration."))
        source = source_configuration(session, staff, account, source_id)
    except NotFound:
        raise InvalidSelection(N_(
            "Configuration %(id)s is not one of this client's; start the line afresh "
            "or from one of their configurations.", id=str(source_id))) from None
    if source.catalog_id != catalog_id:
        raise InvalidSelection(N_("That configuration is of another product line."))


def line_kind(text: str) -> LineKind:
    """The kind of line named in a form or API call ("" means included)."""
    try:
        return LineKind(text or "included")
    except ValueError:
        # A phrase, so the editor writes the refusal in the reader's language.
        raise PricingError(N_(
            "A line is included, optional or alternative; not '%(kind)s'.", kind=text)) from None


def check_kind(
    quote: Quote, line_id: str | None, kind: LineKind, alternative_to: str | None
) -> str | None:
    """The line an alternative replaces, checked: an included line of this quote.

    PricingError when an alternative names no line, or one that is not included,
    or when another kind names one, or when a line with alternatives stops being
    included (its alternatives would be alternatives to nothing).
    """
    alternative_to = (alternative_to or "").strip() or None
    if kind is not LineKind.ALTERNATIVE:
        if alternative_to is not None:
            raise PricingError(N_("Only an alternative line replaces another line."))
        if line_id and kind is not LineKind.INCLUDED and _has_alternatives(quote, line_id):
            raise PricingError(N_(
                "Line %(line)s has alternatives, so it stays included; "
                "change or remove its alternatives first.", line=line_id))
        return None
    if alternative_to is None:
        raise PricingError(N_("Say which included line this alternative replaces."))
    if alternative_to == line_id:
        raise PricingError(N_("A line cannot be an alternative to itself."))
    target = next((line for line in quote.lines if line.line_id == alternative_to), None)
    if target is None or target.kind is not LineKind.INCLUDED:
        raise PricingError(N_("%(line)s is not an included line of this quote.",
                              line=alternative_to))
    if line_id and _has_alternatives(quote, line_id):
        raise PricingError(N_("Line %(line)s has alternatives of its own; it stays included.",
                              line=line_id))
    return alternative_to


def _has_alternatives(quote: Quote, line_id: str) -> bool:
    return any(line.alternative_to == line_id for line in quote.lines)


@use_case
def add_line(
    session: Session,
    staff: User,
    quote_id: int,
    catalog_id: str,
    selection: Selection,
    quantity: int,
    *,
    version: int | None = None,
    title: str = "",
    discount: Discount | None = None,
    kind: LineKind = LineKind.INCLUDED,
    alternative_to: str | None = None,
    source_configuration_id: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Add a complete configuration of any product line with a quantity (included in
    the totals unless `kind` says optional or alternative to another line)."""
    loaded = editing(session, staff, quote_id, version)
    replaces = check_kind(loaded.quote, None, kind, alternative_to)
    if source_configuration_id is not None:
        _check_source(session, staff, loaded.record.account, catalog_id, source_configuration_id)
    version_id, options, name = configured_options(
        session, loaded.record.account, catalog_id, selection, loaded.quote.terms.currency
    )
    stored = {
        "catalog_id": catalog_id,
        "catalog_version_id": version_id,
        "selection": dict(selection),
        "source_configuration_id": source_configuration_id,
    }
    new_lines: dict[str, dict[str, Any]] = {}

    def step(quote: Quote, at: datetime) -> None:
        line = quote.add_line(
            catalog_id,
            options,
            quantity,
            by=actor(staff),
            at=at,
            title=title or name,
            catalog_version=str(version_id),
            discount=discount,
            kind=kind,
            alternative_to=replaces,
        )
        new_lines[line.line_id] = stored

    return run_step(session, staff, loaded, step, now=now, new_lines=new_lines)


@use_case
def change_line(
    session: Session,
    staff: User,
    quote_id: int,
    line_id: str,
    *,
    quantity: int,
    discount: Discount | None,
    kind: LineKind | None = None,
    alternative_to: str | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Set a line's quantity and manual discount (None removes the discount), and its
    kind when given (None keeps the kind and the line it is an alternative to)."""
    loaded = editing(session, staff, quote_id, version)
    if kind is not None:
        replaces = check_kind(loaded.quote, line_id, kind, alternative_to)

    def step(quote: Quote, at: datetime) -> None:
        changed = quote.change_line(
            line_id,
            by=actor(staff),
            at=at,
            quantity=quantity,
            discount=discount,
            **({} if kind is None else {"kind": kind}),
        )
        if kind is not None and changed.alternative_to != replaces:
            # The domain changes a line's kind; which line an alternative replaces is
            # only a link for display and totals, so it is set on the changed line here.
            quote.lines[quote.lines.index(changed)] = replace(changed, alternative_to=replaces)

    return run_step(session, staff, loaded, step, now=now)


@use_case
def lock_price(
    session: Session,
    staff: User,
    quote_id: int,
    line_id: str,
    *,
    locked: bool = True,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Keep a line's current prices through later reprices ("keep this price"), or with
    `locked=False` price it by the quote's terms again."""

    def step(quote: Quote, at: datetime) -> None:
        if locked:
            quote.lock_price(line_id, by=actor(staff), at=at)
        else:
            quote.unlock_price(line_id, by=actor(staff), at=at)

    return staff_step(session, staff, quote_id, version, step, now=now)


@use_case
def remove_line(
    session: Session,
    staff: User,
    quote_id: int,
    line_id: str,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> QuoteRecord:
    """Remove a line from a draft."""
    return staff_step(
        session,
        staff,
        quote_id,
        version,
        lambda q, at: q.remove_line(line_id, by=actor(staff), at=at),
        now=now,
    )
