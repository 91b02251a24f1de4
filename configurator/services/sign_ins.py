"""Signed-in sessions kept on the server, so that one can be ended for good.

The browser's cookie holds a random token; only its SHA-256 is stored. A
cookie signs someone in only while its session is open: signing out ends it,
and "sign out everywhere", a new password or a new role end all of a user's,
so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.unit_of_work import use_case
from configurator.store.models import User
from configurator.store.security import SignedInSession
from configurator.store.types import utcnow


def digest(token: str) -> str:
    """The stored form of a secret token."""
    return hashlib.sha256(token.encode()).hexdigest()


@use_case
def start(session: Session, user: User) -> str:
    """Open a session for `user`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(SignedInSession(user_id=user.id, token_hash=digest(token)))
    return token


def user_of(session: Session, user_id: int, token: str | None) -> User | None:
    """The user the cookie names, when its session is still open; else None."""
    if not token or not isinstance(token, str):
        return None
    return session.scalar(
        sa.select(User)
        .join(SignedInSession, SignedInSession.user_id == User.id)
        .where(
            User.id == user_id,
            SignedInSession.token_hash == digest(token),
            SignedInSession.ended_at.is_(None),
        )
    )


@use_case
def end(session: Session, token: str | None) -> None:
    """End the session of this token (signing out)."""
    if token:
        session.execute(
            sa.update(SignedInSession)
            .where(SignedInSession.token_hash == digest(token), SignedInSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


@use_case
def end_all(session: Session, user_id: int, *, except_token: str | None = None) -> int:
    """End every open session of the user (but the one of `except_token`, when
    given: this browser's, after a password change); how many ended."""
    open_ones = [SignedInSession.user_id == user_id, SignedInSession.ended_at.is_(None)]
    if except_token:
        open_ones.append(SignedInSession.token_hash != digest(except_token))
    ended = session.execute(
        sa.update(SignedInSession).where(*open_ones).values(ended_at=utcnow())
    )
    return ended.rowcount
