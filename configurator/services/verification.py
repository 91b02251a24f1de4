"""Sign-up with a confirmed e-mail address, saying nothing about who has an account.

`sign_up` answers the same (nothing) whether or not the address has an
account, and e-mails that address either way:
- a new address gets an account and a link that confirms it (valid
  `VERIFY_LIFETIME`, once); following it sets `users.email_verified_at`
  through `passwords.email_verified`;
- an address that has an account gets "someone tried to sign up with your
  address; sign in or reset your password" (at most `NOTICES_PER_HOUR` an
  hour, so nobody can pester its owner through our form).
Both paths spend one password hash, so the time taken does not tell them apart.

The links are `one_time_links` of purpose "verify" (see services/passwords.py
for how they are stored: only the token's SHA-256).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import guest_orders, passwords, users  # noqa: F401 (its claim listens)
from configurator.services.messages import outbox
from configurator.services.unit_of_work import use_case
from configurator.store.messages import Message
from configurator.store.models import User, check_no_password
from configurator.store.security import OneTimeLink
from configurator.store.types import utcnow

VERIFY_LIFETIME = timedelta(days=3)
VERIFY_PATH = "/auth/verify/"
NOTICES_PER_HOUR = 3  # "someone tried to sign up" e-mails to one account
LINKS_PER_HOUR = 3  # confirmation links one account may ask for again


@use_case
def sign_up(
    session: Session,
    email: str,
    password: str,
    name: str,
    *,
    country: str | None = None,
    locale: str | None = None,
    password_method: str = "scrypt",
    now: datetime | None = None,
) -> None:
    """Make a customer account for `email` and e-mail it a confirmation link
    (in `locale`, kept as the account's language); or, if the address has an
    account, e-mail its owner a notice instead (in the owner's language).

    Returns nothing either way: the caller must not be able to tell which.
    UnfitPassword for a password too short or too long (said the same either
    way); EmailTaken when a racing sign-up took the address (answer as usual).
    """
    now = now or utcnow()
    passwords.check_new_password(password)
    existing = session.scalar(sa.select(User).where(User.email == users.normalize_email(email)))
    if existing is not None:
        check_no_password(password, password_method)  # the time a new account's hash takes
        _notify_owner(session, existing, now)
        return
    # EmailTaken only when an account for this address was made meanwhile (a
    # race); the caller answers it as it answers every sign-up.
    user = users.sign_up(session, email, password, name, country=country,
                         password_method=password_method)
    user.locale = locale  # the sign-up page's language: the e-mail is written in it
    send_link(session, user, now=now)


def send_link(session: Session, user: User, *, now: datetime | None = None) -> str | None:
    """Within the caller's use case: e-mail `user` a link that confirms their
    address. Returns the link's path, or None when there is nothing to confirm
    (already confirmed, erased) or `LINKS_PER_HOUR` went out in the last hour."""
    now = now or utcnow()
    if user.email_verified_at is not None or user.erased_at is not None:
        return None
    if _links_since(session, user, now - timedelta(hours=1)) >= LINKS_PER_HOUR:
        return None
    token = passwords.new_link(session, user, "verify", VERIFY_LIFETIME, now)
    outbox.enqueue(session, outbox.Draft(
        kind="email_verification",
        subject=N_("Confirm your e-mail address"),
        body=N_(
            "Hello %(name)s,\n\nthank you for signing up. Follow the link below within "
            "%(days)s days to confirm that this address is yours; it works once.\n\n"
            "If you did not sign up, ignore this e-mail: the address then stays unconfirmed.",
            name=user.name, days=VERIFY_LIFETIME.days,
        ),
        reason=N_("Someone signed up on our shop with %(email)s.", email=user.email),
        action_url=VERIFY_PATH + token,
        action_label=N_("Confirm my address"),
        secret=True,
    ), recipient=user, now=now)
    return VERIFY_PATH + token


@use_case
def send_again(session: Session, user: User, *, now: datetime | None = None) -> bool:
    """A signed-in user asks for a new confirmation link; False when none is sent
    (already confirmed, or too many links in the last hour)."""
    return send_link(session, user, now=now) is not None


def link_user(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    """The user a valid confirmation link is for; else None."""
    return passwords.link_user(session, token, "verify", now=now)


@use_case
def confirm(session: Session, token: str, *, now: datetime | None = None) -> User:
    """Confirm the address from a link, once; returns its user.

    LinkNotValid for an unknown, used or expired link (of two racing uses of
    one link, one wins).
    """
    now = now or utcnow()
    user = passwords.claim_link(session, token, "verify", now)
    passwords.email_verified(session, user, now=now)
    return user


def _notify_owner(session: Session, owner: User, now: datetime) -> None:
    """Tell the address's owner that someone tried to sign up with it."""
    if owner.erased_at is not None or users.is_merged_away(session, owner):
        return
    if _notices_since(session, owner, now - timedelta(hours=1)) >= NOTICES_PER_HOUR:
        return
    outbox.enqueue(session, outbox.Draft(
        kind="signup_attempt",
        subject=N_("Someone tried to sign up with your address"),
        body=N_(
            "Hello %(name)s,\n\nsomeone, probably you, tried to create a new account on our "
            "shop with this e-mail address. You already have an account: sign in with it, or, "
            "if you forgot your password, choose a new one with the link below.\n\n"
            "If it was not you, nothing changed and you need not do anything.",
            name=owner.name,
        ),
        reason=N_("A sign-up was tried with %(email)s, which has an account on our shop.",
                  email=owner.email),
        action_url="/auth/forgot",
        action_label=N_("Choose a new password"),
    ), recipient=owner, now=now)


def _links_since(session: Session, user: User, since: datetime) -> int:
    return session.scalar(sa.select(sa.func.count(OneTimeLink.id)).where(
        OneTimeLink.user_id == user.id, OneTimeLink.purpose == "verify",
        OneTimeLink.created_at > since)) or 0


def _notices_since(session: Session, owner: User, since: datetime) -> int:
    return session.scalar(sa.select(sa.func.count(Message.id)).where(
        Message.recipient_id == owner.id, Message.kind == "signup_attempt",
        Message.created_at > since)) or 0
