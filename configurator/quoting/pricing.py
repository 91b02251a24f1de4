"""The price waterfall of a quote line and the totals of a quote (pure, all Decimal).

One line goes through these steps, each kept in its `LineBuildUp` with the
line amount after it and what was applied:

1. list price        the configuration's list price per unit (sum of its
                     options' list prices) times the quantity;
2. price list        the account's price list: fixed option prices replace
                     those options' list prices, then the percentage off for
                     the product line applies to the *other* options only (a
                     fixed price is already the negotiated price, so it is
                     never discounted twice);
3. quantity break    per product line, either "range" (every unit at the
                     tier the quantity reaches) or "slab" (each tier's units
                     at that tier's discount);
4. manual discount   staff's discount on the line, percent or an amount off
                     the line;
5. net               the line net, rounded.

Rounding, in one place per amount
---------------------------------
Steps 1-4 are exact Decimal arithmetic, never rounded: rounding after each
step drifts by a cent per step on lines with many units. Money is rounded
ROUND_HALF_UP to the currency's minor unit (`money.round_money`) exactly where
an amount is *created* for the document:

* each line net (step 5), from the exact amount after step 4;
* the quote-level discount amount, computed on the sum of rounded line nets;
* the tax, computed once on the quote's net total (after the quote discount).

Tax on the total, not per line: a quote has a single tax rule (the buyer's
country and treatment), so one rounding of the total tax is exact to half a
cent, while rounding per line can be off by up to half a cent per line (three
lines of 10.03 at 19 % give 5.72 on the total but 3 x 1.91 = 5.73 per line).
It also needs no allocation of a quote discount back onto lines.

The per-unit net (`LineBuildUp.unit_net`) is shown for reading only; the line
net is the binding amount and may differ from unit_net x quantity by less
than quantity x half a cent.

Optional and alternative lines are priced and shown like any line but are
kept out of the subtotal, the quote discount and the tax.

Service lines (freight, installation, a free-text item) have no waterfall:
staff enter a unit price (and a cost, for the margin), the line net is that
times the quantity, rounded once. A service line may carry its own VAT rate
(0 % for a pass-through charge, a reduced rate); it counts in the subtotal and
takes its share of the quote discount. With more than one rate the tax is
computed once per rate, on that rate's net after its share of the quote
discount (`TaxLine`), so every rate is still rounded exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Protocol

from .errors import PricingError
from .money import HUNDRED, ZERO, as_decimal, format_amount, format_percent, minor_unit, round_money
from .phrases import N_, Amount, Percent
from .taxes import TaxRule, TaxTreatment

# Bounds of what a person can mean: a larger quantity or amount is a typo (or an
# attack) and would only overflow the database or the decimal context further on.
MAX_QUANTITY = 100_000
MAX_AMOUNT = Decimal(1_000_000_000)


class LineKind(str, Enum):
    """Whether a line counts in the totals."""

    INCLUDED = "included"
    OPTIONAL = "optional"  # offered on top: shown, priced, not in totals
    ALTERNATIVE = "alternative"  # good/better/best instead of another line: not in totals


class StepKind(str, Enum):
    """The steps of the waterfall, in order."""

    LIST = "list"
    PRICE_LIST = "price_list"
    QUANTITY_BREAK = "quantity_break"
    DISCOUNT = "discount"
    NET = "net"


@dataclass(frozen=True)
class Discount:
    """A percentage off (Decimal("5") is 5 %) or an amount off; exactly one of the two."""

    percent: Decimal | None = None
    amount: Decimal | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise PricingError("A discount is either a percentage or an amount, not both or neither")
        if self.percent is not None:
            percent = as_decimal(self.percent, "discount percentage")
            if not ZERO <= percent <= HUNDRED:
                raise PricingError(f"A discount of {format_percent(percent)} is not between 0% and 100%")
            object.__setattr__(self, "percent", percent)
        if self.amount is not None:
            amount = as_decimal(self.amount, "discount amount")
            if amount < ZERO:
                raise PricingError("A discount amount cannot be negative")
            if amount > MAX_AMOUNT:
                raise PricingError(f"A discount amount is at most {MAX_AMOUNT:,}, "
                                   "not such a large number")
            object.__setattr__(self, "amount", amount)

    @classmethod
    def percent_off(cls, percent: Decimal | int | str, reason: str = "") -> Discount:
        """A discount of `percent` percent."""
        return cls(percent=as_decimal(percent, "discount percentage"), reason=reason)

    @classmethod
    def amount_off(cls, amount: Decimal | int | str, reason: str = "") -> Discount:
        """A discount of a fixed amount."""
        return cls(amount=as_decimal(amount, "discount amount"), reason=reason)

    def off(self, base: Decimal, currency: str, what: str = "the amount") -> Decimal:
        """What this discount takes off `base`; an amount above `base` is refused."""
        if self.percent is not None:
            return base * self.percent / HUNDRED
        assert self.amount is not None
        if self.amount > base:
            raise PricingError(
                f"A discount of {format_amount(self.amount, currency)} is more than "
                f"{what} ({format_amount(base, currency)})")
        return self.amount

    def describe(self, currency: str) -> str:
        """`-5%` or `-50.00 EUR`."""
        if self.percent is not None:
            return N_("-%(percent)s", percent=Percent(self.percent))
        assert self.amount is not None
        return N_("-%(amount)s", amount=Amount(self.amount, currency))


class _EnginePriceLine(Protocol):
    feature: str
    option: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class OptionPrice:
    """One chosen option of a configuration and its list price per unit (a frozen snapshot)."""

    feature: str
    option: str
    list_price: Decimal
    name: str = ""

    @classmethod
    def from_price_line(cls, line: _EnginePriceLine) -> OptionPrice:
        """From the engine's `PriceLine` (`catalog.price(selection).lines`)."""
        return cls(line.feature, line.option, line.amount, line.name)

    @property
    def label(self) -> str:
        """`feature=option`, as the engine writes a pick."""
        return f"{self.feature}={self.option}"


@dataclass(frozen=True)
class ServiceLine:
    """A free-text or service line (freight, installation): its own price, cost and VAT rate.

    `tax_rate` None means the quote's rate; a rate (percent) replaces it on a
    standard-taxed quote. Reverse-charge and zero-rated quotes stay at 0 for
    every line: the buyer's treatment decides, not the line. `unit_cost` is
    what the service costs us, for the staff margin only.
    """

    line_id: str
    description: str
    quantity: int
    unit_price: Decimal
    unit_cost: Decimal = ZERO
    tax_rate: Decimal | None = None

    def __post_init__(self) -> None:
        description = " ".join(str(self.description).split())
        if not description:
            raise PricingError("A service line needs a description (for example \"Freight\")")
        if len(description) > 200:
            raise PricingError("A service line's description is at most 200 characters")
        object.__setattr__(self, "description", description)
        _check_quantity(self.quantity)
        for name, what in (("unit_price", "unit price"), ("unit_cost", "unit cost")):
            value = as_decimal(getattr(self, name), what)
            if not ZERO <= value <= MAX_AMOUNT:
                raise PricingError(f"A service line's {what} is between 0 and {MAX_AMOUNT:,}")
            _two_places(value, f"A service line's {what}")
            object.__setattr__(self, name, value)
        if self.tax_rate is not None:
            rate = as_decimal(self.tax_rate, "VAT rate")
            if not ZERO <= rate <= HUNDRED:
                raise PricingError(f"A VAT rate of {format_percent(rate)} is not between 0% and 100%")
            _two_places(rate, "A VAT rate")
            object.__setattr__(self, "tax_rate", rate)

    def net(self, currency: str) -> Decimal:
        """Unit price x quantity, rounded half-up once (the binding amount)."""
        return round_money(self.unit_price * self.quantity, currency)

    @property
    def cost(self) -> Decimal:
        """What the line costs us: unit cost x quantity (staff only)."""
        return self.unit_cost * self.quantity

    def rate_under(self, rule: TaxRule) -> Decimal:
        """The VAT rate this line is taxed at under the quote's `rule`."""
        if self.tax_rate is None or rule.treatment is not TaxTreatment.STANDARD:
            return rule.rate
        return self.tax_rate


@dataclass(frozen=True)
class TaxLine:
    """The tax of one VAT rate: its label, the net it is charged on, and the amount."""

    rule: TaxRule
    base: Decimal
    amount: Decimal

    @property
    def label(self) -> str:
        """`VAT DE 19%` (a phrase, like `TaxRule.label`)."""
        return self.rule.label


@dataclass(frozen=True)
class PriceList:
    """An account's negotiated prices.

    `percent_off`: product line -> percent off list price.
    `option_prices`: (product line, feature, option) -> unit price that
    replaces that option's list price.
    """

    name: str
    percent_off: Mapping[str, Decimal] = field(default_factory=dict)
    option_prices: Mapping[tuple[str, str, str], Decimal] = field(default_factory=dict)

    def apply(self, product_line: str, options: Sequence[OptionPrice],
              currency: str) -> tuple[Decimal, tuple[str, ...]]:
        """Unit price after this list for a configuration of `product_line`, and what applied."""
        fixed_total = ZERO
        other_total = ZERO
        applied: list[str] = []
        for option in options:
            fixed = self.option_prices.get((product_line, option.feature, option.option))
            if fixed is None:
                other_total += option.list_price
                continue
            fixed_total += fixed
            applied.append(
                N_("Price list '%(name)s': %(option)s at %(price)s instead of %(list)s",
                   name=self.name, option=option.label, price=Amount(fixed, currency),
                   list=Amount(option.list_price, currency)))
        percent = self.percent_off.get(product_line)
        if percent:
            other_total -= other_total * percent / HUNDRED
            applied.append(N_("Price list '%(name)s': -%(percent)s on %(line)s",
                              name=self.name, percent=Percent(percent), line=product_line))
        return fixed_total + other_total, tuple(applied)


class BreakMode(str, Enum):
    """How a quantity break prices the units."""

    RANGE = "range"  # every unit at the tier the whole quantity reaches
    SLAB = "slab"  # units 1..9 at tier 1, 10..49 at tier 2, ...


@dataclass(frozen=True)
class QuantityTier:
    """From `min_quantity` units on, `discount` per unit (percent, or an amount off each unit)."""

    min_quantity: int
    discount: Discount


@dataclass(frozen=True)
class QuantityBreak:
    """The quantity breaks of one product line, in one mode."""

    product_line: str
    mode: BreakMode
    tiers: tuple[QuantityTier, ...]

    def __post_init__(self) -> None:
        minimums = [tier.min_quantity for tier in self.tiers]
        if not minimums or minimums[0] < 1 or minimums != sorted(set(minimums)):
            raise PricingError(
                f"Quantity breaks of {self.product_line} need tiers with distinct minimum "
                f"quantities from 1 up, in ascending order; got {minimums}")

    def apply(self, unit_price: Decimal, quantity: int,
              currency: str) -> tuple[Decimal, tuple[str, ...]]:
        """Line amount for `quantity` units of `unit_price` after the breaks, and what applied."""
        if self.mode is BreakMode.RANGE:
            reached = [t for t in self.tiers if t.min_quantity <= quantity]
            if not reached:
                return unit_price * quantity, ()
            tier = reached[-1]
            unit = unit_price - tier.discount.off(unit_price, currency, "the unit price")
            if unit == unit_price:
                return unit_price * quantity, ()
            return unit * quantity, (
                N_("Quantity break %(minimum)s+: %(discount)s", minimum=tier.min_quantity,
                   discount=tier.discount.describe(currency)),)
        amount = ZERO
        applied: list[str] = []
        bounds = [t.min_quantity for t in self.tiers[1:]] + [quantity + 1]
        if self.tiers[0].min_quantity > 1:
            units = min(quantity, self.tiers[0].min_quantity - 1)
            amount += unit_price * units
        for tier, next_min in zip(self.tiers, bounds):
            units = min(quantity + 1, next_min) - tier.min_quantity
            if units <= 0:
                break
            unit = unit_price - tier.discount.off(unit_price, currency, "the unit price")
            amount += unit * units
            if unit != unit_price:
                applied.append(N_("Quantity break %(minimum)s+ (slab): %(units)s units at %(discount)s",
                                  minimum=tier.min_quantity, units=units,
                                  discount=tier.discount.describe(currency)))
        return amount, tuple(applied)


@dataclass(frozen=True)
class PricingTerms:
    """Everything outside a line that prices it: currency, tax, price list, quantity breaks.

    A quote keeps one snapshot of its terms, so a change to an account's price
    list reaches a quote only through an explicit reprice.
    """

    currency: str
    tax: TaxRule
    price_list: PriceList | None = None
    quantity_breaks: tuple[QuantityBreak, ...] = ()

    def __post_init__(self) -> None:
        minor_unit(self.currency)  # fail early on an unknown currency
        lines = [b.product_line for b in self.quantity_breaks]
        if len(lines) != len(set(lines)):
            raise PricingError("At most one set of quantity breaks per product line")

    def break_for(self, product_line: str) -> QuantityBreak | None:
        """The quantity breaks of `product_line`, or None."""
        return next((b for b in self.quantity_breaks if b.product_line == product_line), None)


@dataclass(frozen=True)
class PriceStep:
    """The line amount after one step of the waterfall and what the step applied."""

    kind: StepKind
    amount: Decimal
    applied: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineBuildUp:
    """The price waterfall of one line: list, price list, quantity break, discount, net."""

    product_line: str
    quantity: int
    currency: str
    unit_list_price: Decimal
    steps: tuple[PriceStep, ...]
    kind: LineKind = LineKind.INCLUDED

    def step(self, kind: StepKind) -> PriceStep:
        """The step of `kind` (every build-up has all five)."""
        return next(s for s in self.steps if s.kind is kind)

    def change(self, kind: StepKind) -> Decimal:
        """How much the step of `kind` changed the line amount (negative for a reduction)."""
        index = next(i for i, s in enumerate(self.steps) if s.kind is kind)
        return self.steps[index].amount - self.steps[index - 1].amount if index else ZERO

    @property
    def list_amount(self) -> Decimal:
        """Unit list price x quantity."""
        return self.step(StepKind.LIST).amount

    @property
    def net(self) -> Decimal:
        """The line net: the binding amount, rounded half-up to the minor unit."""
        return self.step(StepKind.NET).amount

    @property
    def unit_net(self) -> Decimal:
        """Net per unit, for reading (rounded; the line net is what counts)."""
        exact = self.step(StepKind.DISCOUNT).amount / self.quantity
        return round_money(exact, self.currency)

    @property
    def in_totals(self) -> bool:
        """Optional and alternative lines are shown but not added up."""
        return self.kind is LineKind.INCLUDED

    @property
    def manual_discount_percent(self) -> Decimal:
        """The staff discount as a percentage of the amount it applied to (for approval)."""
        before = self.step(StepKind.QUANTITY_BREAK).amount
        if before == ZERO:
            return ZERO
        return -self.change(StepKind.DISCOUNT) * HUNDRED / before

    def applied(self) -> list[str]:
        """Every rule applied, in order, for the price build-up shown to staff."""
        return [text for step in self.steps for text in step.applied]


def price_line(product_line: str, options: Iterable[OptionPrice], quantity: int,
               terms: PricingTerms, discount: Discount | None = None,
               kind: LineKind = LineKind.INCLUDED) -> LineBuildUp:
    """The waterfall of `quantity` units of a configuration of `product_line`.

    `options` are the configuration's chosen options with their list prices
    per unit. Raises PricingError for a quantity below 1 or a discount larger
    than what it applies to.
    """
    _check_quantity(quantity)
    options = tuple(options)
    currency = terms.currency
    unit_list = sum((as_decimal(o.list_price, "list price") for o in options), ZERO)
    steps = [PriceStep(StepKind.LIST, unit_list * quantity,
                       (N_("List price: %(quantity)s x %(price)s", quantity=quantity,
                           price=Amount(unit_list, currency)),))]

    unit = unit_list
    applied: tuple[str, ...] = ()
    if terms.price_list is not None:
        unit, applied = terms.price_list.apply(product_line, options, currency)
    steps.append(PriceStep(StepKind.PRICE_LIST, unit * quantity, applied))

    amount = unit * quantity
    applied = ()
    quantity_break = terms.break_for(product_line)
    if quantity_break is not None:
        amount, applied = quantity_break.apply(unit, quantity, currency)
    steps.append(PriceStep(StepKind.QUANTITY_BREAK, amount, applied))

    applied = ()
    if discount is not None:
        amount -= discount.off(amount, currency, "the line amount")
        applied = (_with_reason(N_("Manual discount: %(discount)s",
                                   discount=discount.describe(currency)), discount),)
    steps.append(PriceStep(StepKind.DISCOUNT, amount, applied))

    steps.append(PriceStep(StepKind.NET, round_money(amount, currency),
                           (N_("Line net, rounded half up to %(unit)s",
                               unit=Amount(minor_unit(currency), currency)),)))
    return LineBuildUp(product_line, quantity, currency, unit_list, tuple(steps), kind)


def _two_places(value: Decimal, what: str) -> None:
    # Amounts are kept with two decimals; a third would be rounded away silently.
    if value != value.quantize(Decimal("0.01")):
        raise PricingError(f"{what} has at most two decimals, not {value}")


def _check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise PricingError(f"A line needs a whole quantity of at least 1, not {quantity!r}")
    if quantity > MAX_QUANTITY:
        raise PricingError(f"A line's quantity is at most {MAX_QUANTITY:,}, not {quantity:,}")


@dataclass(frozen=True)
class QuoteTotals:
    """Subtotal of the included lines, quote discount, net, tax and gross."""

    currency: str
    subtotal: Decimal
    discount_amount: Decimal
    discount_applied: str
    net_total: Decimal
    tax: TaxRule
    tax_amount: Decimal
    gross_total: Decimal
    not_in_totals: Decimal  # net of optional and alternative lines, shown beside the totals
    # The share of the subtotal the quote discount takes, exact (before its rounding to the
    # cent): 10 % is exactly 0.1, so a discount of exactly the approval threshold passes.
    discount_fraction: Decimal = ZERO
    # `not_in_totals` split: optional lines add up (a client may take several), while
    # alternatives only replace a line, so their sum means nothing and is not shown.
    optional_net: Decimal = ZERO
    # The tax per VAT rate (one entry unless a service line has its own rate);
    # `tax_amount` is their sum.
    tax_lines: tuple[TaxLine, ...] = ()
    services_net: Decimal = ZERO  # the service lines' share of the subtotal

    @property
    def discount_percent(self) -> Decimal:
        """The quote discount as an exact percentage of the subtotal (for approval)."""
        return self.discount_fraction * HUNDRED


def total_quote(lines: Sequence[LineBuildUp], terms: PricingTerms,
                discount: Discount | None = None,
                services: Sequence[ServiceLine] = ()) -> QuoteTotals:
    """The totals of a quote whose lines are priced as `lines`, plus its `services`.

    Only included lines count. The quote discount is rounded once on the
    subtotal of rounded line nets; the tax is rounded once per VAT rate on that
    rate's net after its share of the discount.
    """
    currency = terms.currency
    services_net = sum((s.net(currency) for s in services), ZERO)
    subtotal = sum((line.net for line in lines if line.in_totals), ZERO) + services_net
    others = sum((line.net for line in lines if not line.in_totals), ZERO)
    optional = sum((line.net for line in lines if line.kind is LineKind.OPTIONAL), ZERO)
    discount_amount = ZERO
    fraction = ZERO
    applied = ""
    if discount is not None:
        exact = discount.off(subtotal, currency, "the subtotal")
        fraction = discount.percent / HUNDRED if discount.percent is not None else (
            exact / subtotal if subtotal else ZERO)
        discount_amount = round_money(exact, currency)
        applied = _with_reason(N_("Quote discount: %(discount)s",
                                  discount=discount.describe(currency)), discount)
    net_total = subtotal - discount_amount
    tax_lines = _tax_lines(subtotal - services_net, services, terms, discount_amount)
    tax_amount = sum((t.amount for t in tax_lines), ZERO)
    return QuoteTotals(currency, subtotal, discount_amount, applied, net_total, terms.tax,
                       tax_amount, net_total + tax_amount, others, fraction, optional,
                       tax_lines, services_net)


def _tax_lines(goods_net: Decimal, services: Sequence[ServiceLine], terms: PricingTerms,
               discount_amount: Decimal) -> tuple[TaxLine, ...]:
    """The tax per VAT rate, highest rate first.

    The quote discount is shared over the rates in proportion to their nets;
    each share but the largest rate's is rounded, the largest takes the rest,
    so the bases add up to the net total exactly.
    """
    rule, currency = terms.tax, terms.currency
    nets: dict[Decimal, Decimal] = {rule.rate: goods_net}
    for service in services:
        rate = service.rate_under(rule)
        nets[rate] = nets.get(rate, ZERO) + service.net(currency)
    subtotal = sum(nets.values(), ZERO)
    rates = sorted(nets, key=lambda rate: (nets[rate], rate), reverse=True)
    shares = {rate: round_money(discount_amount * nets[rate] / subtotal, currency)
              if subtotal else ZERO for rate in rates[1:]}
    shares[rates[0]] = discount_amount - sum(shares.values(), ZERO)
    lines = []
    for rate in sorted(nets, reverse=True):
        if rate != rule.rate and not nets[rate]:
            continue
        base = nets[rate] - shares[rate]
        lines.append(TaxLine(TaxRule(rule.country, rate, rule.treatment), base,
                             round_money(base * rate / HUNDRED, currency)))
    return tuple(lines)


def _with_reason(text: str, discount: Discount) -> str:
    """`text (reason)` when the discount has a reason (the reason is the seller's own words)."""
    return N_("%(text)s (%(reason)s)", text=text, reason=discount.reason) if discount.reason else text
