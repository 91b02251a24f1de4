"""The quote entity: lines, terms, status, and the edits staff make to a draft.

Pure Python, like cosmicpython's `domain/model.py`: the store maps these
dataclasses to tables, services call their methods. Status changes live in
`lifecycle`; this module owns the edits and their two rules:

* a quote that was sent (or is closed) is frozen: every edit raises
  QuoteFrozen, and the way to change it is `lifecycle.revise`;
* a price-affecting edit of an approved (or pending) quote withdraws the
  approval and returns the quote to draft, so an approved discount can never
  be raised behind the manager's back.

Every edit and step appends a `QuoteEvent` (who, when, what) for the account's
timeline; events are never changed or removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum

from .errors import LineNotFound, PricingError, QuoteError, QuoteFrozen
from .money import round_money
from .numbering import QuoteNumber
from .phrases import N_
from .pricing import (
    Discount,
    LineBuildUp,
    LineKind,
    OptionPrice,
    PricingTerms,
    QuoteTotals,
    ServiceLine,
    StepKind,
    price_line,
    total_quote,
)


class _Unchanged(Enum):
    KEEP = "keep"


KEEP = _Unchanged.KEEP  # "leave this as it is" in `Quote.change_line`


class Status(str, Enum):
    """Where a quote is in its life (see `lifecycle.TRANSITIONS`)."""

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    ORDERED = "ordered"
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"


# A status as a word in the sentences people read ("is pending approval").
STATUS_WORDS = {
    Status.DRAFT: N_("draft"),
    Status.PENDING_APPROVAL: N_("pending approval"),
    Status.APPROVED: N_("approved"),
    Status.SENT: N_("sent"),
    Status.ACCEPTED: N_("accepted"),
    Status.DECLINED: N_("declined"),
    Status.EXPIRED: N_("expired"),
    Status.ORDERED: N_("ordered"),
    Status.CANCELLED: N_("cancelled"),
    Status.SUPERSEDED: N_("superseded"),
}


EDITABLE = frozenset({Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED})


def require_utc(moment: datetime, what: str = "time") -> datetime:
    """`moment` if it is timezone-aware; a naive datetime is refused (it has no fixed instant)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime (UTC), not naive {moment!r}")
    return moment


@dataclass(frozen=True)
class Actor:
    """Who does something: a staff member ("sales", "manager", "admin") or a client contact."""

    id: str
    role: str
    name: str = ""


@dataclass(frozen=True)
class QuoteEvent:
    """One entry of the quote's history."""

    at: datetime
    actor: str
    action: str
    detail: str = ""


@dataclass(frozen=True)
class Approval:
    """An approver's approval of the discounts (and margin) the quote had at that moment."""

    by: str
    role: str
    at: datetime
    max_discount_percent: Decimal
    margin_percent: Decimal | None = None  # None: the margin was unknown (no costs)


@dataclass
class QuoteLine:
    """A complete configuration of one product line, a quantity and its pricing inputs.

    `options` is the frozen snapshot of the configuration's chosen options and
    their list prices; `line_id` stays the same across revisions so that two
    revisions can be compared line by line. A line with `locked_terms` keeps
    the prices it had when it was locked ("keep this price"): repricing skips
    it, while quantity and manual discount still apply normally.
    """

    line_id: str
    product_line: str
    options: tuple[OptionPrice, ...]
    quantity: int
    title: str = ""
    catalog_version: str = ""
    discount: Discount | None = None
    kind: LineKind = LineKind.INCLUDED
    alternative_to: str | None = None  # the included line this one is an alternative to
    locked_terms: PricingTerms | None = None

    @property
    def locked(self) -> bool:
        """Whether the line's price is kept on reprice."""
        return self.locked_terms is not None

    @property
    def choices(self) -> dict[str, tuple[str, ...]]:
        """Feature -> chosen options, the configuration as the engine writes it."""
        chosen: dict[str, tuple[str, ...]] = {}
        for option in self.options:
            chosen[option.feature] = chosen.get(option.feature, ()) + (option.option,)
        return chosen

    def price(self, terms: PricingTerms) -> LineBuildUp:
        """The line's waterfall under the quote's `terms` (or its own, when locked)."""
        return price_line(self.product_line, self.options, self.quantity,
                          self.locked_terms or terms, self.discount, self.kind)


@dataclass(frozen=True)
class QuotePricing:
    """Every line's build-up (by line id, in quote order) and the quote totals."""

    lines: dict[str, LineBuildUp]
    totals: QuoteTotals

    @property
    def effective_discount_percent(self) -> Decimal:
        """What the manual discounts take off the included lines together, in percent, exact.

        Line discounts and the quote discount compound: 9 % on every line and
        9 % on the quote is 1 - 0.91 x 0.91 = 17.19 %, not 9 %. The base is
        the included lines after price list and quantity breaks (what staff
        discount from); amounts are unrounded, so exactly 10 % is 10.
        """
        included = [b for b in self.lines.values() if b.in_totals]
        base = sum((b.step(StepKind.QUANTITY_BREAK).amount for b in included), Decimal(0))
        if not base:
            return Decimal(0)
        after_lines = sum((b.step(StepKind.DISCOUNT).amount for b in included), Decimal(0))
        kept = after_lines / base * (1 - self.totals.discount_fraction)
        return (1 - kept) * 100

    @property
    def max_discount_percent(self) -> Decimal:
        """The discount approval is judged on: the effective discount of the whole quote,
        or a larger one on any single line (an optional line's too)."""
        percents = [b.manual_discount_percent for b in self.lines.values()]
        return max([self.effective_discount_percent, self.totals.discount_percent, *percents])


@dataclass(frozen=True)
class LineRepricing:
    """What a reprice did (or would do) to one line."""

    line_id: str
    old_net: Decimal
    new_net: Decimal
    locked: bool = False
    unlocked_net: Decimal | None = None  # for a locked line: its net if it were not locked

    @property
    def difference(self) -> Decimal:
        """New net minus old net (0 for a locked line)."""
        return self.new_net - self.old_net


@dataclass(frozen=True)
class RepriceReport:
    """The per-line differences of a reprice and the totals before and after."""

    lines: tuple[LineRepricing, ...]
    before: QuoteTotals
    after: QuoteTotals

    @property
    def changed(self) -> bool:
        """Whether any amount changed."""
        return any(line.difference for line in self.lines) or self.before != self.after

    @property
    def stale(self) -> bool:
        """Whether today's prices differ from the quote's, on a locked line too (kept there)."""
        return self.changed or any(
            line.locked and line.unlocked_net != line.old_net for line in self.lines)


@dataclass
class Quote:
    """A quote to a business account: numbered lines, terms, a discount and a status."""

    number: QuoteNumber
    account: str
    created_by: Actor
    created_at: datetime
    valid_until: datetime
    terms: PricingTerms
    lines: list[QuoteLine] = field(default_factory=list)
    discount: Discount | None = None
    status: Status = Status.DRAFT
    approval: Approval | None = None
    decline_reason: str = ""
    cancel_reason: str = ""
    superseded_by: QuoteNumber | None = None
    events: list[QuoteEvent] = field(default_factory=list)
    last_line_number: int = 0
    services: list[ServiceLine] = field(default_factory=list)  # freight, installation, ...
    # The steps of a multi-step approval given so far (manager, then director);
    # `approval` is set when the last one is.
    approval_steps: list[Approval] = field(default_factory=list)

    def __post_init__(self) -> None:
        require_utc(self.created_at, "created_at")
        require_utc(self.valid_until, "valid_until")

    # ------------------------------------------------------------ reading
    @property
    def frozen(self) -> bool:
        """Sent or closed: edits are refused, a revision is the way to change it."""
        return self.status not in EDITABLE

    def line(self, line_id: str) -> QuoteLine:
        """The line with `line_id`; raises LineNotFound."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise LineNotFound(f"Quote {self.number} has no line {line_id!r}")

    def price(self) -> QuotePricing:
        """Every line's build-up and the totals (optional and alternative lines not added)."""
        built = {line.line_id: line.price(self.terms) for line in self.lines}
        return QuotePricing(built, total_quote(list(built.values()), self.terms, self.discount,
                                               self.services))

    def service(self, line_id: str) -> ServiceLine:
        """The service line with `line_id`; raises LineNotFound."""
        for service in self.services:
            if service.line_id == line_id:
                return service
        raise LineNotFound(f"Quote {self.number} has no service line {line_id!r}")

    def chosen_lines(self, chosen: Iterable[str]) -> list[QuoteLine]:
        """The lines a client buys when accepting with `chosen` (line ids): every included
        line, the optional lines chosen, and for an included line at most one chosen
        alternative, in its place. Each comes back included; QuoteError names a bad pick."""
        picked = set(chosen)
        by_id = {line.line_id: line for line in self.lines}
        for line_id in sorted(picked):
            if line_id not in by_id:
                raise QuoteError(f"Quote {self.number} has no line {line_id} to choose")
            if by_id[line_id].kind is LineKind.INCLUDED:
                raise QuoteError(f"Line {line_id} is part of the quote already")
        replaced: dict[str, str] = {}
        for line_id in sorted(picked):
            target = by_id[line_id].alternative_to
            if by_id[line_id].kind is LineKind.ALTERNATIVE and target is not None:
                if target in replaced:
                    raise QuoteError(f"Choose one alternative to line {target}, not "
                                     f"{replaced[target]} and {line_id}")
                replaced[target] = line_id
        bought = []
        for line in self.lines:
            if line.kind is LineKind.INCLUDED and line.line_id not in replaced:
                bought.append(line)
            elif line.line_id in picked:
                bought.append(replace(line, kind=LineKind.INCLUDED, alternative_to=None))
        return bought

    # ------------------------------------------------------------ edits
    def add_line(self, product_line: str, options: Iterable[OptionPrice], quantity: int, *,
                 by: Actor, at: datetime, title: str = "", catalog_version: str = "",
                 discount: Discount | None = None, kind: LineKind = LineKind.INCLUDED,
                 alternative_to: str | None = None) -> QuoteLine:
        """Add a configured line and return it (line ids are L1, L2, ... never reused)."""
        self._ensure_editable()
        if alternative_to is not None:
            self.line(alternative_to)
        line = QuoteLine(self._next_line_id(), product_line, tuple(options), quantity, title,
                         catalog_version, discount, kind, alternative_to)
        line.price(self.terms)  # refuse a line that cannot be priced before it is stored
        self.lines.append(line)
        self._price_changed(by, at, "line added", f"{line.line_id}: {quantity} x {product_line}")
        return line

    def change_line(self, line_id: str, *, by: Actor, at: datetime,
                    quantity: int | _Unchanged = KEEP,
                    options: Iterable[OptionPrice] | _Unchanged = KEEP,
                    discount: Discount | None | _Unchanged = KEEP,
                    kind: LineKind | _Unchanged = KEEP) -> QuoteLine:
        """Change a line's quantity, configuration, discount (None removes it) or kind.

        Arguments left at KEEP stay as they are. A locked line keeps its
        locked prices through a quantity change, and its manual discount stays.
        """
        self._ensure_editable()
        line = self.line(line_id)
        changed = replace(
            line,
            quantity=line.quantity if quantity is KEEP else quantity,
            options=line.options if options is KEEP else tuple(options),  # type: ignore[arg-type]
            discount=line.discount if discount is KEEP else discount,
            kind=line.kind if kind is KEEP else kind,
        )
        changed.price(self.terms)
        self.lines[self.lines.index(line)] = changed
        self._price_changed(by, at, "line changed",
                            _describe_change(line, changed, self.terms.currency))
        return changed

    def remove_line(self, line_id: str, *, by: Actor, at: datetime) -> None:
        """Remove a line (and leave its id unused)."""
        self._ensure_editable()
        line = self.line(line_id)
        if any(other.alternative_to == line_id for other in self.lines):
            raise PricingError(f"Line {line_id} has alternatives; remove or re-link them first")
        self.lines.remove(line)
        self._price_changed(by, at, "line removed", line_id)

    def set_discount(self, discount: Discount | None, *, by: Actor, at: datetime) -> None:
        """Set (or with None remove) the quote-level discount."""
        self._ensure_editable()
        total_quote([line.price(self.terms) for line in self.lines], self.terms, discount,
                    self.services)
        self.discount = discount
        detail = discount.describe(self.terms.currency) if discount else "removed"
        self._price_changed(by, at, "quote discount", detail)

    def add_service(self, description: str, quantity: int, unit_price: Decimal, *, by: Actor,
                    at: datetime, unit_cost: Decimal = Decimal(0),
                    tax_rate: Decimal | None = None) -> ServiceLine:
        """Add a service or free-text line with its own price, cost and (optional) VAT rate."""
        self._ensure_editable()
        service = ServiceLine(self._next_line_id(), description, quantity, unit_price,
                              unit_cost, tax_rate)
        self._check_totals(self.services + [service])
        self.services.append(service)
        self._price_changed(by, at, "service line added",
                            f"{service.line_id}: {quantity} x {service.description}")
        return service

    def change_service(self, line_id: str, *, by: Actor, at: datetime,
                       description: str, quantity: int, unit_price: Decimal,
                       unit_cost: Decimal = Decimal(0),
                       tax_rate: Decimal | None = None) -> ServiceLine:
        """Replace a service line's text, quantity, price, cost and VAT rate."""
        self._ensure_editable()
        old = self.service(line_id)
        new = ServiceLine(line_id, description, quantity, unit_price, unit_cost, tax_rate)
        services = [new if s.line_id == line_id else s for s in self.services]
        self._check_totals(services)
        self.services = services
        if (old.quantity, old.unit_price, old.tax_rate) != (new.quantity, new.unit_price,
                                                            new.tax_rate):
            self._price_changed(by, at, "service line changed",
                                f"{line_id}: {new.quantity} x {new.description}")
        else:
            self.log(by, at, "service line changed", f"{line_id}: {new.description}")
        return new

    def remove_service(self, line_id: str, *, by: Actor, at: datetime) -> None:
        """Remove a service line (its id is not given again)."""
        self._ensure_editable()
        service = self.service(line_id)
        services = [s for s in self.services if s.line_id != line_id]
        self._check_totals(services)
        self.services = services
        self._price_changed(by, at, "service line removed",
                            f"{line_id}: {service.description}")

    def set_valid_until(self, valid_until: datetime, *, by: Actor, at: datetime) -> None:
        """Change the validity date (not price-affecting: an approval stays); not in the past."""
        self._ensure_editable()
        if require_utc(valid_until, "valid_until") <= require_utc(at):
            raise QuoteError(f"Quote {self.number} cannot be valid until "
                             f"{valid_until:%Y-%m-%d %H:%M} UTC: that is already past")
        self.valid_until = valid_until
        self.log(by, at, "validity changed", valid_until.isoformat())

    def lock_price(self, line_id: str, *, by: Actor, at: datetime) -> None:
        """Keep this line's current prices through later reprices."""
        self._ensure_editable()
        line = self.line(line_id)
        if not line.locked:
            line.locked_terms = self.terms
            self.log(by, at, "price locked", line_id)

    def unlock_price(self, line_id: str, *, by: Actor, at: datetime) -> None:
        """Price the line by the quote's terms again (an approval goes if its net changes)."""
        self._ensure_editable()
        line = self.line(line_id)
        if not line.locked:
            return
        before = line.price(self.terms).net
        line.locked_terms = None
        if line.price(self.terms).net != before:
            self._price_changed(by, at, "price unlocked", line_id)
        else:
            self.log(by, at, "price unlocked", line_id)

    def reprice(self, current: Mapping[str, Sequence[OptionPrice]], terms: PricingTerms | None = None,
                *, by: Actor, at: datetime) -> RepriceReport:
        """Reprice on today's list prices (`current`, by line id) and `terms`; report differences.

        Locked lines keep their prices; lines missing from `current` keep
        their options. See `preview_reprice` for the report without changes.
        """
        self._ensure_editable()
        report = self.preview_reprice(current, terms)
        for index, line in enumerate(self.lines):
            if not line.locked and line.line_id in current:
                self.lines[index] = replace(line, options=tuple(current[line.line_id]))
        if terms is not None:
            self.terms = terms
        if report.changed:
            self._price_changed(by, at, "repriced", f"net {report.before.net_total} -> "
                                f"{report.after.net_total}")
        else:
            self.log(by, at, "repriced", "no change")
        return report

    def preview_reprice(self, current: Mapping[str, Sequence[OptionPrice]],
                        terms: PricingTerms | None = None) -> RepriceReport:
        """What `reprice` would change, without changing anything."""
        new_terms = terms or self.terms
        before = self.price()
        after_lines: dict[str, LineBuildUp] = {}
        results = []
        for line in self.lines:
            options = tuple(current.get(line.line_id, line.options))
            unlocked = replace(line, options=options, locked_terms=None).price(new_terms)
            built = before.lines[line.line_id] if line.locked else unlocked
            after_lines[line.line_id] = built
            results.append(LineRepricing(line.line_id, before.lines[line.line_id].net, built.net,
                                         line.locked, unlocked.net if line.locked else None))
        after = total_quote(list(after_lines.values()), new_terms, self.discount, self.services)
        return RepriceReport(tuple(results), before.totals, after)

    # ------------------------------------------------------------ helpers
    def log(self, by: Actor | str, at: datetime, action: str, detail: str = "") -> None:
        """Append an event to the quote's history."""
        actor = by.id if isinstance(by, Actor) else by
        self.events.append(QuoteEvent(require_utc(at, "event time"), actor, action, detail))

    def _check_totals(self, services: list[ServiceLine]) -> None:
        # A price in fractions of the currency's smallest unit (1.5 VND) cannot be paid.
        for service in services:
            if round_money(service.unit_price, self.terms.currency) != service.unit_price:
                raise PricingError(f"{service.line_id}: {service.unit_price} is not an amount "
                                   f"of {self.terms.currency}")
        # An amount discount larger than the new subtotal is refused before anything changes.
        total_quote([line.price(self.terms) for line in self.lines], self.terms, self.discount,
                    services)

    def _ensure_editable(self) -> None:
        if self.frozen:
            raise QuoteFrozen(N_(
                "Quote %(number)s is %(status)s and can no longer be changed; "
                "create a revision to change it", number=str(self.number),
                status=STATUS_WORDS[self.status]))

    def _price_changed(self, by: Actor, at: datetime, action: str, detail: str) -> None:
        self.log(by, at, action, detail)
        if self.status in (Status.APPROVED, Status.PENDING_APPROVAL):
            # The manager approved (or is asked about) other prices than these.
            self.status = Status.DRAFT
            self.approval = None
            self.approval_steps = []
            self.log(by, at, "approval withdrawn", "prices changed after approval was asked for")

    def _next_line_id(self) -> str:
        # A counter, not len(lines): a removed line's id is never given to another line,
        # so comparing revisions never mistakes a new line for an old one.
        self.last_line_number += 1
        return f"L{self.last_line_number}"


def _describe_change(old: QuoteLine, new: QuoteLine, currency: str) -> str:
    """`L2: quantity 5 -> 12, discount -5% -> none` for the history."""
    parts = []
    if old.quantity != new.quantity:
        parts.append(f"quantity {old.quantity} -> {new.quantity}")
    if old.options != new.options:
        parts.append("configuration changed")
    if old.discount != new.discount:
        def text(d: Discount | None) -> str:
            return d.describe(currency) if d else "none"
        parts.append(f"discount {text(old.discount)} -> {text(new.discount)}")
    if old.kind != new.kind:
        parts.append(f"{old.kind.value} -> {new.kind.value}")
    return f"{new.line_id}: " + (", ".join(parts) or "no change")


__all__ = [
    "EDITABLE",
    "KEEP",
    "Actor",
    "Approval",
    "LineRepricing",
    "Quote",
    "QuoteEvent",
    "QuoteLine",
    "QuotePricing",
    "RepriceReport",
    "Status",
    "require_utc",
]
