"""Passwords and one-time links, read back through a second session: a changed
password, a reset link and its e-mail, a password set from a link (once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from configurator.services import passwords, sign_ins
from configurator.store import User
from configurator.store.messages import Message
from configurator.store.security import OneTimeLink, SignedInSession
from configurator.store.types import utcnow
from tests.helpers import gen_user
from tests.services.read_back import reads_back

FAST = "pbkdf2:sha256:1000"


def open_sessions(other, user_id: int) -> int:
    return other.scalar(sa.select(sa.func.count(SignedInSession.id)).where(
        SignedInSession.user_id == user_id, SignedInSession.ended_at.is_(None)))


@reads_back(passwords.change)
def test_change(session, second_session):
    anna = gen_user(session, "anna@example.com")
    mine = sign_ins.start(session, anna)
    sign_ins.start(session, anna)
    with pytest.raises(passwords.WrongPassword):
        passwords.change(session, anna, "not-it", "new-password", password_method=FAST)
    with pytest.raises(passwords.UnfitPassword):
        passwords.change(session, anna, "password123", "short", password_method=FAST)
    assert passwords.change(session, anna, "password123", "new-password", keep_token=mine,
                            password_method=FAST) == 1
    with second_session() as other:
        assert other.get(User, anna.id).check_password("new-password")
        assert open_sessions(other, anna.id) == 1
        assert sign_ins.user_of(other, anna.id, mine) is not None


@reads_back(passwords.request_reset, passwords.use_link)
def test_reset(session, second_session):
    anna = gen_user(session, "anna@example.com")
    sign_ins.start(session, anna)
    assert passwords.request_reset(session, "nobody@example.com") is None
    passwords.request_reset(session, " ANNA@example.com")
    with second_session() as other:
        message = other.scalars(sa.select(Message)).one()
        assert (message.kind, message.secret, message.to_address) == (
            "password_reset", True, "anna@example.com")
        token = message.action_url.removeprefix("/auth/reset/")
        assert other.scalars(sa.select(OneTimeLink)).one().token_hash == sign_ins.digest(token)
    assert passwords.link_user(session, token, "reset").id == anna.id
    assert passwords.link_user(session, token, "invite") is None
    passwords.use_link(session, token, "reset", "chosen-password", password_method=FAST)
    with second_session() as other:
        assert other.get(User, anna.id).check_password("chosen-password")
        assert other.scalars(sa.select(OneTimeLink)).one().used_at is not None
        assert open_sessions(other, anna.id) == 0
    with pytest.raises(passwords.LinkNotValid):
        passwords.use_link(session, token, "reset", "third-password", password_method=FAST)
    with second_session() as other:
        assert other.get(User, anna.id).check_password("chosen-password")


def test_a_link_expires(session):
    anna = gen_user(session, "anna@example.com")
    passwords.request_reset(session, "anna@example.com")
    token = session.scalars(sa.select(Message.action_url)).one().removeprefix("/auth/reset/")
    later = utcnow() + passwords.RESET_LIFETIME + timedelta(seconds=1)
    assert passwords.link_user(session, token, "reset", now=later) is None
    with pytest.raises(passwords.LinkNotValid):
        passwords.use_link(session, token, "reset", "chosen-password", now=later, password_method=FAST)
    assert session.get(User, anna.id).check_password("password123")
