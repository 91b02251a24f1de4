"""Checkout: the review before an order (the configuration's lines, its
delivery and billing choices, net, VAT and gross for the delivery country,
the terms), the customer's address book, and placing the order with the
address and the accepted terms, confirmed by e-mail through the outbox.

Catalog prices include VAT (the shop's footer says so); the breakdown shows
the net and the VAT within them at the delivery country's standard rate.
Payment stays a catalog choice (the billing dimension: invoice, pay on
delivery, ...); `payments.PaymentProvider` is where a provider that takes money
online plugs in (the checkout view starts it after the commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from babel import Locale
from sqlalchemy.orm import Session

from configurator.engine.rewards import Reward
from configurator.quoting.money import CURRENCY_DIGITS
from configurator.quoting.phrases import N_, Amount, Day, Joined, Percent
from configurator.quoting.taxes import VAT_TABLE, tax_name
from configurator.services import deliveries, orders, payments
from configurator.services.errors import NotFound, ServiceError
from configurator.services.messages import outbox
from configurator.services.unit_of_work import use_case
from configurator.store.models import Address, Configuration, Order, Revision, User
from configurator.store.types import utcnow

TERMS_VERSION = "2026-12"  # the terms a customer accepts; kept with each order
# The standard VAT of each country the shop charges it for (quoting.taxes.VAT_TABLE, the
# table the quotes use too), as fractions by lowercase code. A delivery anywhere else pays
# no VAT of ours (rate 0, the checkout says so): the destination's import taxes are the customer's.
VAT_RATES = {code.lower(): vat.fraction for code, vat in VAT_TABLE.items() if vat.at_shop}
NO_VAT = Decimal("0")
# CLDR territories that are no country to deliver to (groupings, codes for testing).
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
_ENGLISH = Locale.parse("en").territories
CHOICE_DIMENSIONS = ("delivery", "billing")


# An address's fields as the refusals name them (a Phrase each: shown in the reader's language).
FIELD_NAMES = {"name": N_("name"), "street": N_("street"), "postcode": N_("postcode"), "city": N_("city")}


class CheckoutRefused(ServiceError, ValueError):
    """The order cannot be placed as asked (terms not accepted, a bad address)."""


@dataclass(frozen=True)
class AddressInput:
    """A new address as the customer typed it."""

    name: str
    street: str
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class VatBreakdown:
    """Net, VAT and gross of an amount that includes VAT, for one country."""

    country: str
    rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal

    @property
    def country_name(self) -> str:
        """The country in English words (pages name it in the reader's language)."""
        return country_name(self.country)

    @property
    def charged(self) -> bool:
        """Whether the shop charges VAT on deliveries there (else the rate is 0)."""
        return self.country in VAT_RATES

    @property
    def percent(self) -> str:
        """The rate as people write it: "19", "8.1"."""
        return f"{(self.rate * 100).normalize():f}"

    @property
    def name(self) -> str:
        """The tax's name (a phrase: "VAT", "thuế GTGT", "مالیات بر ارزش افزوده" per reader)."""
        return tax_name(self.country)

    @property
    def label(self) -> str:
        """The tax and its rate, as the totals name the tax's line: "VAT 19%"."""
        return N_("%(tax)s %(percent)s", tax=self.name, percent=Percent(self.rate * 100))

    @classmethod
    def from_json(cls, kept: dict[str, str]) -> VatBreakdown:
        """The breakdown an order kept (`to_json`)."""
        return cls(kept["country"], Decimal(kept["rate"]), Decimal(kept["net"]),
                   Decimal(kept["vat"]), Decimal(kept["gross"]))

    def to_json(self) -> dict[str, str]:
        """For the order's snapshot."""
        return {
            "country": self.country,
            "rate": str(self.rate),
            "net": str(self.net),
            "vat": str(self.vat),
            "gross": str(self.gross),
        }


@dataclass
class Review:
    """What the customer checks before ordering."""

    configuration: Configuration
    revision: Revision
    snapshot: dict[str, Any]  # lines with names and prices, as the order will keep them
    choices: list[dict[str, Any]]  # its delivery and billing lines
    addresses: list[Address]
    vat: VatBreakdown
    estimated_delivery: date  # if ordered now

    @property
    def currency(self) -> str:
        """The catalog's currency."""
        return self.snapshot["catalog"]["currency"]

    @property
    def recurring(self) -> deliveries.Recurrence | None:
        """Today's total apart from what is paid again, for a subscription."""
        data = self.snapshot.get("recurring")
        return deliveries.Recurrence.from_json(data) if data else None


def delivers_to(country: str | None) -> bool:
    """Whether `country` is an ISO code of a country (any: the shop delivers everywhere)."""
    code = (country or "").upper()
    return len(code) == 2 and code in _ENGLISH and code not in NOT_COUNTRIES


def country_name(country: str, locale: str = "en") -> str:
    """A country's name in `locale` (CLDR, via Babel), else in English, else its code."""
    code = country.upper()
    return Locale.parse(locale).territories.get(code) or _ENGLISH.get(code) or code


def vat_rate(country: str) -> Decimal:
    """The standard VAT rate the shop charges on deliveries to `country`; 0 elsewhere."""
    return VAT_RATES.get(country.lower(), NO_VAT)


def vat_breakdown(gross: Decimal, country: str, currency: str | None) -> VatBreakdown:
    """The VAT within `gross` at `country`'s rate, in `currency`'s smallest unit (cents,
    whole đồng, whole rials); CheckoutRefused for what is no country."""
    if not delivers_to(country):
        raise CheckoutRefused(N_("We do not deliver to “%(country)s”.", country=country))
    rate = vat_rate(country)
    gross = _rounded(Decimal(gross), currency)
    net = _rounded(gross / (1 + rate), currency)
    return VatBreakdown(country.lower(), rate, net, gross - net, gross)


def _rounded(amount: Decimal, currency: str | None) -> Decimal:
    """Half up to the currency's minor unit; cents for a currency money.py does not list
    (a catalog may be priced in any three-letter code)."""
    digits = CURRENCY_DIGITS.get((currency or "").upper(), 2)
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def address_book(session: Session, owner: User) -> list[Address]:
    """The customer's addresses, newest first."""
    query = (
        sa.select(Address)
        .where(Address.owner_id == owner.id)
        .order_by(Address.created_at.desc(), Address.id.desc())
    )
    return list(session.scalars(query))


def review(
    session: Session,
    owner: User,
    configuration_id: int,
    reward: Reward | None = None,
    *,
    now: datetime | None = None,
) -> Review:
    """The newest revision of one's configuration as it would be ordered `now` (with an
    offer's reward when it applies: the snapshot's `offer` line).

    NotOrderable when it cannot be ordered as it is (see `orders.orderable`).
    """
    configuration, revision, version, catalog = orders.orderable(session, owner, configuration_id)
    snapshot = orders.snapshot(catalog, version, revision.selection, reward)
    addresses = address_book(session, owner)
    country = addresses[0].country if addresses else (owner.country or "de")
    if not delivers_to(country):
        country = "de"
    return Review(
        configuration=configuration,
        revision=revision,
        snapshot=snapshot,
        choices=[line for line in snapshot["lines"] if line["dimension"] in CHOICE_DIMENSIONS],
        addresses=addresses,
        vat=vat_breakdown(Decimal(snapshot["total"]), country, snapshot["catalog"]["currency"]),
        estimated_delivery=deliveries.estimated_delivery(catalog, revision.selection, now, country),
    )


@use_case
def add_address(
    session: Session, owner: User, given: AddressInput, *, now: datetime | None = None
) -> Address:
    """Add an address to the customer's book; CheckoutRefused, in words, for a bad one."""
    fields = {name: " ".join(str(value or "").split()) for name, value in vars(given).items()}
    missing = [FIELD_NAMES[name] for name in ("name", "street", "postcode", "city") if not fields[name]]
    if missing:
        raise CheckoutRefused(N_("Please fill in the address: %(fields)s.", fields=missing))
    limits = {"name": 120, "street": 200, "postcode": 20, "city": 120}
    too_long = [FIELD_NAMES[name] for name, limit in limits.items() if len(fields[name]) > limit]
    if too_long:
        raise CheckoutRefused(N_("Too long: %(fields)s.", fields=too_long))
    country = fields["country"].lower()
    if not delivers_to(country):
        raise CheckoutRefused(N_("Please choose a country we deliver to."))
    address = Address(owner_id=owner.id, created_at=now or utcnow(), **{**fields, "country": country})
    session.add(address)
    session.flush()
    return address


@use_case
def place_order(
    session: Session,
    owner: User,
    configuration_id: int,
    revision_number: int,
    *,
    terms_accepted: bool,
    address_id: int | None = None,
    new_address: AddressInput | None = None,
    now: datetime | None = None,
    reward: Reward | None = None,
    quantity: int = 1,
) -> Order:
    """Order the reviewed revision to an address from the book (or a new one, added
    to it), with the terms accepted; the confirmation e-mail goes out with it.
    `reward`: an offer's reward (see `offers.campaigns.place_order`).

    CheckoutRefused without the terms or an address; NotOrderable when the
    revision cannot be ordered (see `orders.orderable`).
    """
    now = now or utcnow()
    already = orders.placed_from(session, owner, configuration_id, revision_number)
    if already is not None:
        return already  # the checkout posted again: one order per revision
    if not terms_accepted:
        raise CheckoutRefused(N_("Please accept the terms of sale to place the order."))
    orders.check_quantity(quantity)
    address = delivery_address(session, owner, address_id, new_address, now=now)
    _, revision, _, catalog = orders.orderable(session, owner, configuration_id, revision_number)
    vat = vat_breakdown(
        orders.charged(catalog, revision.selection, reward) * quantity, address.country,
        catalog.model.currency,
    )
    kept = {
        "address": address.lines(),
        "country": address.country,
        "vat": vat.to_json(),
        "terms": {"version": TERMS_VERSION, "accepted_at": now.isoformat()},
    }
    order = orders.place(
        session, owner, configuration_id, revision_number, now=now, extra={"checkout": kept},
        reward=reward,
        quantity=quantity,
    )
    outbox.enqueue(
        session,
        confirmation(order, vat),
        recipient=owner,
        dedupe_key=f"order-confirmation:{order.number}",
        now=now,
    )
    return order


def delivery_address(
    session: Session,
    owner: User,
    address_id: int | None,
    new_address: AddressInput | None,
    *,
    now: datetime | None = None,
) -> Address:
    """The address an order goes to: a new one (added to the book), or one from the book;
    CheckoutRefused when neither is given, NotFound for someone else's."""
    if new_address is not None:
        return add_address(session, owner, new_address, now=now)
    if address_id is not None:
        return _own_address(session, owner, address_id)
    raise CheckoutRefused(N_("Please choose a delivery address or enter a new one."))


def _line(line: dict, currency: str, paid_again: bool) -> str:
    """One bought option of the confirmation, with what is paid again for it."""
    values = {"feature": line["feature_name"], "option": line["option_name"],
              "amount": Amount(Decimal(line["amount"]), currency, coded=False)}
    again = line.get("recurring") if paid_again else None
    if again == "per_delivery":
        return N_("- %(feature)s: %(option)s (%(amount)s per delivery)", **values)
    if again == "per_month":
        return N_("- %(feature)s: %(option)s (%(amount)s per month)", **values)
    return N_("- %(feature)s: %(option)s (%(amount)s)", **values)


def _totals(order: Order, vat: VatBreakdown, recurring, paid_again: bool) -> str:
    """Total (or today's total) with net and VAT, then what is paid per delivery or month."""
    currency = order.currency
    values = {"gross": Amount(vat.gross, currency),
              "net": Amount(vat.net, currency, coded=False),
              "tax": vat.label,
              "vat": Amount(vat.vat, currency, coded=False)}
    if not paid_again:
        return N_("Total %(gross)s (net %(net)s, %(tax)s %(vat)s).", **values)
    parts: list[str] = [N_("Today %(gross)s (net %(net)s, %(tax)s %(vat)s).", **values)]
    if recurring.per_delivery and recurring.repeats:
        amount = Amount(recurring.per_delivery, currency)
        parts.append(N_("Then %(amount)s per delivery (%(schedule)s).", amount=amount,
                        schedule=recurring.schedule) if recurring.schedule
                     else N_("Then %(amount)s per delivery.", amount=amount))
    if recurring.per_month:
        parts.append(N_("Then %(amount)s per month.",
                        amount=Amount(recurring.per_month, currency)))
    return Joined(tuple(parts))


def confirmation(order: Order, vat: VatBreakdown) -> outbox.Draft:
    """The order confirmation e-mail: its frame, lines, totals, dates and payment are
    phrases, written in the recipient's saved language by `outbox.enqueue`."""
    recurring = deliveries.of_order(order)
    payment = payments.provider().payment(order)
    paid_again = recurring is not None and recurring.recurs
    if "items" in order.snapshot:  # from the cart: each configuration under its name
        items = orders.items_of(order.snapshot)
        lines = Joined(tuple(_item_text(item, order.currency, paid_again) for item in items),
                       "\n\n")
    else:
        lines = _lines_text(order.snapshot, order.currency, paid_again)
    if "offer" in order.snapshot:  # the offer follows the last line on its own line
        offer = order.snapshot["offer"]
        lines = Joined((lines, N_(
            "- %(reason)s (%(amount)s)", reason=orders.reward_reason(offer),
            amount=Amount(Decimal(str(offer["amount"])), order.currency, coded=False))))
    if orders.quantity_of(order) > 1 and "items" not in order.snapshot:
        lines = Joined((lines, N_(
            "Quantity: %(count)s x %(unit)s", count=orders.quantity_of(order),
            unit=Amount(Decimal(str(order.snapshot["unit_total"])), order.currency,
                        coded=False))), "\n\n")
    address = "\n".join(order.snapshot["checkout"]["address"])
    total = _totals(order, vat, recurring, paid_again)
    estimate = order.snapshot.get("estimated_delivery")
    arrives = (N_("Expected delivery: %(day)s.\n\n", day=Day(date.fromisoformat(estimate)))
               if estimate else "")
    # The frame in the recipient's language (outbox.enqueue); the lines and totals as computed.
    body = N_(
        "Thank you for your order %(number)s.\n\n%(lines)s\n\n%(total)s\n\n"
        "Delivery to:\n%(address)s\n\n%(arrives)s"
        "Payment: %(method)s. %(instructions)s\n\n"
        "We confirm it once production is planned; you can cancel until then.",
        number=order.number, lines=lines, total=total, address=address, arrives=arrives,
        method=payment.method, instructions=payment.instructions,
    )
    return outbox.Draft(
        kind="order_confirmation",
        subject=N_("Your order %(number)s", number=order.number),
        body=body,
        reason=N_("You placed order %(number)s.", number=order.number),
        action_url=f"/account/orders/{order.number}",
        action_label=N_("See your order"),
    )


def _lines_text(kept: dict[str, Any], currency: str, paid_again: bool) -> Joined:
    """One configuration's lines for the e-mail, one a line."""
    return Joined(tuple(_line(line, currency, paid_again) for line in kept["lines"]))


def _item_text(item: dict[str, Any], currency: str, paid_again: bool) -> Joined:
    """One item of a cart order for the e-mail: its name, how many, its total, its lines."""
    quantity = int(item.get("quantity", 1))
    unit = item.get("unit_total", item["total"])
    head = N_("%(name)s (%(catalog)s): %(count)s x %(unit)s = %(total)s",
              name=item["configuration"]["name"], catalog=item["catalog"]["name"],
              count=quantity, unit=Amount(Decimal(str(unit)), currency, coded=False),
              total=Amount(Decimal(str(item["total"])), currency, coded=False))
    return Joined((head, _lines_text(item, currency, paid_again)))


def _own_address(session: Session, owner: User, address_id: int) -> Address:
    address = session.get(Address, address_id)
    if address is None or address.owner_id != owner.id:
        raise NotFound("There is no such address.")
    return address
