"""Approval by margin and in steps (issue 15), read back through a second session: a
quote whose margin is below what a manager may accept needs the manager's approval and
then a director's; the request keeps its reason and shows discount, margin, value,
requester and the steps; the limits come from the settings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from configurator.quoting import ApprovalRequired, Discount, NotAllowedToApprove
from configurator.services import catalogs, quotes
from configurator.services.quotes.service_lines import ServiceInput
from configurator.store.quotes import QuoteRecord
from tests.services.quote_factories import BIKE, gen_staff
from tests.services.read_back import reads_back
from tests.services.test_value import COSTED_BIKE

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def costed(session, people):
    """The costed bike (one bike: 166.50 net, 86.00 cost) and a director."""
    catalogs.load_text(session, COSTED_BIKE, "costed-bike.yaml")
    session.commit()
    people["director"] = gen_staff(session, "director")
    session.commit()
    return people


def low_margin_draft(session, people) -> QuoteRecord:
    """One bike and an installation sold at 100.00 that costs us 150.00: net 266.50, cost
    236.00, a margin of 11.4 %, below a manager's 15 % floor; no discount at all."""
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    quotes.lines.add_line(session, people["sales"], record.id, "test-bike", BIKE, 1, now=NOW)
    quotes.service_lines.add_service(
        session, people["sales"], record.id,
        ServiceInput("Installation", 1, Decimal("100.00"), Decimal("150.00")), now=NOW)
    return record


@reads_back(quotes.approvals.submit, quotes.approvals.approve)
def test_a_low_margin_goes_to_a_manager_then_a_director(session, second_session, costed):
    people = costed
    record = low_margin_draft(session, people)
    with pytest.raises(ApprovalRequired, match="margin of 11.44%.*submit it for approval by: manager, director"):
        quotes.sending.send(session, people["sales"], record.id, now=NOW)
    session.rollback()
    quotes.approvals.submit(session, people["sales"], record.id, reason="Installation at cost",
                            now=NOW)
    [request] = quotes.approvals.pending(session, people["director"])
    assert (request.discount_percent, request.margin_percent, request.net_total) == (
        Decimal("0.00"), Decimal("11.4"), Decimal("266.50"))
    assert (request.requested_by, request.reason) == ("Staff Person", "Installation at cost")
    assert (request.steps, request.waiting_for) == (("manager", "director"), "manager")
    with pytest.raises(NotAllowedToApprove, match="waits for a manager's approval"):
        quotes.approvals.approve(session, people["director"], record.id, now=NOW)
    session.rollback()

    quotes.approvals.approve(session, people["manager"], record.id, now=NOW)
    with second_session() as other:
        stored = other.get(QuoteRecord, record.id)
        assert stored.status == "pending_approval"
        assert [step["role"] for step in stored.approval["steps"]] == ["manager"]
        [request] = quotes.approvals.pending(other, people["director"])
        assert request.waiting_for == "director" and request.approved_by == ("Manager Person",)

    quotes.approvals.approve(session, people["director"], record.id, now=NOW)
    with second_session() as other:
        stored = other.get(QuoteRecord, record.id)
        assert stored.status == "approved"
        assert (stored.approval["role"], Decimal(stored.approval["margin"]).quantize(
            Decimal("0.1"))) == ("director", Decimal("11.4"))
    quotes.sending.send(session, people["sales"], record.id, now=NOW)
    with second_session() as other:
        assert other.get(QuoteRecord, record.id).status == "sent"


def test_limits_come_from_the_settings(session, costed, monkeypatch):
    people = costed
    monkeypatch.setenv("QUOTE_MANAGER_MARGIN_FLOOR", "10")
    record = low_margin_draft(session, people)
    quotes.approvals.submit(session, people["sales"], record.id, now=NOW)
    quotes.approvals.approve(session, people["manager"], record.id, now=NOW)
    assert session.get(QuoteRecord, record.id).status == "approved"  # 11.4 % >= 10 %


def test_a_discount_beyond_the_managers_limit_needs_the_director_too(session, costed):
    people = costed
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    quotes.lines.add_line(session, people["sales"], record.id, "test-bike", BIKE, 2, now=NOW)
    quotes.drafts.set_discount(session, people["sales"], record.id, Discount.percent_off(22),
                               now=NOW)
    quotes.approvals.submit(session, people["sales"], record.id, now=NOW)
    [request] = quotes.approvals.pending(session, people["manager"])
    assert request.steps == ("manager", "director")
    quotes.approvals.approve(session, people["manager"], record.id, now=NOW)
    assert session.get(QuoteRecord, record.id).status == "pending_approval"
    quotes.approvals.reject(session, people["director"], record.id, "too low", now=NOW)
    stored = session.get(QuoteRecord, record.id)
    assert (stored.status, stored.approval) == ("draft", None)


def test_only_managers_and_directors_see_the_requests(session, costed):
    with pytest.raises(NotAllowedToApprove):
        quotes.approvals.pending(session, costed["sales"])
