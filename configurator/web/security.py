"""Browser-facing hardening: security headers on every response, and the limit
on sign-in attempts.

The Content-Security-Policy allows scripts and styles from our own origin
only: no inline script, no inline style, no eval. So an HTML injection that
slips past Jinja's escaping still cannot run code or restyle the page. htmx
keeps working because its configuration (templates/base.html) turns off the
two features that need inline code: its injected indicator `<style>` and eval.
"""

from __future__ import annotations

import math
import time

from flask import Flask, Response, g, jsonify, make_response, request, session
from flask_limiter import RateLimitExceeded
from flask_login import current_user

from configurator.web.extensions import limiter

CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# A year, as the HSTS preload list asks; sent over HTTPS only, because a browser
# ignores it over plain HTTP and a development server on http://127.0.0.1 must
# not teach the browser to refuse plain HTTP for that host.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

# Per client address, over every account: one address spraying guesses is slowed
# down. Failures for one account are counted per (address, account) and back
# off exponentially (below): guesses at someone's account from one address do
# not lock its owner out from theirs.
SIGN_IN_LIMIT = "10 per minute"
SIGN_IN_ENDPOINT = "auth.signin"
SIGN_UP_LIMIT = "5 per hour"  # new accounts per address
SIGN_UP_ENDPOINT = "auth.signup"
RESET_LIMIT = "5 per hour"  # reset links asked for per address (over every account)
RESET_ENDPOINT = "auth.forgot_password"
GUEST_ORDER_LIMIT = "5 per hour"  # guest orders (and tries) per address, like sign-up
# One guest's configuration or their cart: one budget of guest orders per address.
GUEST_ORDER_ENDPOINTS = ("shop.guest_order", "shop.guest_cart_checkout_page")
# Adding to a cart without an account writes a guest cart: a script must not fill the
# database with them. A shopper adds far fewer in an hour; a signed-in customer is not limited.
GUEST_CART_LIMIT = "60 per hour"
GUEST_CART_ENDPOINT = "shop.add_to_cart"
FREE_FAILURES = 3  # wrong passwords before the first wait
MAX_WAIT_SECONDS = 15 * 60
FAILURES_KEPT_SECONDS = 24 * 3600
RETRY_AFTER_KEY = "retry_after"  # in flask.g: the seconds a 429 of ours asks to wait


def register(app: Flask) -> None:
    """Add the headers to every response, bind the limiter and limit sign-in."""
    app.after_request(add_security_headers)
    limiter.init_app(app)
    limit_sign_in(app)
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def add_security_headers(response: Response) -> Response:
    """The same headers on every response, pages, fragments, errors and files;
    `Cache-Control: no-store` on every one that may show a secret."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # Flask-Limiter adds its own Retry-After (its per-address window) to every
    # answer of a limited route; it runs before this hook (registered after it).
    # Only a refusal says when to come back, with the wait that really applies.
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    elif g.get(RETRY_AFTER_KEY):
        response.headers["Retry-After"] = str(g.get(RETRY_AFTER_KEY))
    if shows_secrets():
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def shows_secrets() -> bool:
    """Whether this answer may hold something no cache (a shared proxy, the
    browser's disk, the back button on a shared computer) should keep.

    Every answer to a signed-in user may (their data, an API token shown once,
    a privacy export), and so may the sign-in pages, whose addresses carry the
    token of a reset or invitation link. Answers to API tokens too. Only the
    static files and a guest's shop pages may be kept.
    """
    if request.endpoint == "static":
        return False
    if request.blueprint == "auth" or request.path.startswith("/api/"):
        return True
    # The cookie names a user (read without loading them: an error page after a
    # database failure must not query again).
    return session.get("_user_id") is not None


def limit_sign_in(app: Flask) -> None:
    """Limit sign-in and sign-up POSTs per client address.

    Wrapped here rather than decorated in the auth blueprint so that every
    limit of the app is set in one place, next to the other hardening.
    """
    for endpoint, limit in ((SIGN_IN_ENDPOINT, SIGN_IN_LIMIT), (SIGN_UP_ENDPOINT, SIGN_UP_LIMIT),
                            (RESET_ENDPOINT, RESET_LIMIT)):
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(limit, methods=["POST"])(view)
    guest_orders = limiter.shared_limit(GUEST_ORDER_LIMIT, scope="guest-orders", methods=["POST"])
    for endpoint in GUEST_ORDER_ENDPOINTS:
        app.view_functions[endpoint] = guest_orders(app.view_functions[endpoint])
    app.view_functions[GUEST_CART_ENDPOINT] = limiter.limit(
        GUEST_CART_LIMIT, methods=["POST"], exempt_when=_signed_in,
    )(app.view_functions[GUEST_CART_ENDPOINT])


def _signed_in() -> bool:
    # One function for every app the process makes: the limiter keeps one limit per
    # view and condition, so a new condition per app would count each request twice.
    return current_user.is_authenticated


def _pair(email: str) -> str:
    return f"{request.remote_addr or 'unknown'}/{email.strip().lower()}"


def sign_in_wait(email: str) -> int:
    """Seconds this address must still wait before trying this account again (0: go)."""
    if not limiter.enabled:
        return 0
    storage = limiter.storage
    key = "signin-wait:" + _pair(email)
    if not storage.get(key):
        return 0
    return max(1, math.ceil(storage.get_expiry(key) - time.time()))


def record_failed_sign_in(email: str) -> None:
    """One more wrong password for (address, account): from the FREE_FAILURES-th
    on, the next try waits 1, 2, 4, 8... seconds, up to MAX_WAIT_SECONDS."""
    if not limiter.enabled:
        return
    storage = limiter.storage
    failures = storage.incr("signin-failures:" + _pair(email), FAILURES_KEPT_SECONDS)
    if failures >= FREE_FAILURES:
        wait = min(2 ** (failures - FREE_FAILURES), MAX_WAIT_SECONDS)
        storage.clear("signin-wait:" + _pair(email))
        storage.incr("signin-wait:" + _pair(email), wait)


def forget_failed_sign_ins(email: str) -> None:
    """A right password clears the count for (address, account)."""
    if limiter.enabled:
        for kind in ("signin-failures:", "signin-wait:"):
            limiter.storage.clear(kind + _pair(email))


def must_wait(seconds: int):
    """429 for a sign-in that comes before its back-off ended, saying how long."""
    from configurator.web.errors import error_response

    message = (f"Too many wrong passwords for this account from here. Please wait "
               f"{seconds} second{'s' if seconds != 1 else ''} and try again.")
    g.setdefault(RETRY_AFTER_KEY, seconds)  # the header, set last (add_security_headers)
    response = error_response(429, message, "Too many attempts")
    response = make_response(response)
    response.headers["Retry-After"] = str(seconds)
    return response


def too_many_requests(error: RateLimitExceeded):
    """429 with a message a person (page or htmx) or a program (JSON) understands."""
    from configurator.web.errors import error_response

    message = "Too many attempts in a short time. Please wait a minute and try again."
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = jsonify({"error": "too_many_requests", "message": message})
        response.status_code = 429
        return response
    return error_response(429, message, "Too many attempts")
