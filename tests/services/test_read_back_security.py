"""Read-back tests of the security use cases: signed-in sessions and
idempotent replies, as the next request sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from configurator.services import idempotency, sign_ins
from configurator.store.security import IdempotentReply, SignedInSession
from configurator.store.types import utcnow
from tests.helpers import gen_user
from tests.services.read_back import reads_back


@reads_back(sign_ins.start, sign_ins.end, sign_ins.end_all)
def test_sessions_start_and_end(session, second_session):
    user = gen_user(session)
    first, second, third = (sign_ins.start(session, user) for _ in range(3))
    with second_session() as other:
        assert sign_ins.user_of(other, user.id, first).id == user.id
    sign_ins.end(session, first)
    with second_session() as other:
        assert sign_ins.user_of(other, user.id, first) is None
        assert sign_ins.user_of(other, user.id, second).id == user.id
        assert sign_ins.user_of(other, user.id + 1, second) is None  # another user's id
    assert sign_ins.end_all(session, user.id) == 2
    with second_session() as other:
        assert sign_ins.user_of(other, user.id, third) is None
        stored = other.query(SignedInSession.token_hash).all()
        assert all(third not in row.token_hash for row in stored)  # only hashes are kept


@reads_back(idempotency.claim, idempotency.complete, idempotency.release)
def test_replies_are_kept_per_user_and_key(session, second_session):
    user, someone = gen_user(session), gen_user(session)
    reply = idempotency.Reply(201, {"number": "ABCD-EFGH"}, "/api/orders/ABCD-EFGH")
    assert idempotency.claim(session, user.id, "k", "h1") is None  # act
    with second_session() as other:  # the twin request sees the claim
        with pytest.raises(idempotency.KeyInFlight):
            idempotency.claim(other, user.id, "k", "h1")
    idempotency.complete(session, user.id, "k", reply)
    with second_session() as other:
        assert idempotency.stored(other, user.id, "k", "h1") == reply
        assert idempotency.claim(other, user.id, "k", "h1") == reply  # replay
        assert idempotency.stored(other, someone.id, "k", "h1") is None
        with pytest.raises(idempotency.KeyReused):
            idempotency.claim(other, user.id, "k", "h2")
        assert other.query(IdempotentReply).count() == 1
    assert idempotency.claim(session, user.id, "refused", "h1") is None
    idempotency.release(session, user.id, "refused")
    with second_session() as other:
        assert idempotency.stored(other, user.id, "refused", "h1") is None  # may be retried
    assert idempotency.claim(session, user.id, "refused", "h1") is None


def test_a_claim_of_a_dead_request_is_taken_over(session):
    user = gen_user(session)
    assert idempotency.claim(session, user.id, "k", "h1") is None
    with pytest.raises(idempotency.KeyInFlight):
        idempotency.claim(session, user.id, "k", "h1")
    later = utcnow() + idempotency.STALE_CLAIM + timedelta(seconds=1)
    assert idempotency.claim(session, user.id, "k", "h1", now=later) is None
