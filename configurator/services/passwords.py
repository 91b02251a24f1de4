"""Passwords: change one (knowing the current one), reset a forgotten one by an
e-mailed one-time link, and set the first one from an invitation.

A one-time link holds a random token; only its SHA-256 is stored
(`one_time_links`), so a copy of the database holds no working link. A link
works once, until it expires; a new password ends every signed-in session of
the account and voids the account's other open links. The e-mail goes through
the outbox as a secret: its text leaves the database once it is sent.

Asking for a reset answers the same whether or not the address has an
account: `request_reset` returns nothing, and sends at most
`RESETS_PER_HOUR` links an hour to one account.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import sign_ins, timeline, users
from configurator.services.errors import ServiceError
from configurator.services.messages import outbox
from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.security import OneTimeLink
from configurator.store.types import utcnow

MIN_LENGTH = 8
MAX_LENGTH = 1024  # hashing a megabyte of "password" is work for nothing
RESET_LIFETIME = timedelta(hours=1)
INVITE_LIFETIME = timedelta(days=7)
RESETS_PER_HOUR = 3
# The path of each kind of link (the web layer serves them there).
LINK_PATHS = {"reset": "/auth/reset/", "invite": "/auth/invite/"}
# Called within the use case once a customer's address is proven: (session, user, now=).
# Services that claim what was made with the address register here (guest_orders
# does, on import; verification imports it), so this module depends on none of them.
ON_EMAIL_VERIFIED: list[Callable[..., object]] = []


class WrongPassword(ServiceError):
    """The current password given to change it is not the account's."""


class UnfitPassword(ServiceError, ValueError):
    """A new password that is too short or too long."""


class LinkNotValid(ServiceError):
    """A one-time link that does not exist, was used, or expired (we do not say which)."""


def check_new_password(password: str) -> None:
    """UnfitPassword unless `password` may become an account's password."""
    if len(password) < MIN_LENGTH:
        raise UnfitPassword(N_("Use at least %(count)s characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise UnfitPassword(N_("Use at most %(count)s characters.", count=MAX_LENGTH))


@use_case
def change(
    session: Session,
    user: User,
    current: str,
    new: str,
    *,
    keep_token: str | None = None,
    password_method: str = "scrypt",
) -> int:
    """Set a new password for a signed-in user who knows the current one.

    Every other signed-in session of the account ends (the one holding
    `keep_token`, this browser's, stays open); so do open reset links.
    Returns how many sessions ended.
    """
    if not user.check_password(current):
        raise WrongPassword(N_("The current password is not right."))
    check_new_password(new)
    user.set_password(new, method=password_method)
    _void_links(session, user.id)
    if user.role == "customer":
        timeline.record(session, user.id, "password_changed", N_("Changed the password"))
    return sign_ins.end_all(session, user.id, except_token=keep_token)


@use_case
def request_reset(session: Session, email: str, *, now: datetime | None = None) -> None:
    """E-mail a reset link to the account of `email`, if there is one.

    Nothing tells the caller whether there was: no return value, no error. An
    erased or merged-away account gets no link, nor does one that had
    `RESETS_PER_HOUR` links in the last hour (someone pestering its owner).
    """
    now = now or utcnow()
    user = session.scalar(sa.select(User).where(User.email == users.normalize_email(email)))
    if user is None or user.erased_at is not None or users.is_merged_away(session, user):
        return
    recent = session.scalar(
        sa.select(sa.func.count(OneTimeLink.id)).where(
            OneTimeLink.user_id == user.id,
            OneTimeLink.purpose == "reset",
            OneTimeLink.created_at > now - timedelta(hours=1),
        )
    )
    if recent >= RESETS_PER_HOUR:
        return
    token = new_link(session, user, "reset", RESET_LIFETIME, now)
    outbox.enqueue(session, outbox.Draft(
        kind="password_reset",
        subject=N_("Reset your password"),
        body=N_(
            "Hello %(name)s,\n\n"
            "someone, probably you, asked to reset the password of your account. "
            "Follow the link below within %(minutes)s minutes to choose a new one; "
            "it works once.\n\n"
            "If you did not ask, ignore this e-mail: your password stays as it is.",
            name=user.name, minutes=_minutes(RESET_LIFETIME)),
        reason=N_("A password reset was asked for %(email)s on our shop.", email=user.email),
        action_url=LINK_PATHS["reset"] + token,
        action_label=N_("Choose a new password"),
        secret=True,
    ), recipient=user, now=now)


def send_invitation(
    session: Session, user: User, account_name: str, *, now: datetime | None = None
) -> str:
    """Within the caller's use case: e-mail `user` a link to set their first
    password, as a new contact of `account_name`. Returns the link's path
    (for the caller's tests and logs: the token is in it, do not show it)."""
    now = now or utcnow()
    token = new_link(session, user, "invite", INVITE_LIFETIME, now)
    path = LINK_PATHS["invite"] + token
    outbox.enqueue(session, outbox.Draft(
        kind="invitation",
        subject=N_("Your account for %(account)s", account=account_name),
        body=N_(
            "Hello %(name)s,\n\n"
            "you can now order and accept quotes for %(account)s in our shop. "
            "Follow the link below within %(days)s days to choose your "
            "password; it works once. You then sign in as %(email)s.",
            name=user.name, account=account_name, days=INVITE_LIFETIME.days, email=user.email),
        reason=N_("Our staff added you as a contact of %(account)s.", account=account_name),
        action_url=path,
        action_label=N_("Choose your password"),
        secret=True,
    ), recipient=user, now=now)
    return path


def link_user(
    session: Session, token: str, purpose: str, *, now: datetime | None = None
) -> User | None:
    """The user a valid (unused, unexpired) link of `purpose` is for; else None."""
    link = _open_link(session, token, purpose, now or utcnow())
    return None if link is None else session.get(User, link.user_id)


@use_case
def use_link(
    session: Session,
    token: str,
    purpose: str,
    new_password: str,
    *,
    password_method: str = "scrypt",
    now: datetime | None = None,
) -> User:
    """Set the password from a one-time link, once: the link is used up, every
    session of the account ends and its other open links are void.

    LinkNotValid for an unknown, used or expired link (two requests racing
    with one link: one wins, the other gets LinkNotValid).
    """
    now = now or utcnow()
    if purpose not in LINK_PATHS:  # a confirmation link sets no password
        raise LinkNotValid(N_("This link is not valid any more."))
    check_new_password(new_password)
    user = claim_link(session, token, purpose, now)
    user.set_password(new_password, method=password_method)
    _void_links(session, user.id, now=now)
    sign_ins.end_all(session, user.id)
    email_verified(session, user, now=now)
    if user.role == "customer":
        kind, subject = (("password_reset", N_("Reset the password by e-mail")) if purpose == "reset"
                         else ("invitation_accepted", N_("Chose a password from the invitation")))
        timeline.record(session, user.id, kind, subject, now=now)
    return user


def claim_link(session: Session, token: str, purpose: str, now: datetime) -> User:
    """Within the caller's use case: use up a valid link of `purpose`; its user.

    LinkNotValid for an unknown, used or expired link; of two requests racing
    with one link, one wins and the other gets LinkNotValid.
    """
    link = _open_link(session, token, purpose, now)
    if link is None:
        raise LinkNotValid(N_("This link is not valid any more."))
    # Only one of two concurrent uses can flip used_at from NULL.
    claimed = session.execute(
        sa.update(OneTimeLink)
        .where(OneTimeLink.id == link.id, OneTimeLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise LinkNotValid(N_("This link is not valid any more."))
    return session.get(User, link.user_id)


def email_verified(session: Session, user: User, *, now: datetime | None = None) -> None:
    """Within the caller's use case: `user` just proved they read mail at their
    address (they followed a link we e-mailed there: a confirmation, a reset or
    an invitation). Noted once, on the timeline too; only a proven address may
    claim what was made with it before (a guest's records)."""
    if user.email_verified_at is not None:
        return
    user.email_verified_at = now or utcnow()
    if user.role == "customer":
        timeline.record(session, user.id, "email_verified",
                        N_("Confirmed the e-mail address"), {"email": user.email}, now=now)
        for listener in ON_EMAIL_VERIFIED:
            listener(session, user, now=now)


def new_link(session: Session, user: User, purpose: str, lifetime: timedelta, now: datetime) -> str:
    """Within the caller's use case: a new one-time link of `purpose` for
    `user`; returns its token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(OneTimeLink(user_id=user.id, purpose=purpose, token_hash=sign_ins.digest(token),
                            created_at=now, expires_at=now + lifetime))
    return token


def _open_link(session: Session, token: str, purpose: str, now: datetime) -> OneTimeLink | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return session.scalar(sa.select(OneTimeLink).where(
        OneTimeLink.token_hash == sign_ins.digest(token),
        OneTimeLink.purpose == purpose,
        OneTimeLink.used_at.is_(None),
        OneTimeLink.expires_at > now,
    ))


def _void_links(session: Session, user_id: int, *, now: datetime | None = None) -> None:
    """A password was just set: no older link may set another one."""
    session.execute(
        sa.update(OneTimeLink)
        .where(OneTimeLink.user_id == user_id, OneTimeLink.used_at.is_(None))
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def _minutes(span: timedelta) -> int:
    return round(span.total_seconds() / 60)
