"""`Idempotency-Key` for API writes: a retried POST gets the first answer again.

A client that did not hear back (a timeout, a dropped connection) sends the
same request with the same key; instead of acting twice (two orders), the
stored first answer is returned. The key is the client's, per user; using it
for a different request is the client's mistake and is refused.

The key is claimed (a committed row) before the request acts, so two requests
sent at once with one key act once: the second waits for the first's answer
(the web layer polls briefly), else is told to retry (409).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from configurator.services.errors import ServiceError
from configurator.services.unit_of_work import use_case
from configurator.store.security import IdempotentReply
from configurator.store.types import utcnow

MAX_KEY_LENGTH = 200
PENDING = 0  # the status of a claim whose request is still being answered
# A claim this old belongs to a request that died (a worker killed mid-request):
# a retry may take the key over.
STALE_CLAIM = timedelta(minutes=2)
IN_FLIGHT = ("A request with this Idempotency-Key is still being answered; "
             "retry in a moment to get its answer.")


class KeyReused(ServiceError):
    """The key was first sent with another request (method, path or body)."""


class KeyInFlight(ServiceError):
    """Another request with this key is being answered right now."""


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
    """The first answer sent for this key, if any; KeyReused for another request,
    KeyInFlight while the first request is still being answered."""
    row = _row(session, user_id, key)
    if row is None:
        return None
    _check(row, request_hash)
    return Reply(row.status, row.body, row.location)


@use_case
def claim(
    session: Session, user_id: int, key: str, request_hash: str, *, now: datetime | None = None
) -> Reply | None:
    """Take the key for this request before acting on it: None means "act now,
    then `complete` (or `release`)"; a Reply is the first answer, to send again.

    The claim is a row of its own, committed before the request acts: of two
    requests racing with one key, the second finds it (or loses on the unique
    (user, key) constraint) and gets KeyInFlight until the first completes, so
    only one acts. A claim older than STALE_CLAIM (its request died) is taken over.
    KeyReused when the key was first sent with another request.
    """
    now = now or utcnow()
    row = _row(session, user_id, key)
    if row is None:
        session.add(IdempotentReply(user_id=user_id, key=key, request_hash=request_hash,
                                    status=PENDING, body={}, created_at=now))
        try:
            session.flush()
        except IntegrityError:
            raise KeyInFlight(IN_FLIGHT) from None
        return None
    if row.status == PENDING and row.request_hash == request_hash and row.created_at <= now - STALE_CLAIM:
        taken = session.execute(
            sa.update(IdempotentReply)
            .where(IdempotentReply.id == row.id, IdempotentReply.created_at == row.created_at)
            .values(created_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            raise KeyInFlight(IN_FLIGHT)
        return None
    _check(row, request_hash)
    return Reply(row.status, row.body, row.location)


@use_case
def complete(session: Session, user_id: int, key: str, reply: Reply) -> None:
    """Keep the answer of the request that claimed the key, for its retries."""
    session.execute(
        sa.update(IdempotentReply)
        .where(IdempotentReply.user_id == user_id, IdempotentReply.key == key,
               IdempotentReply.status == PENDING)
        .values(status=reply.status, body=reply.body, location=reply.location)
        .execution_options(synchronize_session=False)
    )


@use_case
def release(session: Session, user_id: int, key: str) -> None:
    """The claiming request was refused (or failed): forget the claim, so that a
    retry with the same key may act."""
    session.execute(
        sa.delete(IdempotentReply)
        .where(IdempotentReply.user_id == user_id, IdempotentReply.key == key,
               IdempotentReply.status == PENDING)
        .execution_options(synchronize_session=False)
    )


def _row(session: Session, user_id: int, key: str) -> IdempotentReply | None:
    return session.scalar(
        sa.select(IdempotentReply)
        .where(IdempotentReply.user_id == user_id, IdempotentReply.key == key)
        .execution_options(populate_existing=True)
    )


def _check(row: IdempotentReply, request_hash: str) -> None:
    if row.request_hash != request_hash:
        raise KeyReused("This Idempotency-Key was used for a different request; "
                        "send a new key for a new request.")
    if row.status == PENDING:
        raise KeyInFlight(IN_FLIGHT)
