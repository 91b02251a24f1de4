"""Browser-facing hardening: security headers on every response, and the limit
on sign-in attempts.

The Content-Security-Policy allows scripts and styles from our own origin
only: no inline script, no inline style, no eval. So an HTML injection that
slips past Jinja's escaping still cannot run code or restyle the page. htmx
keeps working because its configuration (templates/base.html) turns off the
two features that need inline code: its injected indicator `<style>` and eval.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from flask_limiter import RateLimitExceeded

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

# Per client address and per email address: guessing passwords for one account
# from many addresses is slowed down as much as guessing many from one.
SIGN_IN_LIMIT = "10 per minute"
SIGN_IN_ENDPOINT = "auth.signin"


def register(app: Flask) -> None:
    """Add the headers to every response, bind the limiter and limit sign-in."""
    app.after_request(add_security_headers)
    limiter.init_app(app)
    limit_sign_in(app)
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def add_security_headers(response: Response) -> Response:
    """The same headers on every response, pages, fragments, errors and files."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def submitted_email() -> str:
    """The email address a sign-in form was posted with, as the rate-limit key."""
    return "signin-email:" + (request.form.get("email") or "").strip().lower()


def limit_sign_in(app: Flask) -> None:
    """Limit sign-in POSTs per client address and per email address.

    Wrapped here rather than decorated in the auth blueprint so that every
    limit of the app is set in one place, next to the other hardening.
    """
    view = app.view_functions[SIGN_IN_ENDPOINT]
    view = limiter.limit(SIGN_IN_LIMIT, methods=["POST"])(view)
    view = limiter.limit(SIGN_IN_LIMIT, key_func=submitted_email, methods=["POST"])(view)
    app.view_functions[SIGN_IN_ENDPOINT] = view


def too_many_requests(error: RateLimitExceeded):
    """429 with a message a person (page or htmx) or a program (JSON) understands."""
    from configurator.web.errors import error_response

    message = "Too many attempts in a short time. Please wait a minute and try again."
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = jsonify({"error": "too_many_requests", "message": message})
        response.status_code = 429
        return response
    return error_response(429, message, "Too many attempts")
