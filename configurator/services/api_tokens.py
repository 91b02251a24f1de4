"""Personal API tokens: create (the secret is shown once), authenticate, list, revoke.

A token looks like `cfg_<prefix>_<secret>`. The prefix finds the row; the
SHA-256 of the whole token must match the stored hash. The raw token is never
stored, so a copy of the database gives no working token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.errors import NotFound, ServiceError
from configurator.services.unit_of_work import use_case
from configurator.services.users import normalize_email
from configurator.store.models import User
from configurator.store.tokens import ApiToken
from configurator.store.types import utcnow

TOKEN_MARK = "cfg"
NAME_MAX = 80
# Writing last_used_at on every request would make every API call a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

SCOPES: dict[str, str] = {
    "catalog:read": "Read product lines and ask the configurator (domains, why, repair, "
    "cheapest completion, price)",
    "configurations:read": "Read your saved configurations and their revisions",
    "configurations:write": "Save new configurations and new revisions",
    "orders:read": "Read your orders and re-check them against today's catalog",
    "orders:write": "Place orders and reorder",
    "quotes:read": "Read your account's quotes",
    "quotes:write": "Accept or decline your account's quotes",
    "staff:quotes": "Staff: list, search and read every quote",
    "staff:quotes:write": "Staff: add, change and remove the service lines of draft quotes",
}
# A token never grants more than its user may do on the pages: customers get
# these, every seller-side role (staff, manager, admin) the staff scopes.
CUSTOMER_SCOPES = (
    "catalog:read",
    "configurations:read",
    "configurations:write",
    "orders:read",
    "orders:write",
    "quotes:read",
    "quotes:write",
)
STAFF_SCOPES = ("catalog:read", "configurations:read", "orders:read", "staff:quotes",
                "staff:quotes:write")


class ScopeNotAllowed(ServiceError, ValueError):
    """A requested scope is unknown, or more than the user's role allows."""


class InvalidTokenName(ServiceError, ValueError):
    """A token needs a short name that says what uses it."""


def allowed_scopes(user: User) -> tuple[str, ...]:
    """The scopes a token of this user may carry."""
    return STAFF_SCOPES if user.is_staff else CUSTOMER_SCOPES


def hash_token(raw: str) -> str:
    """The stored form of a token: hex SHA-256."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@use_case
def create(
    session: Session,
    user: User,
    name: str,
    scopes: list[str],
    *,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user` and its raw secret (shown once, never stored)."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise InvalidTokenName(f"Give the token a name of 1 to {NAME_MAX} characters.")
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise InvalidTokenName("A token name cannot contain control characters.")
    wanted = list(dict.fromkeys(scopes))
    if not wanted:
        raise ScopeNotAllowed("Choose at least one scope.")
    refused = [scope for scope in wanted if scope not in allowed_scopes(user)]
    if refused:
        raise ScopeNotAllowed(
            f"Your account cannot grant {', '.join(refused)}. "
            f"Allowed: {', '.join(allowed_scopes(user))}."
        )
    now = now or utcnow()
    if expires_at is not None and expires_at <= now:
        raise ScopeNotAllowed("The expiry date must be in the future.")
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=prefix,
        secret_hash=hash_token(raw),
        scopes=" ".join(wanted),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    return token, raw


@use_case
def authenticate(session: Session, raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token matching `raw` (its user loaded), or None.

    None covers malformed, unknown, wrong-secret, revoked and expired tokens
    alike: the caller learns nothing about which.
    """
    prefix = _prefix_of(raw)
    if prefix is None:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None or not hmac.compare_digest(token.secret_hash, hash_token(raw)):
        return None
    now = now or utcnow()
    if not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token


def user_by_email(session: Session, email: str) -> User | None:
    """The user a token is made for on the command line, or None."""
    return session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def list_for(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (marked)."""
    query = (
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(session.scalars(query))


@use_case
def revoke(
    session: Session, user: User, token_id: int, *, now: datetime | None = None
) -> ApiToken:
    """Revoke one of the user's own tokens (again is harmless); NotFound otherwise."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("There is no such token.")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    return token


def _prefix_of(raw: str) -> str | None:
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK or not _is_prefix(parts[1]):
        return None
    return parts[1]


def _is_prefix(text: str) -> bool:
    return len(text) == 12 and all(char in "0123456789abcdef" for char in text)
