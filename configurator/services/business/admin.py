"""Managers and administrators keep the business accounts: open and edit an
account (name, country, tax id, terms, approval threshold), its contacts, its
price list, and our quantity breaks per product line.

Every change is checked here (a clear InvalidAccountData message, never a
database error), allowed to managers and admins only (sales staff read), and
recorded on the account's timeline with who did it. Quotes already made keep
the terms they were priced with until someone reprices them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting import TaxTreatment, tax_rule_for
from configurator.quoting.money import CURRENCY_DIGITS
from configurator.quoting.phrases import N_
from configurator.quoting.taxes import UnknownTaxCountry
from configurator.services import passwords, sign_ins, users
from configurator.services.business import accounts
from configurator.services.business.accounts import InvalidAccountData
from configurator.services.errors import EmailTaken, NotFound, ServiceError
from configurator.services.unit_of_work import use_case
from configurator.store.models import ROLES, User
from configurator.store.quotes import (
    CONTACT_ROLES,
    TAX_TREATMENTS,
    AccountContact,
    BusinessAccount,
)

MAX_VALIDITY_DAYS = 365
HUNDRED = Decimal(100)


class NotAllowed(ServiceError, PermissionError):
    """A seller whose role may look at accounts but not change them."""


@dataclass(frozen=True)
class AccountFields:
    """What a manager fills in for an account; text as typed, checked by `_checked`."""

    name: str
    country: str
    vat_id: str = ""
    terms: str = ""
    tax_treatment: str = "standard"
    validity_days: str = "30"
    approval_threshold: str = ""
    price_list_name: str = ""
    currency: str = ""  # of its price list and quotes; empty keeps it (EUR for a new account)


def require_editor(user: User) -> None:
    """Managers and admins change accounts; other sellers read, customers see nothing."""
    if not user.is_staff:
        raise NotFound("There is no such account.")
    if not (user.is_manager or user.is_admin):
        raise NotAllowed("Only a manager or an administrator may change business accounts.")


# ------------------------------------------------------------------ the account


@use_case
def open_account(session: Session, editor: User, fields: AccountFields) -> BusinessAccount:
    """A new business account from the form's fields, on its own timeline."""
    require_editor(editor)
    values = _checked(session, fields, None)
    account = accounts.create_account(session, **values)
    accounts.record_event(
        session,
        account.id,
        "account opened",
        f"Account {account.name} opened",
        actor=editor,
        detail=_describe(values),
    )
    return account


@use_case
def update_account(
    session: Session, editor: User, account_id: int, fields: AccountFields
) -> BusinessAccount:
    """Change an account's details; the timeline says what changed from what."""
    require_editor(editor)
    account = accounts.get_account(session, editor, account_id)
    values = _checked(session, fields, account)
    changes = []
    for key, value in values.items():
        before = getattr(account, key)
        if before != value:
            changes.append(f"{key.replace('_', ' ')}: {before} -> {value}")
            setattr(account, key, value)
    if changes:
        accounts.record_event(
            session,
            account.id,
            "account changed",
            f"Account {account.name} changed",
            actor=editor,
            detail="; ".join(changes),
        )
    return account


def _checked(
    session: Session, fields: AccountFields, account: BusinessAccount | None
) -> dict[str, object]:
    """The account's columns from the form, or InvalidAccountData naming the field."""
    name = " ".join(fields.name.split())
    if not name or len(name) > 200:
        raise InvalidAccountData(N_("The company name is required (at most 200 characters)."))
    clash = session.scalar(
        sa.select(BusinessAccount.id).where(sa.func.lower(BusinessAccount.name) == name.lower())
    )
    if clash is not None and (account is None or clash != account.id):
        raise InvalidAccountData(N_("There is already an account called %(name)s.", name=repr(name)))
    country = fields.country.strip().upper()
    treatment = fields.tax_treatment.strip() or "standard"
    if treatment not in TAX_TREATMENTS:
        raise InvalidAccountData(N_("The tax treatment is one of %(known)s.",
                                     known=list(TAX_TREATMENTS)))
    try:
        tax_rule_for(country, TaxTreatment(treatment))
    except UnknownTaxCountry:
        raise InvalidAccountData(N_(
            "We have no tax rate for the country %(country)s; "
            "give its two-letter code (DE, FR, AT...).", country=repr(fields.country.strip())
        )) from None
    vat_id = fields.vat_id.strip()
    if len(vat_id) > 32:
        raise InvalidAccountData(N_("The tax id has at most 32 characters."))
    validity = whole_number(fields.validity_days.strip() or "30", N_("The validity"))
    if not 1 <= validity <= MAX_VALIDITY_DAYS:
        raise InvalidAccountData(N_("Quotes are valid for 1 to %(days)s days.", days=MAX_VALIDITY_DAYS))
    values: dict[str, object] = {
        "name": name,
        "country": country,
        "vat_id": vat_id,
        "terms": fields.terms.strip(),
        "tax_treatment": treatment,
        "validity_days": validity,
        "price_list_name": " ".join(fields.price_list_name.split())[:120] or f"{name} prices",
    }
    values["currency"] = _currency(fields.currency, account)
    if fields.approval_threshold.strip() or account is not None:
        values["approval_threshold"] = percentage(
            fields.approval_threshold, N_("The approval threshold")
        )
    return values


def _currency(text: str, account: BusinessAccount | None) -> str:
    """The price list's currency: one we know the minor unit of, and changed only while
    the price list is empty (its fixed prices are amounts in the old currency)."""
    kept = account.currency if account is not None else "EUR"
    code = text.strip().upper() or kept
    if code not in CURRENCY_DIGITS:
        raise InvalidAccountData(N_(
            "We do not price in %(currency)s; choose one of %(known)s.",
            currency=code, known=sorted(CURRENCY_DIGITS)))
    if account is not None and code != kept and account.price_entries:
        raise InvalidAccountData(N_(
            "The price list of %(name)s holds prices in %(currency)s; remove its entries "
            "before changing its currency (prices are never converted).",
            name=account.name, currency=kept))
    return code


def _describe(values: dict[str, object]) -> str:
    return "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in values.items() if value)


def percentage(text: str, what: str) -> Decimal:
    """A percentage from 0 to 100 with at most two decimals ("12,5" and "12.5 %" too)."""
    cleaned = (text or "").strip().rstrip("%").strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidAccountData(N_(
            "%(what)s must be a percentage such as 12.5, not %(given)s.", what=what, given=repr(text)
        )) from None
    if not value.is_finite() or not Decimal(0) <= value <= HUNDRED:
        raise InvalidAccountData(N_("%(what)s must be between 0 and 100 %%.", what=what))
    if value != value.quantize(Decimal("0.01")):
        raise InvalidAccountData(N_("%(what)s has at most two decimals.", what=what))
    return value.quantize(Decimal("0.01"))  # kept with two decimals, like money


def amount(text: str, what: str) -> Decimal:
    """An amount of money of at least 0 with at most two decimals."""
    cleaned = (text or "").strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidAccountData(N_("%(what)s must be an amount such as 49.90, not %(given)s.",
                                     what=what, given=repr(text))) from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise InvalidAccountData(N_("%(what)s must be an amount of at least 0.", what=what))
    if value != value.quantize(Decimal("0.01")):
        raise InvalidAccountData(N_("%(what)s has at most two decimals (cents).", what=what))
    return value.quantize(Decimal("0.01"))


def whole_number(text: str, what: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise InvalidAccountData(N_("%(what)s must be a whole number, not %(given)s.",
                                     what=what, given=repr(text))) from None


# ------------------------------------------------------------------ contacts


@use_case
def invite_contact(
    session: Session, editor: User, account_id: int, email: str, contact_role: str
) -> AccountContact:
    """Make an existing customer (found by email) a contact of the account."""
    require_editor(editor)
    account = accounts.get_account(session, editor, account_id)
    _check_contact_role(contact_role)
    address = users.normalize_email(email)
    user = session.scalar(sa.select(User).where(User.email == address))
    if user is None:
        raise InvalidAccountData(N_(
            "No one has signed up with %(address)s; create the contact instead.",
            address=address or N_("that email")))
    contact = accounts.add_contact(session, account, user, contact_role)
    accounts.record_event(
        session,
        account.id,
        "contact added",
        f"{user.name} ({user.email}) is a contact",
        actor=editor,
        detail=f"role: {_role_text(contact_role)}",
    )
    return contact


@use_case
def create_contact(
    session: Session, editor: User, account_id: int, email: str, name: str, contact_role: str
) -> AccountContact:
    """A new customer user who speaks for the account, invited by e-mail.

    Nobody, the manager included, ever knows a password of theirs: the user
    starts with an unguessable one and the invitation's one-time link lets the
    contact choose their own (see `passwords.send_invitation`).
    """
    require_editor(editor)
    account = accounts.get_account(session, editor, account_id)
    _check_contact_role(contact_role)
    if not " ".join(name.split()):
        raise InvalidAccountData(N_("The contact's name is required."))
    if "@" not in email or len(email.strip()) > 254:
        raise InvalidAccountData(N_("%(given)s is not an email address.",
                                     given=email.strip() or N_("An empty text")))
    try:
        user = users.sign_up(
            session,
            email,
            secrets.token_urlsafe(32),  # never shown: the contact sets theirs from the link
            " ".join(name.split()),
            segment="business",
            country=account.country.lower(),
        )
    except EmailTaken:
        raise InvalidAccountData(N_(
            "%(address)s already has a user; add it as an existing customer.",
            address=users.normalize_email(email))) from None
    contact = accounts.add_contact(session, account, user, contact_role)
    passwords.send_invitation(session, user, account.name)
    accounts.record_event(
        session,
        account.id,
        "contact created",
        f"{user.name} ({user.email}) is a new contact, invited by e-mail",
        actor=editor,
        detail=f"role: {_role_text(contact_role)}",
    )
    return contact


@use_case
def change_contact_role(
    session: Session, editor: User, account_id: int, contact_id: int, contact_role: str
) -> AccountContact:
    """Give a contact another role (decision maker, buyer, finance, technical)."""
    require_editor(editor)
    contact = _contact(session, editor, account_id, contact_id)
    _check_contact_role(contact_role)
    before = contact.contact_role
    contact.contact_role = contact_role
    if before != contact_role:
        accounts.record_event(
            session,
            account_id,
            "contact role changed",
            f"{contact.user.name}'s role changed",
            actor=editor,
            detail=f"{_role_text(before)} -> {_role_text(contact_role)}",
        )
    return contact


@use_case
def remove_contact(session: Session, editor: User, account_id: int, contact_id: int) -> None:
    """The user no longer speaks for the account (their own user stays)."""
    require_editor(editor)
    contact = _contact(session, editor, account_id, contact_id)
    user = contact.user
    session.delete(contact)
    accounts.record_event(
        session,
        account_id,
        "contact removed",
        f"{user.name} ({user.email}) is no longer a contact",
        actor=editor,
    )


def _contact(session: Session, editor: User, account_id: int, contact_id: int) -> AccountContact:
    accounts.get_account(session, editor, account_id)
    contact = session.get(AccountContact, contact_id)
    if contact is None or contact.account_id != account_id:
        raise NotFound("There is no such contact on this account.")
    return contact


def _check_contact_role(contact_role: str) -> None:
    if contact_role not in CONTACT_ROLES:
        # A phrase, so the edit page writes the refusal in the reader's language.
        raise InvalidAccountData(N_(
            "A contact is a decision maker, a buyer, finance or technical; "
            "choose one of these."))


def _role_text(contact_role: str) -> str:
    return contact_role.replace("_", " ")


# ------------------------------------------------------------------ the seller's team


def list_users(session: Session, admin: User) -> list[User]:
    """Every user, staff first, for an administrator."""
    _require_admin(admin)
    order = sa.case((User.role == "customer", 1), else_=0)
    return list(session.scalars(sa.select(User).order_by(order, User.email)))


@use_case
def set_user_role(session: Session, admin: User, user_id: int, role: str) -> User:
    """An administrator gives a user another role; never their own (no lock-out)."""
    _require_admin(admin)
    if role not in ROLES:
        raise InvalidAccountData(N_("A role is one of %(known)s, not %(role)s.",
                                     known=list(ROLES), role=repr(role)))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    if user.id == admin.id:
        raise InvalidAccountData(N_("You cannot change your own role; ask another administrator."))
    if role != "customer" and session.scalar(
            sa.select(AccountContact.id).where(AccountContact.user_id == user.id)):
        raise InvalidAccountData(N_("%(address)s is a client's contact and cannot become staff.",
                                     address=user.email))
    user.role = role
    # Whoever is signed in as this user signs in again, under the new role.
    sign_ins.end_all(session, user.id)
    return user


def _require_admin(user: User) -> None:
    if not user.is_admin:
        raise NotFound("There is no such page.")
