"""`Idempotency-Key` for API writes: a retried POST gets the first answer again.

A client that did not hear back (a timeout, a dropped connection) sends the
same request with the same key; instead of acting twice (two orders), the
stored first answer is returned. The key is the client's, per user; using it
for a different request is the client's mistake and is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from configurator.services.errors import ServiceError
from configurator.services.unit_of_work import use_case
from configurator.store.security import IdempotentReply

MAX_KEY_LENGTH = 200


class KeyReused(ServiceError):
    """The key was first sent with another request (method, path or body)."""


@dataclass(frozen=True)
class Reply:
    """A stored answer: status, JSON body and Location header."""

    status: int
    body: Any
    location: str | None


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What identifies a request for its key: method, path and exact body."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def stored(session: Session, user_id: int, key: str, request_hash: str) -> Reply | None:
    """The first answer sent for this key, if any; KeyReused for another request."""
    row = session.scalar(
        sa.select(IdempotentReply).where(IdempotentReply.user_id == user_id,
                                         IdempotentReply.key == key)
    )
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise KeyReused("This Idempotency-Key was used for a different request; "
                        "send a new key for a new request.")
    return Reply(row.status, row.body, row.location)


@use_case
def remember(
    session: Session, user_id: int, key: str, request_hash: str, reply: Reply
) -> None:
    """Keep the first answer for this key (a twin request that stored first wins)."""
    session.add(IdempotentReply(user_id=user_id, key=key, request_hash=request_hash,
                                status=reply.status, body=reply.body, location=reply.location))
    try:
        session.flush()
    except IntegrityError:
        raise KeyReused("This Idempotency-Key is being used by another request.") from None
