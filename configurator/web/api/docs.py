"""The OpenAPI 3 document, generated from the recorded operations and their
marshmallow schemas, and a readable docs page rendered from that document."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, render_template
from markupsafe import Markup, escape

from configurator.services.api_tokens import SCOPES
from configurator.web.api import bp, schemas
from configurator.web.api.operations import OPERATIONS, Operation
from configurator.web.api.problems import PROBLEM_MIMETYPE, PROBLEM_TYPES

OPENAPI_VERSION = "3.0.3"
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Malformed request (bad JSON, not JSON)",
    401: "No token, or an unknown, revoked or expired token",
    403: "The token lacks the scope",
    404: "No such resource, or not yours",
    409: "Conflict with the current state (stale revision, not orderable, quote not open, "
         "a request with the same Idempotency-Key still being answered)",
    413: "The body is too large (64 KiB at most)",
    422: "Invalid input; `errors` lists the fields",
    429: "Too many requests",
}
DESCRIPTION = (
    "JSON API of the configurator, over the same services as the shop's pages. "
    "Authenticate with a personal API token (`Authorization: Bearer cfg_...`), "
    "created and revoked under Account → API tokens; each operation names the "
    "scope the token needs. Money is a decimal string, never a float; times are "
    "UTC (ISO 8601). Lists are paged: `limit` and the `next` link's `cursor`. "
    "Errors are application/problem+json.\n\n"
    "Limits, enforced on every request: no text (path, query, body string or key) "
    "may hold a control character other than tab, line feed and carriage return "
    "(400 in a path or query, 422 in a body); a JSON body is at most 64 KiB (413) and nests at most 32 arrays or "
    "objects deep (400); ids are 1 to 2147483647; a selection's feature ids and "
    "option ids are 1-64 characters; a `cursor` is only ever one from a `next` "
    "link (an edited one is a 422).\n\n"
    "Retries: send an `Idempotency-Key` header (1-200 printable characters, new for "
    "each new request) on a POST; the same request again with the same key gets "
    "the first answer back (marked `Idempotent-Replayed: true`) instead of acting "
    "twice; the same key with another request is a 422. Two requests sent at once "
    "with one key act once: the second waits up to 5 seconds for the first's answer, "
    "else gets a 409 with `Retry-After`. An order is placed at most "
    "once per revision in any case."
)


# OpenAPI links: where an answer's ids lead next (clients and stateful tests
# follow them). Per operation and status: link name -> (operationId, parameters,
# request body or None).
_CONFIGURATION = "$response.body#/id"
_ORDER = "$response.body#/number"
LINKS: dict[str, dict[int, dict[str, tuple[str, dict[str, str], Any]]]] = {
    "create_configuration": {201: {
        "GetConfiguration": ("get_configuration", {"configuration_id": _CONFIGURATION}, None),
        "RenameConfiguration": ("rename_configuration", {"configuration_id": _CONFIGURATION}, None),
        "ReviseConfiguration": ("revise_configuration", {"configuration_id": _CONFIGURATION}, None),
        "GetLatestRevision": ("get_revision", {"configuration_id": _CONFIGURATION,
                                               "number": "$response.body#/latest/number"}, None),
    }},
    "revise_configuration": {201: {
        "GetRevision": ("get_revision", {"configuration_id": "$request.path.configuration_id",
                                         "number": "$response.body#/number"}, None),
    }},
    "place_order": {201: {
        "GetOrder": ("get_order", {"number": _ORDER}, None),
        "RecheckOrder": ("recheck_order", {"number": _ORDER}, None),
        "Reorder": ("reorder", {"number": _ORDER}, None),
    }},
    "reorder": {201: {
        "GetOrder": ("get_order", {"number": _ORDER}, None),
        "RecheckOrder": ("recheck_order", {"number": _ORDER}, None),
    }},
    "list_quotes": {200: {
        "GetFirstQuote": ("get_quote", {"quote_id": "$response.body#/items/0/id"}, None),
    }},
}


def build_spec() -> dict[str, Any]:
    """The OpenAPI document as a dict (paths relative to the /api server)."""
    spec = APISpec(
        title="Configurator API",
        version="1",
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": DESCRIPTION},
        servers=[{"url": "/api"}],
        security=[{"bearerToken": []}],
    )
    marshmallow = spec.plugins[0]
    marshmallow.map_to_openapi_type(schemas.Money, "string", "decimal")
    spec.components.security_scheme(
        "bearerToken",
        {"type": "http", "scheme": "bearer", "description": "A personal API token"},
    )
    spec.components.schema("Problem", schema=schemas.ProblemSchema)
    by_path: dict[str, dict[str, Any]] = {}
    for recorded in OPERATIONS:
        by_path.setdefault(recorded.path, {})[recorded.method.lower()] = _operation(recorded)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(recorded: Operation) -> dict[str, Any]:
    scope = recorded.scope
    description = recorded.description
    if scope:
        description = f"{description}\n\nScope: `{scope}`.".strip()
    result: dict[str, Any] = {
        "operationId": recorded.endpoint,
        "summary": recorded.summary,
        "description": description,
        "tags": [recorded.tag],
        "parameters": [_path_parameter(n, k) for n, k in recorded.path_params.items()],
        "responses": {
            **{
                str(status): {
                    "description": STATUS_TEXT.get(status, "OK"),
                    "content": {"application/json": {"schema": recorded.response}},
                }
                for status in (recorded.status, *recorded.also)
            },
            **{str(status): _problem(status) for status in recorded.problems},
        },
    }
    for status, links in LINKS.get(recorded.endpoint, {}).items():
        result["responses"][str(status)]["links"] = {
            name: {"operationId": target, **({"parameters": parameters} if parameters else {}),
                   **({"requestBody": body} if body else {})}
            for name, (target, parameters, body) in links.items()
        }
    if scope:
        result["x-scope"] = scope
    if recorded.query is not None:
        result["parameters"].append({"in": "query", "schema": recorded.query})
    if recorded.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": recorded.body}},
        }
    if recorded.status == 201:
        result["responses"]["201"]["headers"] = {
            "Location": {"description": "URL of the new resource", "schema": {"type": "string"}}
        }
    return result


def _path_parameter(name: str, kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if kind == "int":
        schema = {"type": "integer", "minimum": 1, "maximum": schemas.DB_INT_MAX}
    return {"in": "path", "name": name, "required": True, "schema": schema}


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": STATUS_TEXT.get(status, "Error"),
        "content": {PROBLEM_MIMETYPE: {"schema": "Problem"}},
    }


def _schema_name(schema: Any) -> str:
    """Component names without the `Schema` suffix; `only=` variants get their own."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.only:
        name += "Brief"
    return name


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 document (public: it describes, it does not reveal data)."""
    return current_app.json.response(build_spec())


@bp.get("/docs")
def docs_page():
    """The API reference, rendered on the server from the OpenAPI document."""
    spec = build_spec()
    operations = [
        (path, method.upper(), operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]
    return render_template(
        "api/docs.html",
        spec=spec,
        operations=operations,
        scopes=SCOPES,
        problem_types=PROBLEM_TYPES,
        code=inline_code,
    )


def inline_code(text: str | None) -> Markup:
    """Escape `text`, then show its `backticked` parts as <code> (as in Markdown)."""
    parts = str(escape(text or "")).split("`")
    return Markup(
        "".join(f"<code>{part}</code>" if odd % 2 else part for odd, part in enumerate(parts))
    )
