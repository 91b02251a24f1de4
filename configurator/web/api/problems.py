"""Errors of the API, all in one shape: `application/problem+json` (RFC 9457).

`{"type", "title", "status", "detail"}`, plus `errors` (field -> messages) for
input that failed validation. Views raise `ApiProblem` or a service error;
the handlers here (and the app's error hooks for requests under /api) turn
them into problem responses, so a client never sees an HTML page or a trace.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIMETYPE = "application/problem+json"
# Documented on the docs page; each kind links there.
PROBLEM_TYPES = {
    "invalid-request": "The request could not be read: malformed JSON, or not JSON at all.",
    "unauthorized": "No token, or a token that is unknown, revoked or expired.",
    "forbidden": "The token lacks the scope this operation needs.",
    "not-found": "No such resource, or not one this token's user may see (we do not say which).",
    "method-not-allowed": "This path does not take that method.",
    "stale-revision": "Someone saved a newer revision meanwhile; nothing was overwritten.",
    "not-orderable": "The configuration or order cannot be ordered as it is.",
    "validation": "The input is well-formed but wrong: see `errors` for each field.",
    "invalid-selection": "The selection names features or options the product line lacks.",
    "conflict": "The request conflicts with the current state of the resource.",
    "too-large": "The body is larger than an API request needs (64 KiB at most).",
    "rate-limited": "Too many requests; wait before trying again.",
    "server-error": "Something failed on our side; nothing was changed.",
}
_TYPE_BY_STATUS = {
    400: "invalid-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    422: "validation",
    429: "rate-limited",
    500: "server-error",
}


class ApiProblem(Exception):
    """Raised by API code to answer with a problem response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors
        self.headers = headers or {}


def problem_type(kind: str) -> str:
    """The `type` URI of a kind of problem: its entry on the docs page."""
    return f"/api/docs#problem-{kind}"


def problem_response(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json response."""
    kind = kind or _TYPE_BY_STATUS.get(status, "server-error" if status >= 500 else "conflict")
    body: dict[str, Any] = {
        "type": problem_type(kind),
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="configurator"')
    if status == 405:
        response.headers.setdefault("Allow", ", ".join(_allowed_methods()))
    return response


def _allowed_methods() -> list[str]:
    """The methods the requested path does take (a 405 must say so)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    return sorted(adapter.allowed_methods())


def from_problem(error: ApiProblem) -> Response:
    """The response for a raised ApiProblem."""
    return problem_response(
        error.status, error.detail, kind=error.kind, errors=error.errors, headers=error.headers
    )


def is_api_request(path: str) -> bool:
    """Requests under /api get problem+json errors instead of error pages."""
    return path == "/api" or path.startswith("/api/")
