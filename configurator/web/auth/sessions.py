"""Signing a browser in and out, with a session the server can end.

The cookie gets a fresh start at sign-in (a new CSRF token; only the guest's
drafts are carried over), so a cookie planted before sign-in is worth nothing
after it; and the session token it holds is checked on every request
(`user_of` in `create_app`'s user loader).
"""

from __future__ import annotations

from flask import flash, session
from flask_babel import get_locale, ngettext
from flask_login import login_user, logout_user

from configurator.quoting.local_formats import format_number
from configurator.services import guest_carts, sign_ins
from configurator.store.models import User
from configurator.web.database import db

LOCALE_KEY = "locale"  # web/i18n.py's SESSION_KEY (importing it here would be a cycle)

SESSION_TOKEN = "sign_in"
GUEST_CART_KEY = "guest_cart"  # web/shop/guest_cart.py's TOKEN_KEY (same reason)
# What a guest's cookie keeps across sign-in: their picks, a save they asked
# for, and the language they chose. The guest cart's token is used up at sign-in.
CARRIED_OVER = ("draft", "pending_save", LOCALE_KEY)


def sign_in(user: User) -> None:
    """Rotate the cookie, open a server-side session and sign the user in; the guest
    cart of this browser moves into the account's cart (the page says how much)."""
    kept = {key: session[key] for key in CARRIED_OVER if key in session}
    guest_cart = session.get(GUEST_CART_KEY)
    session.clear()  # the CSRF token and anything else from before sign-in go
    session.update(kept)
    session[SESSION_TOKEN] = sign_ins.start(db.session, user)
    login_user(user)
    moved = guest_carts.move_to_account(db.session, guest_cart, user) if guest_cart else 0
    if moved:
        flash(ngettext("%(count)s item from your visit was added to your cart.",
                       "%(count)s items from your visit were added to your cart.", moved,
                       count=format_number(moved, str(get_locale() or "en"))), "success")


def sign_out() -> None:
    """End this browser's session on the server and forget the cookie."""
    sign_ins.end(db.session, session.get(SESSION_TOKEN))
    logout_user()
    session.clear()


def current_token() -> str | None:
    """This browser's session token (to keep it when ending the others)."""
    return session.get(SESSION_TOKEN)
