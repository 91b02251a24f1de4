"""Users, customers and staff alike: sign up, authenticate, look up."""

from __future__ import annotations

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import timeline
from configurator.services.errors import EmailTaken, NotFound, ServiceError
from configurator.services.unit_of_work import use_case
from configurator.store.identity import CustomerMerge
from configurator.store.models import User, check_no_password


def normalize_email(email: str) -> str:
    """Emails compare without case or surrounding blanks."""
    return email.strip().lower()


GUEST_DOMAIN = "@guest.invalid"


def guest_email(email: str) -> str:
    """The e-mail column of the guest record of `email` (normalized); here, not in
    `guest_records`, so that erasure (which comes before it) finds the record too."""
    return normalize_email(email) + GUEST_DOMAIN


@use_case
def sign_up(
    session: Session,
    email: str,
    password: str,
    name: str,
    *,
    segment: str = "consumer",
    country: str | None = None,
    tier: str | None = None,
    role: str = "customer",
    password_method: str = "scrypt",
) -> User:
    """Create an account; EmailTaken when the email already has one."""
    email = normalize_email(email)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise EmailTaken("An account with this email already exists. Sign in instead?")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        segment=segment,
        country=(country or "").strip().lower() or None,
        tier=tier or None,
    )
    user.set_password(password, method=password_method)
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:  # two sign-ups racing for one email
        raise EmailTaken("An account with this email already exists. Sign in instead?") from error
    if role == "customer":
        timeline.record(session, user.id, "signed_up", N_("Created an account"))
    return user


def authenticate(
    session: Session, email: str, password: str, *, password_method: str = "scrypt"
) -> User | None:
    """The user with this email and password, or None (no hint which was wrong).

    An unknown e-mail costs a password check too (with `password_method`, the
    one new passwords are hashed with), so timing does not tell it apart.
    """
    user = session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        check_no_password(password, password_method)
        return None
    if not user.check_password(password) or is_merged_away(session, user):
        return None
    return user


def is_merged_away(session: Session, user: User) -> bool:
    """Whether staff merged this account into another customer (and did not undo it)."""
    return session.scalar(
        sa.select(CustomerMerge.id)
        .where(CustomerMerge.merged_id == user.id, CustomerMerge.undone_at.is_(None))
        .limit(1)
    ) is not None


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


@use_case
def set_locale(session: Session, user_id: int, locale: str) -> User:
    """Keep the pages' language (a code such as `fa`) the user picked, for every device."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user {user_id}.")
    user.locale = locale
    return user


class PhoneRefused(ServiceError, ValueError):
    """Text that is not a phone number we can call."""


def normalized_phone(text: str, country: str | None) -> str | None:
    """The number as E.164 ("+491701234567"), read in `country`'s national format
    when it has no country code; None when empty. PhoneRefused when it is no valid number."""
    text = " ".join(str(text or "").split())
    if not text:
        return None
    region = (country or "").upper() or None
    try:
        number = phonenumbers.parse(text[:40], region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise PhoneRefused(
            "That does not look like a phone number. Write it with the country code, like +49 170 1234567.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@use_case
def change_phone(session: Session, user: User, text: str, *, now=None) -> str | None:
    """Set (or, with empty text, remove) the user's phone number; noted on their timeline."""
    phone = normalized_phone(text, user.country)
    if phone != user.phone:
        user.phone = phone
        if user.role == "customer":
            timeline.record(session, user.id, "phone_changed",
                            N_("Changed the phone number") if phone else N_("Removed the phone number"),
                            now=now)
    return phone
