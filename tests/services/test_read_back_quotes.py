"""Every quote use case read back through a second session, among them the
lost-revenue case: an order converted from a quote counts toward the
contact's value and tier as soon as the use case is done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.quoting import Discount
from configurator.services import quotes
from configurator.services.errors import QuoteChanged
from configurator.store import Interaction, Order, User
from configurator.store.quotes import AccountEvent, QuoteLineRecord, QuoteRecord, QuoteTemplate
from configurator.store.value import CustomerValue
from tests.services.quote_factories import BIKE, CARBON
from tests.services.read_back import reads_back

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def draft(session, people, *lines):
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    for selection, quantity in lines:
        quotes.lines.add_line(session, people["sales"], record.id, "test-bike", selection,
                             quantity, now=NOW)
    return record


def sent(session, people, *lines):
    record = draft(session, people, *lines)
    return quotes.sending.send(session, people["sales"], record.id, now=NOW)


def stored(other, record) -> QuoteRecord:
    return other.get(QuoteRecord, record.id)


def quote_actions(other, record) -> list[str]:
    query = sa.select(AccountEvent.action).where(AccountEvent.quote_id == record.id)
    return list(other.scalars(query.order_by(AccountEvent.id)))


@reads_back(quotes.drafts.create, quotes.lines.add_line, quotes.lines.change_line, quotes.lines.remove_line)
def test_draft_and_its_lines(session, second_session, people):
    record = draft(session, people, (BIKE, 2), (CARBON, 1))
    quotes.lines.change_line(session, people["sales"], record.id, "L1", quantity=5,
                            discount=Discount.percent_off(Decimal(3)), now=NOW)
    quotes.lines.remove_line(session, people["sales"], record.id, "L2", now=NOW)
    with second_session() as other:
        quote = stored(other, record)
        assert (quote.number, quote.status) == ("Q-2026-00001", "draft")
        assert [(line.line_id, line.quantity) for line in quote.lines] == [("L1", 5)]
        assert quote_actions(other, record)[0] == "created"


def test_a_refused_line_change_keeps_the_previous_state(session, second_session, people):
    record = draft(session, people, (BIKE, 2))
    seen = record.version_id
    quotes.lines.change_line(session, people["sales"], record.id, "L1", quantity=3,
                            discount=None, version=seen, now=NOW)
    with pytest.raises(QuoteChanged):  # the manager's copy is older than the saved quote
        quotes.lines.change_line(session, people["manager"], record.id, "L1", quantity=9,
                                discount=None, version=seen, now=NOW)
    with second_session() as other:
        assert other.scalar(sa.select(QuoteLineRecord.quantity)) == 3


@reads_back(quotes.drafts.set_discount, quotes.drafts.set_valid_until, quotes.drafts.reprice)
def test_discount_validity_and_reprice(session, second_session, people):
    record = draft(session, people, (BIKE, 1))
    quotes.drafts.set_discount(session, people["sales"], record.id,
                        Discount.percent_off(Decimal(5), "loyal"), now=NOW)
    quotes.drafts.set_valid_until(session, people["sales"], record.id, NOW + timedelta(days=60), now=NOW)
    quotes.drafts.reprice(session, people["sales"], record.id, now=NOW)
    with second_session() as other:
        quote = stored(other, record)
        assert quote.discount == {"percent": "5", "reason": "loyal"}
        assert quote.valid_until == NOW + timedelta(days=60)
        assert quote_actions(other, record)[-1] == "repriced"


@reads_back(quotes.approvals.submit, quotes.approvals.approve, quotes.approvals.reject)
def test_approval(session, second_session, people):
    record = draft(session, people, (BIKE, 1))
    quotes.drafts.set_discount(session, people["sales"], record.id,
                        Discount.percent_off(Decimal(15)), now=NOW)  # within a manager's 20 %
    quotes.approvals.submit(session, people["sales"], record.id, now=NOW)
    quotes.approvals.reject(session, people["manager"], record.id, "too much", now=NOW)
    with second_session() as other:
        assert stored(other, record).status == "draft"
    quotes.approvals.submit(session, people["sales"], record.id, now=NOW)
    quotes.approvals.approve(session, people["manager"], record.id, now=NOW)
    with second_session() as other:
        quote = stored(other, record)
        assert quote.status == "approved" and Decimal(quote.approval["percent"]) == 15


@reads_back(quotes.sending.send, quotes.answers.accept)
def test_send_and_accept(session, second_session, people):
    record = sent(session, people, (BIKE, 1))
    with second_session() as other:
        quote = stored(other, record)
        assert quote.status == "sent" and quote.frozen["number"] == quote.number
        received = other.scalars(sa.select(Interaction.kind).where(
            Interaction.customer_id == people["contact"].id))
        assert "quoted" in list(received)  # the contact's own timeline
    quotes.answers.accept(session, people["contact"], record.id, signature="Ada",
                         now=NOW + timedelta(days=1))
    with second_session() as other:
        quote = stored(other, record)
        assert (quote.status, quote.answered_by_id) == ("accepted", people["contact"].id)


@reads_back(quotes.answers.decline)
def test_decline(session, second_session, people):
    record = sent(session, people, (BIKE, 1))
    quotes.answers.decline(session, people["contact"], record.id, "cheaper elsewhere",
                          now=NOW + timedelta(days=1))
    with second_session() as other:
        quote = stored(other, record)
        assert (quote.status, quote.decline_reason) == ("declined", "cheaper elsewhere")


@reads_back(quotes.sending.cancel)
def test_cancel(session, second_session, people):
    record = sent(session, people, (BIKE, 1))
    quotes.sending.cancel(session, people["sales"], record.id, "client closed", now=NOW)
    with second_session() as other:
        assert (stored(other, record).status, stored(other, record).cancel_reason) == (
            "cancelled", "client closed")


@reads_back(quotes.drafts.revise)
def test_revise(session, second_session, people):
    record = sent(session, people, (BIKE, 3))
    revision = quotes.drafts.revise(session, people["sales"], record.id, now=NOW)
    with second_session() as other:
        assert stored(other, record).status == "sent"  # open to the client until R2 is sent
        new = stored(other, revision)
        assert (new.number, new.status) == ("Q-2026-00001-R2", "draft")
        assert [line.quantity for line in new.lines] == [3]
    quotes.sending.send(session, people["sales"], revision.id, now=NOW)
    with second_session() as other:
        assert (stored(other, record).status, stored(other, revision).status) == (
            "superseded", "sent")


@reads_back(quotes.answers.convert_to_order)
def test_an_order_from_a_quote_counts_toward_the_contacts_value(session, second_session, people):
    """The lost revenue: the order hook's value and tier must be committed with the order."""
    record = sent(session, people, (BIKE, 2), (CARBON, 1))
    quotes.answers.accept(session, people["contact"], record.id, now=NOW + timedelta(days=1))
    order = quotes.answers.convert_to_order(session, people["sales"], record.id)
    with second_session() as other:
        assert other.get(Order, order.id).owner_id == people["contact"].id
        assert (stored(other, record).status, stored(other, record).order_id) == (
            "ordered", order.id)
        value = other.get(CustomerValue, people["contact"].id)
        assert value is not None, "the contact's value was never committed"
        # Revenue is the quote's net: 2 x 166.50 + 742.50 = 1075.50, not 1279.85 with VAT.
        assert (value.order_count, value.revenue) == (1, Decimal("1075.50"))
        assert order.total == Decimal("1279.85")
        assert other.get(User, people["contact"].id).tier == value.tier


@reads_back(quotes.sending.expire_due)
def test_expire_due(session, second_session, people):
    record = sent(session, people, (BIKE, 1))
    expired = quotes.sending.expire_due(session, now=NOW + timedelta(days=365))
    with second_session() as other:
        assert expired == [record.number]
        assert stored(other, record).status == "expired"


@reads_back(quotes.lines.reconfigure_line)
def test_reconfigure_line(session, second_session, people):
    record = draft(session, people, (BIKE, 2))
    quotes.lines.reconfigure_line(session, people["sales"], record.id, "L1", CARBON, 3, now=NOW)
    with second_session() as other:
        line = stored(other, record).lines[0]
        assert (line.line_id, line.quantity, line.selection["frame"]) == ("L1", 3, "carbon")
        assert ["frame", "carbon"] == line.options[0][:2]
        assert quote_actions(other, record)[-1] == "line changed"


@reads_back(quotes.lines.lock_price)
def test_lock_price(session, second_session, people):
    record = draft(session, people, (BIKE, 2))
    quotes.lines.lock_price(session, people["sales"], record.id, "L1", now=NOW)
    with second_session() as other:
        assert stored(other, record).lines[0].locked_terms["currency"] == "EUR"
        assert quote_actions(other, record)[-1] == "price locked"
    quotes.lines.lock_price(session, people["sales"], record.id, "L1", locked=False, now=NOW)
    with second_session() as other:
        assert stored(other, record).lines[0].locked_terms is None


@reads_back(quotes.drafts.copy)
def test_copy(session, second_session, people):
    record = sent(session, people, (BIKE, 2), (CARBON, 1))
    copied = quotes.drafts.copy(session, people["sales"], record.id, now=NOW + timedelta(days=3))
    with second_session() as other:
        new = stored(other, copied.record)
        assert (new.number, new.status, new.approval) == ("Q-2026-00002", "draft", None)
        assert [(line.line_id, line.quantity) for line in new.lines] == [("L1", 2), ("L2", 1)]
        assert stored(other, record).status == "sent"
        actions = other.scalars(sa.select(AccountEvent.detail).where(
            AccountEvent.quote_id == new.id, AccountEvent.action == "created"))
        assert list(actions) == [f"copied from {record.number}"]


@reads_back(quotes.templates.save, quotes.templates.start)
def test_templates(session, second_session, people):
    record = draft(session, people, (BIKE, 3))
    template = quotes.templates.save(session, people["sales"], record.id, "Three bikes")
    started = quotes.templates.start(session, people["sales"], template.id,
                                     people["account"].id, now=NOW)
    with second_session() as other:
        kept = other.get(QuoteTemplate, template.id)
        assert (kept.name, kept.source_number, len(kept.lines)) == (
            "Three bikes", record.number, 1)
        new = stored(other, started)
        assert (new.number, new.status) == ("Q-2026-00002", "draft")
        assert [(line.catalog_id, line.quantity) for line in new.lines] == [("test-bike", 3)]
