"""Status transitions, approval thresholds, re-approval, expiry, freezing and revisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from quoting_factories import CLIENT, MANAGER, NOW, SALES, SALES_2, gen_quote

from configurator.quoting import (
    TRANSITIONS,
    Actor,
    ApprovalPolicy,
    ApprovalRequired,
    Discount,
    IllegalTransition,
    NotAllowedToApprove,
    Quote,
    QuoteError,
    QuoteExpired,
    QuoteFrozen,
    Status,
)
from configurator.quoting import lifecycle as lc

POLICY = ApprovalPolicy({"sales": Decimal(10), "manager": Decimal(30), "director": None})
LATER = NOW + timedelta(hours=1)
AFTER_EXPIRY = NOW + timedelta(days=31)


def sent_quote(**kwargs) -> Quote:
    quote = gen_quote(("100", 2), **kwargs)
    lc.send(quote, POLICY, by=SALES, at=NOW)
    return quote


def quote_in(status: Status) -> Quote:
    """A quote brought to `status` through the public steps (15 % discount needs approval)."""
    quote = gen_quote(("100", 2))
    if status is Status.DRAFT:
        return quote
    if status in (Status.PENDING_APPROVAL, Status.APPROVED):
        quote.change_line("L1", discount=Discount.percent_off(15), by=SALES, at=NOW)
        lc.submit_for_approval(quote, by=SALES, at=NOW)
        if status is Status.APPROVED:
            lc.approve(quote, POLICY, by=MANAGER, at=NOW)
        return quote
    if status is Status.CANCELLED:
        lc.cancel(quote, "client went elsewhere", by=SALES, at=NOW)
        return quote
    lc.send(quote, POLICY, by=SALES, at=NOW)
    if status is Status.ACCEPTED or status is Status.ORDERED:
        lc.accept(quote, by=CLIENT, at=LATER)
    if status is Status.ORDERED:
        lc.mark_ordered(quote, by=SALES, at=LATER, order_reference="O-2026-00001")
    if status is Status.DECLINED:
        lc.decline(quote, "too expensive", by=CLIENT, at=LATER)
    if status is Status.EXPIRED:
        lc.expire(quote, at=AFTER_EXPIRY)
    if status is Status.SUPERSEDED:
        lc.supersede(quote, quote.number.next_revision(), by=SALES, at=LATER)
    assert quote.status is status
    return quote


# The step that leads to each target status, as the right person at a time it is allowed.
STEPS: dict[Status, Callable[[Quote], object]] = {
    Status.PENDING_APPROVAL: lambda q: lc.submit_for_approval(q, by=SALES, at=LATER),
    Status.APPROVED: lambda q: lc.approve(q, POLICY, by=MANAGER, at=LATER),
    Status.DRAFT: lambda q: lc.reject_approval(q, "too generous", by=MANAGER, at=LATER),
    Status.SENT: lambda q: lc.send(q, POLICY, by=MANAGER, at=LATER),
    Status.ACCEPTED: lambda q: lc.accept(q, by=CLIENT, at=LATER),
    Status.DECLINED: lambda q: lc.decline(q, "budget cut", by=CLIENT, at=LATER),
    Status.EXPIRED: lambda q: lc.expire(q, at=AFTER_EXPIRY),
    Status.ORDERED: lambda q: lc.mark_ordered(q, by=SALES, at=LATER),
    Status.CANCELLED: lambda q: lc.cancel(q, "duplicate", by=SALES, at=LATER),
    Status.SUPERSEDED: lambda q: lc.supersede(q, q.number.next_revision(), by=SALES, at=LATER),
}
PAIRS = [(source, target) for source in Status for target in STEPS]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{s.value}->{t.value}" for s, t in PAIRS])
def test_every_transition_is_allowed_exactly_when_the_table_says(source, target):
    quote = quote_in(source)
    if target in TRANSITIONS[source]:
        STEPS[target](quote)
        assert quote.status is target
        assert quote.events[-1].action == lc._VERBS[target]
    else:
        with pytest.raises(IllegalTransition, match=f"is {source.value.replace('_', ' ')} and cannot"):
            STEPS[target](quote)
        assert quote.status is source


def test_illegal_transition_message_says_what_is_allowed():
    with pytest.raises(IllegalTransition) as error:
        lc.accept(gen_quote(("100", 1)), by=CLIENT, at=NOW)
    assert str(error.value) == ("Quote Q-2026-00042 is draft and cannot be accepted; "
                                "only a quote that is sent can")


def test_sales_sends_a_quote_within_their_limit_without_approval():
    quote = gen_quote(("100", 2))
    quote.change_line("L1", discount=Discount.percent_off(10), by=SALES, at=NOW)
    lc.send(quote, POLICY, by=SALES, at=NOW)
    assert quote.status is Status.SENT
    assert quote.approval is None


@pytest.mark.parametrize("discount", [Discount.percent_off("10.01"), Discount.amount_off("20.02")])
def test_line_discount_above_the_limit_needs_approval(discount):
    quote = gen_quote(("100", 2))  # line of 200: 20.02 off is 10.01 %
    quote.change_line("L1", discount=discount, by=SALES, at=NOW)
    assert lc.needs_approval(quote, POLICY, "sales")
    assert not lc.needs_approval(quote, POLICY, "manager")
    with pytest.raises(ApprovalRequired, match="above the 10% a sales may give; .* manager, director"):
        lc.send(quote, POLICY, by=SALES, at=NOW)
    assert quote.status is Status.DRAFT


def test_quote_discount_above_the_limit_needs_approval():
    quote = gen_quote(("100", 1), ("50", 2), discount=Discount.amount_off("25"))  # 25 of 200: 12.5 %
    with pytest.raises(ApprovalRequired, match="12.5%"):
        lc.send(quote, POLICY, by=SALES, at=NOW)


def test_approval_flow_submit_approve_send():
    quote = quote_in(Status.APPROVED)
    assert quote.approval is not None
    assert (quote.approval.by, quote.approval.max_discount_percent) == ("m1", Decimal(15))
    lc.send(quote, POLICY, by=SALES, at=LATER)
    assert quote.status is Status.SENT
    assert [e.action for e in quote.events][-4:] == [
        "line changed", "submitted for approval", "approved", "sent"]


def test_approver_needs_a_role_covering_the_discount():
    quote = gen_quote(("100", 2))
    quote.change_line("L1", discount=Discount.percent_off(40), by=SALES, at=NOW)
    lc.submit_for_approval(quote, by=SALES, at=NOW)
    with pytest.raises(NotAllowedToApprove, match="a sales may approve up to 10%"):
        lc.approve(quote, POLICY, by=SALES_2, at=NOW)
    with pytest.raises(NotAllowedToApprove, match="Ask: director"):
        lc.approve(quote, POLICY, by=MANAGER, at=NOW)
    lc.approve(quote, POLICY, by=Actor("d1", "director"), at=NOW)
    assert quote.status is Status.APPROVED


def test_nobody_approves_their_own_request():
    quote = gen_quote(("100", 2), by=MANAGER)
    quote.change_line("L1", discount=Discount.percent_off(40), by=MANAGER, at=NOW)
    lc.submit_for_approval(quote, by=MANAGER, at=NOW)
    director = Actor("m1", "director")  # same person, promoted
    with pytest.raises(NotAllowedToApprove, match="someone else"):
        lc.approve(quote, POLICY, by=director, at=NOW)


@pytest.mark.parametrize("status", [Status.APPROVED, Status.PENDING_APPROVAL])
@pytest.mark.parametrize("edit", [
    lambda q: q.change_line("L1", quantity=3, by=SALES, at=LATER),
    lambda q: q.change_line("L1", discount=Discount.percent_off(12), by=SALES, at=LATER),
    lambda q: q.set_discount(Discount.percent_off(1), by=SALES, at=LATER),
    lambda q: q.add_line("desk", q.lines[0].options, 1, by=SALES, at=LATER),
], ids=["quantity", "line discount", "quote discount", "new line"])
def test_price_edit_after_approval_withdraws_it(status, edit):
    quote = quote_in(status)
    edit(quote)
    assert quote.status is Status.DRAFT
    assert quote.approval is None
    assert quote.events[-1].action == "approval withdrawn"
    with pytest.raises(ApprovalRequired):
        lc.send(quote, POLICY, by=SALES, at=LATER)


def test_edits_that_do_not_change_prices_keep_the_approval():
    quote = quote_in(Status.APPROVED)
    quote.set_valid_until(NOW + timedelta(days=60), by=SALES, at=LATER)
    quote.lock_price("L1", by=SALES, at=LATER)
    assert quote.status is Status.APPROVED
    lc.send(quote, POLICY, by=SALES, at=LATER)
    assert quote.status is Status.SENT


def test_lowering_the_discount_below_the_limit_lets_sales_send_again():
    quote = quote_in(Status.APPROVED)
    quote.change_line("L1", discount=Discount.percent_off(5), by=SALES, at=LATER)
    lc.send(quote, POLICY, by=SALES, at=LATER)
    assert quote.status is Status.SENT


def test_sent_quote_is_frozen():
    quote = sent_quote()
    with pytest.raises(QuoteFrozen, match="Q-2026-00042 is sent .* create a revision"):
        quote.change_line("L1", quantity=5, by=SALES, at=LATER)
    with pytest.raises(QuoteFrozen):
        quote.set_discount(None, by=SALES, at=LATER)
    with pytest.raises(QuoteFrozen):
        quote.add_line("desk", quote.lines[0].options, 1, by=SALES, at=LATER)
    assert quote.lines[0].quantity == 2


def test_expired_quote_cannot_be_accepted():
    quote = sent_quote()
    with pytest.raises(QuoteExpired, match="can no longer be accepted"):
        lc.accept(quote, by=CLIENT, at=quote.valid_until)  # valid *until*, not through
    assert quote.status is Status.SENT
    lc.accept(quote, by=CLIENT, at=quote.valid_until - timedelta(seconds=1))
    assert quote.status is Status.ACCEPTED


def test_expiry_only_after_the_valid_until_date():
    quote = sent_quote()
    with pytest.raises(IllegalTransition, match="cannot expire before"):
        lc.expire(quote, at=LATER)
    assert not lc.expire_if_due(quote, at=LATER)
    assert lc.expire_if_due(quote, at=AFTER_EXPIRY)
    assert quote.status is Status.EXPIRED
    assert not lc.expire_if_due(quote, at=AFTER_EXPIRY)  # only once


def test_a_quote_past_its_validity_cannot_be_sent():
    quote = gen_quote(("100", 1), days=1)
    with pytest.raises(QuoteExpired, match="set a later valid-until date"):
        lc.send(quote, POLICY, by=SALES, at=NOW + timedelta(days=2))


def test_a_quote_without_included_lines_cannot_be_sent():
    with pytest.raises(QuoteError, match="no line to sell"):
        lc.send(gen_quote(), POLICY, by=SALES, at=NOW)


def test_naive_datetimes_are_refused():
    quote = gen_quote(("100", 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        lc.send(quote, POLICY, by=SALES, at=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        quote.set_valid_until(datetime(2026, 5, 1), by=SALES, at=NOW)


@pytest.mark.parametrize("step", [
    lambda q: lc.decline(q, "  ", by=CLIENT, at=LATER),
    lambda q: lc.cancel(q, "", by=SALES, at=LATER),
])
def test_decline_and_cancel_need_a_reason(step):
    quote = sent_quote()
    with pytest.raises(QuoteError, match="Give a reason"):
        step(quote)
    assert quote.status is Status.SENT


def test_decline_keeps_the_reason():
    quote = sent_quote()
    lc.decline(quote, "chose a competitor", by=CLIENT, at=LATER)
    assert quote.decline_reason == "chose a competitor"
    assert quote.events[-1].detail == "chose a competitor"
    assert quote.events[-1].actor == "c1"


def test_revise_creates_r2_and_the_sent_quote_stays_open_until_r2_is_sent():
    quote = sent_quote(discount=Discount.percent_off(2))
    revision = lc.revise(quote, by=SALES_2, at=NOW + timedelta(days=10))
    assert str(revision.number) == "Q-2026-00042-R2"
    assert quote.status is Status.SENT  # the client may still accept R1
    assert quote.superseded_by is None
    lc.supersede(quote, revision.number, by=SALES_2, at=NOW + timedelta(days=11))
    assert quote.status is Status.SUPERSEDED
    assert quote.superseded_by == revision.number
    assert revision.status is Status.DRAFT
    assert revision.approval is None
    assert [line.line_id for line in revision.lines] == ["L1"]
    assert revision.discount == Discount.percent_off(2)
    # validity renewed for as long as the first quote had (30 days), not copied
    assert revision.valid_until == NOW + timedelta(days=40)
    assert revision.created_by == SALES_2
    assert [e.action for e in revision.events] == ["revision created"]
    # the revision is editable, the old one is not
    revision.change_line("L1", quantity=5, by=SALES_2, at=NOW + timedelta(days=10))
    assert quote.lines[0].quantity == 2
    with pytest.raises(QuoteFrozen):
        quote.change_line("L1", quantity=5, by=SALES, at=LATER)


def test_revisions_count_up_and_only_the_latest_can_be_revised():
    first = sent_quote()
    second = lc.revise(first, by=SALES, at=LATER)
    lc.send(second, POLICY, by=SALES, at=LATER)
    lc.supersede(first, second.number, by=SALES, at=LATER)
    third = lc.revise(second, by=SALES, at=LATER, valid_until=NOW + timedelta(days=90))
    assert str(third.number) == "Q-2026-00042-R3"
    assert third.valid_until == NOW + timedelta(days=90)
    with pytest.raises(IllegalTransition, match="superseded and cannot be revised"):
        lc.revise(first, by=SALES, at=LATER)


def test_declined_and_expired_quotes_can_be_revised():
    declined = quote_in(Status.DECLINED)
    assert str(lc.revise(declined, by=SALES, at=LATER).number) == "Q-2026-00042-R2"
    expired = quote_in(Status.EXPIRED)
    revision = lc.revise(expired, by=SALES, at=AFTER_EXPIRY)
    assert revision.valid_until == AFTER_EXPIRY + timedelta(days=30)


# ------------------------------------------------- margin and multi-step approval (issue 15)

STEPPED = ApprovalPolicy({"sales": Decimal(10), "manager": Decimal(20), "director": None},
                       {"sales": Decimal(25), "manager": Decimal(15)},
                       steps=("manager", "director"))
DIRECTOR = Actor("d1", "director", "Dora Director")


def test_a_low_margin_needs_approval_even_without_a_discount():
    quote = gen_quote(("100", 2))
    assert not lc.needs_approval(quote, STEPPED, "sales", margin=Decimal(25))  # exactly the floor
    assert lc.needs_approval(quote, STEPPED, "sales", margin=Decimal("24.99"))
    with pytest.raises(ApprovalRequired, match="margin of 24.99%.*at least 25%.*by: manager$"):
        lc.send(quote, STEPPED, by=SALES, at=NOW, margin=Decimal("24.99"))
    lc.send(quote, STEPPED, by=SALES, at=NOW)  # no costs known: judged on the discount alone
    assert quote.status is Status.SENT


@pytest.mark.parametrize("discount, margin, steps", [
    (Decimal(15), Decimal(30), ("manager",)),
    (Decimal(5), Decimal(20), ("manager",)),
    (Decimal(25), Decimal(30), ("manager", "director")),
    (Decimal(5), Decimal(10), ("manager", "director")),
])
def test_the_steps_a_quote_needs(discount, margin, steps):
    assert STEPPED.required_steps(discount, margin) == steps


def test_manager_then_director_in_that_order():
    quote = gen_quote(("100", 2))
    quote.change_line("L1", discount=Discount.percent_off(25), by=SALES, at=NOW)
    lc.submit_for_approval(quote, by=SALES, at=NOW, reason="key account")
    with pytest.raises(NotAllowedToApprove, match="waits for a manager's approval"):
        lc.approve(quote, STEPPED, by=DIRECTOR, at=NOW)
    lc.approve(quote, STEPPED, by=MANAGER, at=NOW)
    assert quote.status is Status.PENDING_APPROVAL and quote.approval is None
    assert [step.role for step in quote.approval_steps] == ["manager"]
    with pytest.raises(NotAllowedToApprove, match="waits for a director's approval"):
        lc.approve(quote, STEPPED, by=Actor("m2", "manager"), at=LATER)
    lc.approve(quote, STEPPED, by=DIRECTOR, at=LATER)
    assert quote.status is Status.APPROVED
    assert (quote.approval.by, quote.approval.role) == ("d1", "director")
    assert [e.action for e in quote.events][-3:] == [
        "submitted for approval", "approval step", "approved"]
    lc.send(quote, STEPPED, by=SALES, at=LATER)


def test_a_price_change_between_the_steps_starts_the_approval_again():
    quote = gen_quote(("100", 2))
    quote.change_line("L1", discount=Discount.percent_off(25), by=SALES, at=NOW)
    lc.submit_for_approval(quote, by=SALES, at=NOW)
    lc.approve(quote, STEPPED, by=MANAGER, at=NOW)
    quote.change_line("L1", quantity=3, by=SALES, at=LATER)
    assert quote.status is Status.DRAFT and quote.approval_steps == []


def test_a_manager_approves_within_the_managers_margin_floor_alone():
    quote = gen_quote(("100", 2))
    lc.submit_for_approval(quote, by=SALES, at=NOW)
    lc.approve(quote, STEPPED, by=MANAGER, at=NOW, margin=Decimal(15))
    assert quote.status is Status.APPROVED
    assert quote.approval.margin_percent == Decimal(15)


def test_the_director_cannot_approve_the_step_they_asked_for():
    quote = gen_quote(("100", 2), by=DIRECTOR)
    quote.change_line("L1", discount=Discount.percent_off(25), by=DIRECTOR, at=NOW)
    lc.submit_for_approval(quote, by=DIRECTOR, at=NOW)
    lc.approve(quote, STEPPED, by=MANAGER, at=NOW)
    with pytest.raises(NotAllowedToApprove, match="someone else"):
        lc.approve(quote, STEPPED, by=DIRECTOR, at=NOW)
