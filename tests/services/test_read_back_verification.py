"""Sign-up with a confirmed address (issue 17; issue 13 item 12), read back
through a second session: a new address gets an account and a confirmation
link, a known one gets a notice and nothing else, the link confirms once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from configurator.services import passwords, sign_ins, verification
from configurator.services.errors import EmailTaken
from configurator.services.privacy import erasure, export
from configurator.store import User
from configurator.store.messages import Message
from configurator.store.models import Interaction
from configurator.store.security import OneTimeLink
from configurator.store.types import utcnow
from tests.helpers import gen_user
from tests.services.read_back import reads_back

FAST = "pbkdf2:sha256:1000"


def sign_up(session, email="new@example.com", password="password123", **extra):
    return verification.sign_up(session, email, password, "Nora", country="de",
                                password_method=FAST, **extra)


def token_of(message: Message) -> str:
    return message.action_url.removeprefix(verification.VERIFY_PATH)


@reads_back(verification.sign_up, verification.confirm)
def test_a_new_address_is_confirmed_by_its_link(session, second_session):
    assert sign_up(session, " NEW@example.com", locale="vi") is None
    with second_session() as other:
        user = other.scalars(sa.select(User)).one()
        assert (user.email, user.locale, user.email_verified_at) == ("new@example.com", "vi", None)
        message = other.scalars(sa.select(Message)).one()
        assert (message.kind, message.secret, message.to_address) == (
            "email_verification", True, "new@example.com")
        assert "Xác nhận" in message.subject  # written in the sign-up page's language
        link = other.scalars(sa.select(OneTimeLink)).one()
        assert (link.purpose, link.token_hash) == ("verify", sign_ins.digest(token_of(message)))
        assert link.expires_at - link.created_at == verification.VERIFY_LIFETIME
    token = token_of(message)
    assert verification.link_user(session, token).id == user.id
    assert passwords.link_user(session, token, "reset") is None  # a confirmation is no reset

    assert verification.confirm(session, token).id == user.id
    with second_session() as other:
        assert other.get(User, user.id).email_verified_at is not None
        assert other.scalars(sa.select(OneTimeLink)).one().used_at is not None
        kinds = other.scalars(sa.select(Interaction.kind).where(
            Interaction.customer_id == user.id)).all()
        assert kinds == ["signed_up", "email_verified"]
    with pytest.raises(passwords.LinkNotValid):
        verification.confirm(session, token)


def test_a_known_address_gets_a_notice_and_no_account(session, second_session):
    anna = gen_user(session, "anna@example.com", name="Anna")
    assert sign_up(session, "Anna@Example.com", password="another-one") is None
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count(User.id))) == 1
        assert other.get(User, anna.id).check_password("password123")  # nothing changed
        message = other.scalars(sa.select(Message)).one()
        assert (message.kind, message.recipient_id, message.to_address, message.action_url) == (
            "signup_attempt", anna.id, "anna@example.com", "/auth/forgot")
        assert "Hello Anna" in message.body and "already have an account" in message.body
        assert other.scalar(sa.select(sa.func.count(OneTimeLink.id))) == 0


def test_the_notices_to_one_owner_are_limited_per_hour(session):
    gen_user(session, "anna@example.com")
    for _ in range(verification.NOTICES_PER_HOUR + 2):
        sign_up(session, "anna@example.com")
    count = session.scalar(sa.select(sa.func.count(Message.id)))
    assert count == verification.NOTICES_PER_HOUR
    later = utcnow() + timedelta(hours=1, seconds=1)
    sign_up(session, "anna@example.com", now=later)
    assert session.scalar(sa.select(sa.func.count(Message.id))) == count + 1


def test_both_answers_spend_a_password_hash(session, monkeypatch):
    """The time taken must not tell a known address from a new one."""
    from configurator.services import verification as module

    gen_user(session, "anna@example.com")
    checked = []
    monkeypatch.setattr(module, "check_no_password", lambda password, method: checked.append(method))
    sign_up(session, "anna@example.com")
    assert checked == [FAST]


def test_an_unfit_password_is_refused_either_way(session):
    gen_user(session, "anna@example.com")
    for email in ("anna@example.com", "new@example.com"):
        with pytest.raises(passwords.UnfitPassword):
            sign_up(session, email, password="short")
    assert session.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_a_racing_sign_up_is_email_taken(session):
    """users.sign_up's own check; verification.sign_up lets the view answer as usual."""
    gen_user(session, "anna@example.com")
    with pytest.raises(EmailTaken):
        verification.users.sign_up(session, "anna@example.com", "password123", "Anna",
                                   password_method=FAST)


def test_a_confirmation_link_expires_and_sets_no_password(session):
    sign_up(session)
    token = token_of(session.scalars(sa.select(Message)).one())
    later = utcnow() + verification.VERIFY_LIFETIME + timedelta(seconds=1)
    assert verification.link_user(session, token, now=later) is None
    with pytest.raises(passwords.LinkNotValid):
        verification.confirm(session, token, now=later)
    with pytest.raises(passwords.LinkNotValid):
        passwords.use_link(session, token, "verify", "chosen-password", password_method=FAST)
    assert session.scalars(sa.select(User)).one().email_verified_at is None


@reads_back(verification.send_again)
def test_a_new_link_on_request_limited_per_hour(session, second_session):
    nora = gen_user(session, "nora@example.com")
    sent = [verification.send_again(session, nora) for _ in range(verification.LINKS_PER_HOUR + 1)]
    assert sent == [True] * verification.LINKS_PER_HOUR + [False]
    with second_session() as other:
        links = other.scalars(sa.select(OneTimeLink).where(OneTimeLink.purpose == "verify")).all()
        assert len(links) == verification.LINKS_PER_HOUR
        assert other.scalar(sa.select(sa.func.count(Message.id)).where(
            Message.kind == "email_verification")) == verification.LINKS_PER_HOUR
    # Any of them confirms; afterwards there is nothing left to confirm.
    token = token_of(session.scalars(sa.select(Message).order_by(Message.id)).first())
    verification.confirm(session, token)
    assert verification.send_again(session, session.get(User, nora.id)) is False


def test_a_reset_link_confirms_the_address_too(session, second_session):
    anna = gen_user(session, "anna@example.com")
    passwords.request_reset(session, "anna@example.com")
    token = session.scalars(sa.select(Message.action_url)).one().removeprefix("/auth/reset/")
    passwords.use_link(session, token, "reset", "chosen-password", password_method=FAST)
    with second_session() as other:
        assert other.get(User, anna.id).email_verified_at is not None


def test_the_confirmation_is_exported_and_erased_with_the_address(session, second_session):
    sign_up(session)
    verification.confirm(session, token_of(session.scalars(sa.select(Message)).one()))
    user = session.scalars(sa.select(User)).one()
    assert export.export(session, user)["profile"]["email_verified_at"] is not None
    erasure.erase(session, user)
    with second_session() as other:
        assert other.get(User, user.id).email_verified_at is None
