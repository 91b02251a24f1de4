"""Refuse hostile text before any view sees it.

Every URL path, query parameter, form field and JSON body is checked here,
once, rather than in each form: a NUL byte in any of them becomes a database
error on PostgreSQL (a 500 that SQLite never showed), and control characters
have no business in names, searches or reasons. A path with one is a 404 (no
such page can exist); a query or form field with one is a 400 saying which
field. JSON bodies are checked by the API when it reads them
(`web/api/operations.py`), because only it knows when a body is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, abort, request

from configurator.engine.text import PATH_CONTROL_CHARACTER, control_character_at

# Deeper JSON is refused before parsing: Python's parser recurses per level,
# and no body of ours nests beyond a handful.
MAX_JSON_DEPTH = 32


def register(app: Flask) -> None:
    """Check every request before its view runs."""
    app.before_request(refuse_control_characters)


def refuse_control_characters() -> None:
    """404 for a path with control characters; 400 naming the field for a query or form."""
    if PATH_CONTROL_CHARACTER.search(request.path):
        abort(404)
    field = _field_with_control_character(request.args.items(multi=True))
    if field is None and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        field = _field_with_control_character(request.form.items(multi=True))
    if field is not None:
        abort(400, description=f"The field “{_printable(field)}” contains a control character "
                               "(such as NUL); please remove it and try again.")


def _field_with_control_character(items: Iterable[tuple[str, str]]) -> str | None:
    for name, value in items:
        if control_character_at(name) is not None or control_character_at(value) is not None:
            return name
    return None


def _printable(name: str) -> str:
    return PATH_CONTROL_CHARACTER.sub("?", name)[:60]


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in `raw` nest deeper than `limit` (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def json_control_character_at(document: Any, location: str = "") -> str | None:
    """The location (`selection.frame`) of the first string with a control character, or None."""
    if isinstance(document, str):
        if control_character_at(document) is not None:
            return _printable(location or "(body)")
        return None
    if isinstance(document, dict):
        for key, value in document.items():
            here = f"{location}.{key}" if location else str(key)
            if control_character_at(str(key)) is not None:
                return _printable(here)
            found = json_control_character_at(value, here)
            if found:
                return found
    if isinstance(document, list):
        for index, value in enumerate(document):
            found = json_control_character_at(value, f"{location}[{index}]")
            if found:
                return found
    return None
