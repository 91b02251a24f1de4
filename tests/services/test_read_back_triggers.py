"""The triggers' run read back through a second session: the message it wrote,
with its reason, action and frozen time."""

from __future__ import annotations

import pytest

from configurator.services.triggers import run as triggers
from tests.services.read_back import reads_back
from tests.services.test_triggers import DAYS, NOW, gen_regular, messages, run


@pytest.fixture
def regular(session, bike):
    return gen_regular(session)


@reads_back(triggers.run)
def test_a_refill_reminder_comes_from_the_own_rhythm_and_says_why(
    session, second_session, regular
):
    customer, last = regular
    assert run(session, NOW - 4 * DAYS).outcomes["written"] == 0  # too early

    report = run(session, NOW - 2 * DAYS)

    assert report.written == [f"refill:{last.number}"]
    with second_session() as other:
        (message,) = messages(other)
        assert message.recipient_id == customer.id and message.kind == "refill_reminder"
        assert message.reason == (
            "You order Test bike about every 14 days and your last order was 12 days ago."
        )
        assert message.action_url == f"/account/orders/{last.number}/reorder"
        assert message.action_label == "Reorder in one click"
        assert message.created_at == NOW - 2 * DAYS
        assert message.status == "pending"
