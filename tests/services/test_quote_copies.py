"""Copying a quote (issue 15, "also expected"): a new draft with its own number
and the lines and discount of the source; dates, status, approval and history
start afresh, locks are released, and it is repriced with a per-line difference."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from configurator.quoting import Discount
from configurator.services import catalogs, quotes
from configurator.services.errors import NotFound
from tests.conftest import DATA
from tests.services.quote_factories import BIKE, CARBON, gen_account
from tests.services.test_quotes import NOW, new_quote

LATER = NOW + timedelta(days=40)
STEEL = dict(BIKE, frame="steel")  # retired by bike-v2.yaml


def approved_and_sent(session, people):
    """L1 bike x2, L2 carbon x1 (locked), 15 % on the quote: approved by a manager, sent."""
    record = new_quote(session, people, (BIKE, 2), (CARBON, 1))
    sales = people["sales"]
    quotes.lines.lock_price(session, sales, record.id, "L2", now=NOW)
    quotes.drafts.set_discount(session, sales, record.id, Discount.percent_off("15"), now=NOW)
    quotes.approvals.submit(session, sales, record.id, reason="Fleet deal", now=NOW)
    quotes.approvals.approve(session, people["manager"], record.id, now=NOW)
    return quotes.sending.send(session, sales, record.id, now=NOW)


def test_a_copy_starts_afresh_and_shows_what_todays_prices_change(session, people):
    source = approved_and_sent(session, people)
    catalogs.load_file(session, DATA / "bike-v2.yaml")  # carbon 640 -> 700
    session.commit()
    copied = quotes.drafts.copy(session, people["sales"], source.id, now=LATER)
    record = copied.record
    assert record.number == "Q-2026-00002" and record.id != source.id
    assert (record.status, record.approval, record.created_at) == ("draft", None, LATER)
    assert record.valid_until == LATER + timedelta(days=people["account"].validity_days)
    loaded = quotes.records.load(session, people["sales"], record.id).quote
    assert [line.line_id for line in loaded.lines] == ["L1", "L2"]
    assert [line.quantity for line in loaded.lines] == [2, 1]
    assert not any(line.locked for line in loaded.lines)
    assert loaded.discount == Discount.percent_off("15")
    # The copy's history is its own: created from the source, then repriced.
    assert [(e.action, e.detail) for e in loaded.events][:1] == [
        ("created", f"copied from {source.number}")]
    lines = {line.line_id: line for line in copied.report.lines}
    assert (lines["L1"].old_net, lines["L1"].new_net) == (Decimal("333.00"), Decimal("333.00"))
    # Carbon (locked on the source): 825 -> 885 at 10 % off = 742.50 -> 796.50.
    assert (lines["L2"].old_net, lines["L2"].new_net) == (Decimal("742.50"), Decimal("796.50"))
    assert lines["L2"].difference == Decimal("54.00")
    assert loaded.price().lines["L2"].net == Decimal("796.50")
    # The source is untouched and still open to the client.
    stored = quotes.records.load(session, people["sales"], source.id).record
    assert (stored.status, stored.approval is not None) == ("sent", True)


def test_a_copy_for_another_account_takes_its_terms(session, people):
    source = new_quote(session, people, (BIKE, 1))
    other, _ = gen_account(session, "Other GmbH", percent_off="20",
                           contact_email="buyer@other.example")
    copied = quotes.drafts.copy(session, people["sales"], source.id, account_id=other.id,
                                now=NOW)
    assert copied.record.account_id == other.id
    assert copied.record.lines[0].source_configuration_id is None
    [line] = copied.report.lines
    assert (line.old_net, line.new_net) == (Decimal("166.50"), Decimal("148.00"))


def test_a_line_that_no_longer_fits_is_copied_and_named(session, people):
    source = new_quote(session, people, (STEEL, 1))
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    session.commit()
    copied = quotes.drafts.copy(session, people["sales"], source.id, now=LATER)
    assert copied.report is None
    assert "L1" in copied.not_repriced and "steel" in copied.not_repriced.lower()
    assert [line.selection["frame"] for line in copied.record.lines] == ["steel"]


def test_only_staff_copy_a_quote(session, people):
    source = new_quote(session, people, (BIKE, 1))
    with pytest.raises(NotFound):
        quotes.drafts.copy(session, people["contact"], source.id)
