"""Guest orders: a shopper without an account orders one configuration with an
e-mail address; the order belongs to a guest record of that address until an
account with the same address *confirms* it (`claim`, called from
`passwords.email_verified`), then it moves to that account in that transaction.

A guest record is a customer row nobody can sign in to or reset: its password
hash is `GUEST_HASH` (no password matches it) and its e-mail column holds
`<address>@guest.invalid` (two "@" and a reserved domain: no mail can reach it
and the sign-up form refuses it), so it never takes an account's address and
one record keeps every guest order of one address. Mail for the guest goes to
the address itself (`outbox.enqueue(to_address=...)`). Privacy export and
erasure treat it as any customer.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from configurator.engine import SelectionError
from configurator.quoting.phrases import N_, CatalogWords, Phrase
from configurator.services import (
    catalogs,
    checkout,
    guest_claims,
    orders,
    passwords,
    timeline,
    users,
)
from configurator.services.checkout import AddressInput, CheckoutRefused
from configurator.services.configuring import configurations
from configurator.services.errors import NotOrderable
from configurator.services.guest_records import (
    GUEST_DOMAIN,
    GUEST_HASH,
    guest_email,
    is_guest,
    revalue,
)
from configurator.services.identify.merging import MOVES
from configurator.services.messages import outbox
from configurator.services.unit_of_work import use_case
from configurator.store.models import Order, User
from configurator.store.types import utcnow

log = logging.getLogger(__name__)
MAX_EMAIL = 254 - len(GUEST_DOMAIN)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # as the sign-up form checks it
# What moves from the guest record to the account (the merge's moves, minus API tokens,
# which a guest cannot have).
GUEST_FACTS = {"segment": "consumer", "business": "no"}  # a guest record's `User.facts()`
SUBMISSION = re.compile(r"[A-Za-z0-9_-]{16,64}")  # the review form's token (secrets.token_urlsafe)
CLAIMED = ("configurations", "addresses", "orders", "timeline", "messages", "offer_events")


def check_email(email: str) -> str:
    """The normalized address; CheckoutRefused for what is no e-mail address."""
    email = users.normalize_email(str(email or ""))
    if not EMAIL.match(email) or len(email) > MAX_EMAIL:
        raise CheckoutRefused(N_("Please enter a valid e-mail address."))
    return email


def review(session: Session, catalog_id: str, selection: dict[str, Any],
           country: str = "de") -> tuple[dict[str, Any], checkout.VatBreakdown]:
    """The lines (as the order would keep them) and what the guest pays for
    `selection` on today's catalog, with the VAT of `country`.

    NotFound for an unknown product line; NotOrderable for incomplete picks.
    """
    version = catalogs.current(session, catalog_id)
    catalog = catalogs.engine_catalog(version)
    try:
        complete = catalog.domains(selection, customer=GUEST_FACTS).complete
    except (SelectionError, KeyError, TypeError, ValueError):
        complete = False
    if not complete:
        raise NotOrderable(N_(
            "Only complete configurations can be ordered. Finish the open choices first."))
    kept = orders.snapshot(catalog, version, selection)
    return kept, checkout.vat_breakdown(Decimal(kept["total"]), country,
                                        kept["catalog"]["currency"])


def country_needs(session: Session, catalog_id: str, selection: dict[str, Any],
                  country: str) -> Phrase | None:
    """What `selection` lacks to be ordered for delivery to `country`, or None.

    The guest's configurator does not know the country, so a rule on
    `customer.country` ("bikes sold in Germany must have lights") first applies
    here: without this, ordering refused with "Finish the open choices first",
    though the configurator said the picks were complete."""
    catalog = catalogs.engine_catalog(catalogs.current(session, catalog_id))
    try:
        state = catalog.domains(selection, customer=GUEST_FACTS | {"country": country.lower()})
    except (SelectionError, KeyError, TypeError, ValueError):
        return None  # `review` refuses such picks already
    if state.complete:
        return None
    if not state.consistent:
        return N_("Some of your choices cannot be delivered to this country. Change the "
                  "configuration or the country.")
    missing = [_words(catalog, ("feature", feature.id), feature.name)
               for feature in catalog.model.features
               if not state.selection.get(feature.id) and feature.id not in state.may_be_empty]
    return N_("For delivery to this country, also choose: %(features)s. Change the "
              "configuration, then order.", features=missing)


def _words(catalog, key: tuple[str, ...], text: str) -> CatalogWords:
    """The catalog's text with its `translations:` of `key`, for the reader's language."""
    translations = getattr(catalog.model, "translations", None) or {}
    return CatalogWords(text, {language: texts.lookup(key, "")
                               for language, texts in translations.items()})


@use_case
def place_order(
    session: Session,
    email: str,
    catalog_id: str,
    selection: dict[str, Any],
    *,
    name: str,
    address: AddressInput,
    terms_accepted: bool,
    locale: str | None = None,
    submission: str | None = None,
    now: datetime | None = None,
) -> Order:
    """Order `selection` as a guest of `email`, delivered to `address`; the
    confirmation goes to `email` (in `locale`).

    `submission` is the review form's own random token: the same form posted
    again (a double click, a retry) gets the order its first post placed, not a
    second one. CheckoutRefused without the terms, for a bad address or e-mail;
    InvalidSelection / NotOrderable for picks that cannot be ordered.
    """
    now = now or utcnow()
    guest, placed = begin(session, email, address, terms_accepted=terms_accepted, locale=locale,
                          submission=submission, now=now)
    if placed is not None:
        return placed
    submission = submission_token(submission)
    kept_address = checkout.add_address(session, guest, address, now=now)
    configuration = configurations.create(session, guest, catalog_id, name,
                                          selection, now=now)
    _, revision, _, catalog = orders.orderable(session, guest, configuration.id)
    vat = checkout.vat_breakdown(orders.charged(catalog, revision.selection), kept_address.country,
                                 catalog.model.currency)
    kept = {
        "address": kept_address.lines(),
        "country": kept_address.country,
        "vat": vat.to_json(),
        "terms": {"version": checkout.TERMS_VERSION, "accepted_at": now.isoformat()},
        "guest": True,
    } | ({"submission": submission} if submission else {})
    order = orders.place(session, guest, configuration.id, revision.number, now=now,
                         extra={"checkout": kept})
    send_confirmation(session, guest, order, vat, now)
    return order


def begin(session: Session, email: str, address: AddressInput, *, terms_accepted: bool,
          locale: str | None, submission: str | None, now: datetime) -> tuple[User, Order | None]:
    """Within the caller's use case, the start of every guest checkout (one configuration
    or a guest's cart): the guest record of `email`, locked until the order commits, and
    the order this very review form (`submission`) placed already, if any.
    CheckoutRefused for a bad e-mail address or without the terms."""
    email = check_email(email)
    if not terms_accepted:
        raise CheckoutRefused(N_("Please accept the terms of sale to place the order."))
    guest = _guest_of(session, email, address, locale, now)
    return guest, _placed_with(session, guest, submission_token(submission))


def send_confirmation(session: Session, guest: User, order: Order, vat: checkout.VatBreakdown,
                      now: datetime) -> None:
    """Within the caller's use case: the order's confirmation, to the guest's own address."""
    email = guest.email.removesuffix(GUEST_DOMAIN)
    outbox.enqueue(session, _confirmation(session, order, vat, email, now), recipient=guest,
                   to_address=email, dedupe_key=f"order-confirmation:{order.number}", now=now)


def _confirmation(session: Session, order: Order, vat: checkout.VatBreakdown, email: str,
                  now: datetime) -> outbox.Draft:
    """The order's confirmation for the guest's address. The guest cannot open
    /account: the mail invites them to an account, or, when the address has a
    confirmed account already, carries a one-time link that adds this order to it
    (a secret message: the link goes straight to the shop and is not kept)."""
    draft = checkout.confirmation(order, vat)
    account = guest_claims.confirmed_account(session, email)
    if account is None:
        return replace(draft, action_url="/auth/signup", action_label=N_("Create an account"))
    return replace(draft, action_url=guest_claims.new_link(session, account, order, now),
                   action_label=N_("Add this order to your account"), secret=True)


def submission_token(text: str | None) -> str | None:
    """The review form's token as kept with the order, or None for what is no token."""
    text = str(text or "")
    return text if SUBMISSION.fullmatch(text) else None


def placed_with(session: Session, email: str, submission: str | None) -> Order | None:
    """The guest order a review form with this token already placed for `email`, if any
    (so a second post of the form is sent to the first's thank-you page)."""
    submission = submission_token(submission)
    try:
        email = check_email(email)
    except CheckoutRefused:
        return None
    guest = session.scalar(sa.select(User).where(User.email == guest_email(email),
                                                 User.password_hash == GUEST_HASH))
    return None if guest is None else _placed_with(session, guest, submission)


def claim(session: Session, account: User, *, now: datetime | None = None) -> list[str]:
    """Within the caller's use case: move the guest records of `account`'s address
    to it (call only once the address is confirmed). Returns the moved order numbers."""
    if account.role != "customer" or is_guest(account) or account.erased_at is not None:
        return []
    guest = session.scalar(sa.select(User).where(User.email == guest_email(account.email),
                                                 User.password_hash == GUEST_HASH))
    if guest is None:
        return []
    now = now or utcnow()
    numbers = list(session.scalars(
        sa.select(Order.number).where(Order.owner_id == guest.id).order_by(Order.id)))
    for name in CLAIMED:
        model, owner = MOVES[name]
        session.execute(sa.update(model).where(owner == guest.id).values({owner.key: account.id})
                        .execution_options(synchronize_session="fetch"))
    for number in numbers:
        timeline.record(session, account.id, "guest_order_claimed",
                        N_("Your guest order %(number)s is now in your account", number=number),
                        {"number": number}, now=now)
    if numbers:
        revalue(session, (account, guest), now)
    return numbers


def _guest_of(session: Session, email: str, address: AddressInput, locale: str | None,
              now: datetime) -> User:
    """The guest record of `email`, made at its first order, and locked until the
    order commits: two posts of one form at once place their orders one after the
    other, so the second finds the first's (`_placed_with`)."""
    kept_email = guest_email(email)
    guest = _locked_guest(session, kept_email)
    if guest is None:
        _insert_guest(session, kept_email, (" ".join(address.name.split()) or email)[:120], now)
        guest = _locked_guest(session, kept_email)
    if not is_guest(guest):
        raise CheckoutRefused(N_("Please enter a valid e-mail address."))
    guest.country = (address.country or "").lower()[:2] or guest.country
    guest.locale = locale or guest.locale
    session.flush()
    return guest


def _insert_guest(session: Session, kept_email: str, name: str, now: datetime) -> None:
    """Insert the guest record unless another post has just made it.

    ON CONFLICT DO NOTHING instead of a savepoint: pysqlite begins no transaction
    before a SAVEPOINT, so its RELEASE committed the record on SQLite, and a
    checkout refused afterwards left it behind."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(User)
    session.execute(insert.values(
        email=kept_email, name=name, password_hash=GUEST_HASH, role="customer",
        segment="consumer", created_at=now,
    ).on_conflict_do_nothing(index_elements=[User.email]))


def _locked_guest(session: Session, kept_email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == kept_email).with_for_update()
                          .execution_options(populate_existing=True))


def _placed_with(session: Session, guest: User, submission: str | None) -> Order | None:
    """The guest's newest order, when this very review form placed it."""
    if not submission:
        return None
    newest = session.scalar(sa.select(Order).where(Order.owner_id == guest.id)
                            .order_by(Order.created_at.desc(), Order.id.desc()).limit(1))
    if newest is not None and newest.snapshot.get("checkout", {}).get("submission") == submission:
        return newest
    return None




# Claim at every proof of an address (a confirmation, a reset or an invitation link).
passwords.ON_EMAIL_VERIFIED.append(claim)
