"""Work in progress kept in the session: the last draft per product line, and
a guest's pending save, so nothing is lost when a guest signs up or in."""

from __future__ import annotations

import json
from typing import Any

from flask import session

DRAFT_LIMIT = 3000  # characters of JSON; cookies must stay small


def remember(catalog_id: str, selection: dict[str, Any], name: str = "") -> None:
    """Keep the newest picks for a product line (one product line at a time)."""
    draft = {"catalog": catalog_id, "selection": selection, "name": name}
    if len(json.dumps(draft)) <= DRAFT_LIMIT:
        session["draft"] = draft


def recall(catalog_id: str) -> tuple[dict[str, Any], str] | None:
    """The kept picks and name for this product line, if any."""
    draft = session.get("draft")
    if draft and draft.get("catalog") == catalog_id:
        return dict(draft.get("selection") or {}), draft.get("name") or ""
    return None


def forget(catalog_id: str) -> None:
    """Drop the draft once it is saved."""
    draft = session.get("draft")
    if draft and draft.get("catalog") == catalog_id:
        session.pop("draft", None)


def stash_save(catalog_id: str, selection: dict[str, Any], name: str) -> None:
    """A guest asked to save: remember it until they have an account."""
    remember(catalog_id, selection, name)
    session["pending_save"] = catalog_id


def pop_pending_save() -> tuple[str, dict[str, Any], str] | None:
    """The save a guest asked for before signing in, once."""
    catalog_id = session.pop("pending_save", None)
    if not catalog_id:
        return None
    kept = recall(catalog_id)
    if kept is None:
        return None
    return catalog_id, kept[0], kept[1]
