"""What a guest record is: a customer row nobody can sign in to, one per e-mail
address, holding that address's guest orders (see `guest_orders`). Apart so that
`guest_orders` and `guest_claims` both read it without importing each other."""

from __future__ import annotations

from configurator.services import users
from configurator.store.models import User

GUEST_HASH = "!guest"  # not a hash werkzeug reads: every password check fails
GUEST_DOMAIN = "@guest.invalid"


def guest_email(email: str) -> str:
    """The e-mail column of the guest record of `email` (normalized)."""
    return users.normalize_email(email) + GUEST_DOMAIN


def is_guest(user: User) -> bool:
    """Whether `user` is a guest record (nobody signs in to it)."""
    return user.password_hash == GUEST_HASH
