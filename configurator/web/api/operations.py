"""Declaring an API operation once: its route, scope, input and output schemas.

`operation(...)` registers the Flask view and records the operation for the
OpenAPI document, so the document can never drift from what the code does:
the same schema classes load the request and dump the response.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from configurator.services import idempotency
from configurator.web.api import bp
from configurator.web.api.auth import require
from configurator.web.api.problems import ApiProblem
from configurator.web.api.schemas import DB_INT_MAX
from configurator.web.database import db
from configurator.web.i18n import error_text
from configurator.web.input_guard import (
    MAX_JSON_DEPTH,
    json_control_character_at,
    json_depth_exceeds,
)

# Every operation can answer these; the ones listed per operation come on top.
COMMON_PROBLEMS = (400, 401, 403, 404, 422, 429)
MAX_BODY_BYTES = 64 * 1024
IDEMPOTENCY_HEADER = "Idempotency-Key"
log = logging.getLogger(__name__)
# How long a request waits for a twin with the same key to be answered.
TWIN_WAIT_SECONDS = 5.0


@dataclass
class Operation:
    """One documented API operation."""

    rule: str
    method: str
    endpoint: str
    summary: str
    description: str
    scope: str | None
    query: type[Schema] | None
    body: type[Schema] | None
    response: type[Schema]
    status: int
    also: tuple[int, ...]
    problems: tuple[int, ...]
    tag: str
    path_params: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The OpenAPI path: `/catalogs/{catalog_id}` for `/catalogs/<catalog_id>`."""
        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", self.rule)


OPERATIONS: list[Operation] = []


def operation(
    rule: str,
    method: str,
    *,
    scope: str | None,
    response: type[Schema],
    tag: str,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    status: int = 200,
    also: tuple[int, ...] = (),
    problems: tuple[int, ...] = (),
    find: Callable[..., Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Register an API view: authenticate, check `scope`, load input, dump output.

    `find(user, **path)` looks up the object the path names (NotFound when it is
    not the user's) before the body is read: someone else's object is a 404
    whatever was sent, never a validation error that shows it was reached.

    The view gets the user as `user`, the loaded body as `body` and the query
    as `query` (when declared), plus the path parameters; it returns the object
    to dump, or `(object, headers)`, or `(object, headers, status)` for one of
    the `also` statuses (documented with the same response schema).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Response]:
        doc = (view.__doc__ or "").strip()
        summary, _, description = doc.partition("\n")
        recorded = Operation(
            rule=rule,
            method=method.upper(),
            endpoint=view.__name__,
            summary=summary.strip(),
            description=" ".join(description.split()),
            scope=scope,
            query=query,
            body=body,
            response=response,
            status=status,
            also=also,
            problems=tuple(sorted({*COMMON_PROBLEMS, *problems, *((413,) if body else ()),
                                   *((409,) if method.upper() == "POST" else ())})),
            tag=tag,
            path_params=_path_params(rule),
        )
        OPERATIONS.append(recorded)

        @functools.wraps(view)
        def wrapper(**path: Any) -> Response:
            user = require(scope)
            _refuse_impossible_ids(path)
            if find is not None:
                find(user, **path)
            kwargs: dict[str, Any] = dict(path, user=user)
            if query is not None:
                kwargs["query"] = load(query(), request.args.to_dict())
            if body is not None:
                kwargs["body"] = load(body(), json_body())
            key = idempotency_key() if recorded.method == "POST" else None
            if key is not None:
                request_hash = idempotency.fingerprint(
                    recorded.method, request.path, request.get_data(cache=True)
                )
                earlier = _claim(user, key, request_hash)
                if earlier is not None:
                    return _reply(earlier.body, earlier.status, earlier.location, replayed=True)
            try:
                result = view(**kwargs)
                headers: dict[str, str] = {}
                code = status
                if isinstance(result, tuple):
                    result, headers, *rest = result
                    code = rest[0] if rest else status
                dumped = response().dump(result)
            except BaseException:
                if key is not None:
                    _release(user, key)
                raise
            if key is not None:
                _remember(user, key, idempotency.Reply(code, dumped, headers.get("Location")))
            reply = _reply(dumped, code, None)
            reply.headers.update(headers)
            return reply

        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method.upper()])
        return wrapper

    return decorator


def idempotency_key() -> str | None:
    """The request's `Idempotency-Key` header, checked; None when not sent."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= idempotency.MAX_KEY_LENGTH or not key.isprintable():
        raise ApiProblem(400, f"`{IDEMPOTENCY_HEADER}` is 1-{idempotency.MAX_KEY_LENGTH} "
                              "printable characters.")
    return key


def _claim(user: Any, key: str, request_hash: str) -> idempotency.Reply | None:
    """Claim the key for this request (None: act), or the first answer to send
    again. A twin request still being answered is waited for, briefly; then 409."""
    deadline = time.monotonic() + TWIN_WAIT_SECONDS
    while True:
        try:
            return idempotency.claim(db.session, user.id, key, request_hash)
        except idempotency.KeyReused as error:
            raise ApiProblem(422, error_text(error), errors={IDEMPOTENCY_HEADER: [error_text(error)]}) from error
        except idempotency.KeyInFlight as error:
            if time.monotonic() >= deadline:
                raise ApiProblem(409, error_text(error), errors={IDEMPOTENCY_HEADER: [error_text(error)]},
                                 headers={"Retry-After": "1"}) from error
            time.sleep(0.05)


def _remember(user: Any, key: str, reply: idempotency.Reply) -> None:
    # Only successes are kept: a refused request may be retried and succeed.
    if 200 <= reply.status < 300:
        idempotency.complete(db.session, user.id, key, reply)
    else:
        _release(user, key)


def _release(user: Any, key: str) -> None:
    try:
        idempotency.release(db.session, user.id, key)
    except Exception:  # noqa: BLE001 - the request's own error matters more
        # The claim stays until it is stale (idempotency.STALE_CLAIM); retries get 409 till then.
        log.warning("Idempotency-Key claim not released", exc_info=True)


def _reply(body: Any, status: int, location: str | None, *, replayed: bool = False) -> Response:
    reply = current_app.json.response(body)
    reply.status_code = status
    if location:
        reply.headers["Location"] = location
    if replayed:
        reply.headers["Idempotent-Replayed"] = "true"
    return reply


def json_body() -> Any:
    """The request's JSON document; 400 when it is missing, not JSON or malformed."""
    if not request.is_json:
        raise ApiProblem(400, "Send a JSON body with `Content-Type: application/json`.")
    # Bodies are small (a selection, a name); a larger one is refused with 413.
    request.max_content_length = MAX_BODY_BYTES
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()
    try:
        if json_depth_exceeds(request.get_data(cache=True)):
            raise ApiProblem(400, f"The body nests deeper than {MAX_JSON_DEPTH} levels.")
        document = request.get_json()
    except BadRequest as error:
        if isinstance(error, RequestEntityTooLarge):
            raise
        raise ApiProblem(400, "The body is not valid JSON.") from error
    location = json_control_character_at(document)
    if location is not None:
        # Well-formed JSON with a wrong value: a validation problem naming the field.
        message = "Control characters are not allowed."
        raise ApiProblem(422, f"`{location}`: {message}", errors={location: [message]})
    return document


def load(schema: Schema, data: Any) -> Any:
    """Validate input with a schema; 422 problem with the field errors otherwise."""
    if not isinstance(data, dict):
        raise ApiProblem(422, "Send a JSON object.", kind="validation")
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ApiProblem(
            422, "Some fields are not valid; see `errors`.", errors=_messages(error)
        ) from error


def _refuse_impossible_ids(path: dict[str, Any]) -> None:
    """404 for an id no row can have: checked here rather than with the route
    converter's min/max, because a converter that refuses a value makes Werkzeug
    answer 405 for the other methods of the same path."""
    for value in path.values():
        if isinstance(value, int) and not 1 <= value <= DB_INT_MAX:
            raise ApiProblem(404, "There is nothing here, or it is not yours to see.")


def _messages(error: ValidationError) -> dict[str, Any]:
    messages = error.messages
    return messages if isinstance(messages, dict) else {"_schema": messages}


def _path_params(rule: str) -> dict[str, str]:
    """Path parameter -> `int` or `string`, from the Flask rule."""
    params = {}
    for converter, name in re.findall(r"<(?:([^:<>(]+)(?:\([^)]*\))?:)?([^<>]+)>", rule):
        params[name] = "int" if converter == "int" else "string"
    return params
