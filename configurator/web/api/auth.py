"""Bearer-token authentication of the API, and the scope check.

The API never looks at the session cookie: a request is only ever someone's
because it carries their token in the Authorization header, which a browser
does not add on its own to a cross-site request. That is why the blueprint is
exempt from CSRF protection; were a cookie ever accepted here, it would not be.
"""

from __future__ import annotations

from flask import g, request

from configurator.services import api_tokens
from configurator.store.models import User
from configurator.store.tokens import ApiToken
from configurator.web.api.problems import ApiProblem
from configurator.web.database import db

BEARER = "bearer "


def presented_token() -> str | None:
    """The raw token of the Authorization header, or None."""
    header = request.headers.get("Authorization", "")
    if header[: len(BEARER)].lower() != BEARER:
        return None
    return header[len(BEARER) :].strip() or None


def authenticate() -> ApiToken:
    """The request's token (kept in `g`); 401 problem when missing or not usable."""
    token = g.get("api_token")
    if token is not None:
        return token
    raw = presented_token()
    if raw is None:
        raise ApiProblem(401, "Send a personal API token: `Authorization: Bearer <token>`.")
    token = api_tokens.authenticate(db.session, raw)
    if token is None:
        raise ApiProblem(401, "This token is unknown, revoked or expired.")
    g.api_token = token
    return token


def require(scope: str | None) -> User:
    """The token's user, when the token carries `scope` (any valid token for None).

    403 when the scope is missing, or when the user's role no longer allows it
    (a customer's token does not keep staff rights, and the reverse).
    """
    token = authenticate()
    user = token.user
    if scope is not None:
        if scope not in token.scope_list:
            raise ApiProblem(403, f"This token does not have the `{scope}` scope.")
        if scope not in api_tokens.allowed_scopes(user):
            raise ApiProblem(403, f"Your account may not use the `{scope}` scope.")
    return user


def rate_key() -> str:
    """The rate-limit key: a valid token's prefix, else the client address.

    The token is checked first: counting a prefix that anyone could send with a
    wrong secret would let them use up (lock out) someone else's token. Valid
    tokens are counted per token, so one busy integration cannot starve another
    behind the same address; anything else counts against its address.
    """
    try:
        token = authenticate()
    except ApiProblem:
        return "api-addr:" + (request.remote_addr or "unknown")
    return "api-token:" + token.prefix


def client_address() -> str:
    """The client's address, for counting failed authentications."""
    return "api-fail:" + (request.remote_addr or "unknown")
