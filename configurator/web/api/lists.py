"""Pages of API lists: `{"items", "limit", "next"}`, with an opaque cursor.

Configurations and orders use the services' keyset pages; short lists that a
service returns whole (product lines, quotes) are paged here by position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import url_for

from configurator.services import paging
from configurator.web.api.problems import ApiProblem
from configurator.web.i18n import error_text

MAX_OFFSET = 1_000_000  # no list is this long; a larger cursor is not one of ours


def keyset_page(page: paging.Page, endpoint: str, limit: int) -> dict[str, Any]:
    """A service's keyset page as the API shows it."""
    next_url = None
    if page.next_cursor is not None:
        next_url = url_for(endpoint, limit=limit, cursor=page.next_cursor)
    return {"items": page.items, "limit": limit, "next": next_url}


def offset_of(cursor: str | None) -> int:
    """Where a positional page starts; 422 for a cursor we did not make."""
    if cursor is None:
        return 0
    try:
        offset = paging.decode(cursor, [int]).key[0]
    except paging.InvalidCursor as error:
        raise _bad_cursor(error_text(error)) from error
    if not 0 <= offset <= MAX_OFFSET:
        raise _bad_cursor("This page link is not valid any more; start from the first page.")
    return offset


def positional_page(
    items: Sequence[Any],
    query: dict[str, Any],
    endpoint: str,
    show: Callable[[Any], Any] = lambda item: item,
    **filters: Any,
) -> dict[str, Any]:
    """One page of a whole list, by position; `filters` are repeated in the next link."""
    start, limit = offset_of(query["cursor"]), query["limit"]
    more = len(items) > start + limit
    next_url = None
    if more:
        cursor = paging.encode(paging.OLDER, [start + limit])
        next_url = url_for(endpoint, limit=limit, cursor=cursor, **filters)
    return {
        "items": [show(item) for item in items[start : start + limit]],
        "limit": limit,
        "next": next_url,
    }


def _bad_cursor(message: str) -> ApiProblem:
    return ApiProblem(422, message, errors={"cursor": [message]})
