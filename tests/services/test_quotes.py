"""Quote services on SQLite and PostgreSQL: prices from the account's terms,
approval, sending freezes, revisions, the client's answer, orders, expiry,
search, optimistic locking and who may see what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.quoting import (
    ApprovalRequired,
    Discount,
    IllegalTransition,
    NotAllowedToApprove,
    QuoteExpired,
    QuoteFrozen,
)
from configurator.services import quotes
from configurator.services.errors import InvalidSelection, NotFound, QuoteChanged
from configurator.store.models import Interaction, Order
from configurator.store.quotes import AccountEvent
from tests.helpers import gen_configuration
from tests.services.quote_factories import BIKE, CARBON, gen_account, gen_breaks, gen_staff

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def new_quote(session, people, *lines, now=NOW):
    """A draft for ACME with (selection, quantity) lines."""
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=now)
    for selection, quantity in lines:
        record = quotes.lines.add_line(session, people["sales"], record.id, "test-bike", selection,
                                 quantity, now=now)
    return record


def sent_quote(session, people, *lines, now=NOW):
    record = new_quote(session, people, *lines, now=now)
    return quotes.sending.send(session, people["sales"], record.id, now=now)


# ----------------------------------------------------------------- numbers


def test_numbers_are_readable_and_count_per_year(session, people):
    first = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    second = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    next_year = quotes.drafts.create(session, people["sales"], people["account"].id,
                              now=NOW.replace(year=2027))
    assert [first.number, second.number, next_year.number] == [
        "Q-2026-00001", "Q-2026-00002", "Q-2027-00001"]


def test_a_rolled_back_quote_gives_its_number_back(session, people):
    sequence = quotes.records.DatabaseSequence(session)
    assert sequence.next_number(2030) == 1
    session.rollback()
    assert sequence.next_number(2030) == 1


# ----------------------------------------------------------------- prices


def test_line_price_build_up_list_price_list_break_and_manual_discount(session, people):
    gen_breaks(session, (1, "0"), (10, "5"))
    record = new_quote(session, people, (BIKE, 12))
    record = quotes.lines.change_line(session, people["sales"], record.id, "L1", quantity=12,
                                discount=Discount.percent_off("2"), now=NOW)
    build = quotes.records.load(session, people["sales"], record.id).quote.price().lines["L1"]
    steps = [step.amount for step in build.steps]
    # 185.00 x 12 = 2220.00; -10 % price list = 1998.00; -5 % from 10 units = 1898.10;
    # -2 % manual = 1860.138; net rounded half-up once = 1860.14.
    assert steps == [Decimal("2220.00"), Decimal("1998.000"), Decimal("1898.10000"),
                     Decimal("1860.1380000"), Decimal("1860.14")]


def test_fixed_option_price_replaces_the_list_price(session, bike):
    account, _ = gen_account(session, "Carbon Co", percent_off=None, carbon_price="600.00")
    sales = gen_staff(session)
    record = quotes.drafts.create(session, sales, account.id, now=NOW)
    record = quotes.lines.add_line(session, sales, record.id, "test-bike", CARBON, 1, now=NOW)
    build = quotes.records.load(session, sales, record.id).quote.price().lines["L1"]
    assert build.list_amount == Decimal("825.00")
    assert build.net == Decimal("785.00")  # carbon at 600 instead of 640


def test_totals_tax_by_the_accounts_country_rounded_once(session, people):
    record = new_quote(session, people, (BIKE, 3))
    record = quotes.drafts.set_discount(session, people["sales"], record.id,
                                 Discount.amount_off("0.01"), now=NOW)
    totals = quotes.records.load(session, people["sales"], record.id).quote.price().totals
    # 3 x 166.50 = 499.50; -0.01 = 499.49; 19 % VAT = 94.9031 -> 94.90.
    assert (totals.subtotal, totals.net_total, totals.tax_amount, totals.gross_total) == (
        Decimal("499.50"), Decimal("499.49"), Decimal("94.90"), Decimal("594.39"))
    assert totals.tax.label == "VAT DE 19%"


def test_a_line_must_be_a_complete_valid_configuration(session, people):
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    with pytest.raises(InvalidSelection, match="complete"):
        quotes.lines.add_line(session, people["sales"], record.id, "test-bike", {"frame": "alu"}, 1)
    with pytest.raises(InvalidSelection, match="do not fit"):
        quotes.lines.add_line(session, people["sales"], record.id, "test-bike",
                        dict(BIKE, frame="carbon"), 1)


def test_business_only_options_are_allowed_for_an_account(session, people):
    record = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW)
    record = quotes.lines.add_line(session, people["sales"], record.id, "test-bike",
                             dict(BIKE, billing="invoice_60"), 1, now=NOW)
    assert record.lines[0].selection["billing"] == "invoice_60"


# ----------------------------------------------------------------- approval and sending


def test_discount_above_threshold_needs_a_manager_before_sending(session, people):
    record = new_quote(session, people, (BIKE, 2))
    record = quotes.lines.change_line(session, people["sales"], record.id, "L1", quantity=2,
                                discount=Discount.percent_off("15"), now=NOW)
    with pytest.raises(ApprovalRequired):
        quotes.sending.send(session, people["sales"], record.id, now=NOW)
    quotes.approvals.submit(session, people["sales"], record.id, now=NOW)
    with pytest.raises(NotAllowedToApprove):
        quotes.approvals.approve(session, gen_staff(session, "staff", "other@shop.example"), record.id)
    record = quotes.approvals.approve(session, people["manager"], record.id, now=NOW)
    assert record.status == "approved"
    record = quotes.sending.send(session, people["sales"], record.id, now=NOW)
    assert record.status == "sent"
    assert record.frozen["totals"]["net_total"] == "283.05"  # 2 x 166.50 - 15 %


def test_a_price_edit_after_approval_withdraws_it(session, people):
    record = new_quote(session, people, (BIKE, 2))
    record = quotes.drafts.set_discount(session, people["sales"], record.id,
                                 Discount.percent_off("12"), now=NOW)
    quotes.approvals.submit(session, people["sales"], record.id, now=NOW)
    quotes.approvals.approve(session, people["manager"], record.id, now=NOW)
    record = quotes.drafts.set_discount(session, people["sales"], record.id,
                                 Discount.percent_off("20"), now=NOW)
    assert record.status == "draft"
    with pytest.raises(ApprovalRequired):
        quotes.sending.send(session, people["sales"], record.id, now=NOW)


def test_a_sent_quote_is_frozen(session, people):
    record = sent_quote(session, people, (BIKE, 1))
    with pytest.raises(QuoteFrozen):
        quotes.lines.change_line(session, people["sales"], record.id, "L1", quantity=5, discount=None)
    assert quotes.records.load(session, people["sales"], record.id).record.lines[0].quantity == 1


# ----------------------------------------------------------------- revisions


def test_revising_a_sent_quote_makes_a_comparable_new_revision(session, people):
    first = sent_quote(session, people, (BIKE, 1), (CARBON, 1))
    second = quotes.drafts.revise(session, people["sales"], first.id, now=NOW + timedelta(days=1))
    assert second.number == "Q-2026-00001-R2"
    assert quotes.records.load(session, people["sales"], first.id).record.status == "sent"
    second = quotes.lines.change_line(session, people["sales"], second.id, "L1", quantity=4,
                                discount=None)
    second = quotes.lines.remove_line(session, people["sales"], second.id, "L2")
    diff = quotes.search.compare_revisions(session, people["sales"], first.id, second.id)
    changes = {line.line_id: line.change.value for line in diff.lines}
    assert changes == {"L1": "changed", "L2": "removed"}
    assert [r.number for r in quotes.search.revisions(session, people["sales"], second.id)] == [
        "Q-2026-00001", "Q-2026-00001-R2"]
    assert first.frozen["lines"][0]["quantity"] == 1  # the sent revision is kept as sent


# ----------------------------------------------------------------- client answers and orders


def test_client_accepts_and_staff_converts_to_an_order_with_frozen_prices(session, people):
    record = sent_quote(session, people, (BIKE, 2), (CARBON, 1))
    record = quotes.answers.accept(session, people["contact"], record.id, signature="Eva Fischer",
                           now=NOW + timedelta(days=2))
    assert record.status == "accepted"
    order = quotes.answers.convert_to_order(session, people["sales"], record.id)
    assert order.owner_id == people["contact"].id
    # 2 x 166.50 + 742.50 = 1075.50 net, 19 % = 204.345 -> 204.35; gross 1279.85.
    assert order.total == Decimal("1279.85")
    amounts = [line["amount"] for line in order.snapshot["lines"]]
    assert amounts == ["333.00", "742.50", "204.35"]  # the lines, then the tax
    assert sum(Decimal(a) for a in amounts) == order.total
    stored = quotes.records.load(session, people["sales"], record.id).record
    assert (stored.status, stored.order_id) == ("ordered", order.id)
    with pytest.raises(IllegalTransition):
        quotes.answers.convert_to_order(session, people["sales"], record.id)
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_an_expired_quote_cannot_be_accepted(session, people):
    record = sent_quote(session, people, (BIKE, 1))
    late = record.valid_until + timedelta(minutes=1)
    with pytest.raises(QuoteExpired):
        quotes.answers.accept(session, people["contact"], record.id, now=late)
    assert quotes.sending.expire_due(session, now=late) == [record.number]
    assert quotes.records.load(session, people["sales"], record.id).record.status == "expired"
    assert quotes.sending.expire_due(session, now=late) == []


def test_client_declines_with_a_reason(session, people):
    record = sent_quote(session, people, (BIKE, 1))
    with pytest.raises(Exception, match="reason"):
        quotes.answers.decline(session, people["contact"], record.id, "  ")
    record = quotes.answers.decline(session, people["contact"], record.id, "Too expensive", now=NOW)
    assert (record.status, record.decline_reason) == ("declined", "Too expensive")


def test_everything_lands_on_the_accounts_timeline(session, people):
    record = sent_quote(session, people, (BIKE, 1))
    quotes.answers.accept(session, people["contact"], record.id, now=NOW)
    rows = session.execute(
        sa.select(AccountEvent.action, AccountEvent.channel, AccountEvent.actor_id)
        .where(AccountEvent.account_id == people["account"].id)
        .order_by(AccountEvent.id)
    ).all()
    sales, contact = people["sales"].id, people["contact"].id
    # Sending also e-mails the quote to the contact (the account's timeline names it).
    assert rows == [("created", "staff", sales), ("line added", "staff", sales),
                    ("sent", "staff", sales), ("quote e-mailed", "staff", sales),
                    ("accepted", "web", contact)]
    kinds = session.scalars(sa.select(Interaction.kind).where(Interaction.customer_id == contact))
    assert "quoted" in list(kinds)  # the contact's own timeline: "Received a quote"


# ----------------------------------------------------------------- locking


def test_second_save_of_the_same_draft_is_refused(session, people):
    record = new_quote(session, people, (BIKE, 1))
    seen = record.version_id  # both editors opened this version
    # The same timestamp as the draft's last change: only the lines differ, and the
    # version must still move.
    quotes.lines.change_line(session, people["sales"], record.id, "L1", quantity=3, discount=None,
                       version=seen, now=NOW)
    with pytest.raises(QuoteChanged, match="changed by someone else"):
        quotes.lines.change_line(session, people["manager"], record.id, "L1", quantity=7,
                           discount=None, version=seen)
    assert quotes.records.load(session, people["sales"], record.id).record.lines[0].quantity == 3


def test_a_race_between_check_and_write_is_refused_by_the_version_column(db_engine, people):
    from configurator.store import session_factory

    make = session_factory(db_engine)
    with make() as setup:
        record = new_quote(setup, people, (BIKE, 1))
    with make() as first, make() as second:
        seen = quotes.records.load(second, people["sales"], record.id).record.version_id
        quotes.lines.change_line(first, people["sales"], record.id, "L1", quantity=3, discount=None)
        # The second editor's copy is still in its session, so the version check passes
        # on it; the version column refuses the write all the same.
        with pytest.raises(QuoteChanged):
            quotes.lines.change_line(second, people["manager"], record.id, "L1", quantity=7,
                               discount=None, version=seen)
    with make() as fresh:
        assert quotes.records.load(fresh, people["sales"], record.id).record.lines[0].quantity == 3


# ----------------------------------------------------------------- search and visibility


def test_search_by_number_client_status_and_product(session, people):
    other, _ = gen_account(session, "Nordlicht AB", "SE", contact_email="lars@nordlicht.example")
    acme = new_quote(session, people, (BIKE, 1))
    nord = quotes.drafts.create(session, people["sales"], other.id, now=NOW)
    sales = people["sales"]
    assert [q.number for q in quotes.search.search(session, sales, text="00002")] == [nord.number]
    assert [q.number for q in quotes.search.search(session, sales, text="nordlicht")] == [nord.number]
    assert [q.number for q in quotes.search.search(session, sales, catalog_id="test-bike")] == [
        acme.number]
    quotes.sending.send(session, sales, acme.id, now=NOW)
    assert [q.number for q in quotes.search.search(session, sales, status="sent", now=NOW)] == [
        acme.number]


def test_expiring_this_week(session, people):
    soon = sent_quote(session, people, (BIKE, 1))  # valid 30 days from NOW
    later = quotes.drafts.create(session, people["sales"], people["account"].id, now=NOW,
                          valid_days=60)
    quotes.lines.add_line(session, people["sales"], later.id, "test-bike", BIKE, 1, now=NOW)
    quotes.sending.send(session, people["sales"], later.id, now=NOW)
    week_before = soon.valid_until - timedelta(days=3)
    found = quotes.search.expiring_this_week(session, people["sales"], now=week_before)
    assert [q.number for q in found] == [soon.number]


def test_clients_see_only_their_own_accounts_sent_quotes(session, people):
    draft = new_quote(session, people, (BIKE, 1))
    sent = sent_quote(session, people, (BIKE, 2))
    _, stranger = gen_account(session, "Other GmbH", contact_email="x@other.example")
    assert [q.number for q in quotes.search.for_client(session, people["contact"])] == [sent.number]
    with pytest.raises(NotFound):
        quotes.records.load(session, people["contact"], draft.id)
    with pytest.raises(NotFound):
        quotes.records.load(session, stranger, sent.id)
    with pytest.raises(NotFound):
        quotes.answers.accept(session, stranger, sent.id)
    with pytest.raises(NotFound):
        quotes.drafts.create(session, people["contact"], people["account"].id)
    assert quotes.search.for_client(session, stranger) == []


def test_start_a_line_from_a_contacts_past_configuration(session, people):
    mine = gen_configuration(session, people["contact"], BIKE, name="Our fleet bike")
    stranger = gen_configuration(session, gen_staff(session, "admin"), BIKE)
    source = quotes.lines.source_configuration(session, people["sales"], people["account"], mine.id)
    assert source.name == "Our fleet bike"
    with pytest.raises(NotFound):
        quotes.lines.source_configuration(session, people["sales"], people["account"], stranger.id)
    start = quotes.lines.start_from(session, people["sales"], people["account"], "test-bike",
                                    mine.id)
    assert (start.selection, start.source_id) == (BIKE, mine.id)
    assert start.notice == "Started from “Our fleet bike”; everything still fits."
    with pytest.raises(InvalidSelection, match="another product line"):
        quotes.lines.start_from(session, people["sales"], people["account"], "other", mine.id)


def test_the_printable_quote_has_the_lines_totals_and_terms(session, people):
    record = sent_quote(session, people, (BIKE, 2))
    document = quotes.printing.printable(session, people["contact"], record.id)
    assert document.loaded.record.number == "Q-2026-00001"
    assert document.priced.totals.gross_total == Decimal("396.27")  # 333.00 + 19 % VAT
    assert [row.line_id for row, _build in document.lines] == ["L1"]


def test_price_list_changes_reach_a_quote_only_by_reprice(session, people):
    from configurator.services import business

    record = new_quote(session, people, (BIKE, 1))
    business.terms.set_percent_off(session, people["account"], "test-bike", Decimal(20))
    session.commit()
    unchanged = quotes.records.load(session, people["sales"], record.id).quote.price()
    assert unchanged.lines["L1"].net == Decimal("166.50")  # still 10 % off
    record = quotes.drafts.reprice(session, people["sales"], record.id, now=NOW)
    assert quotes.records.load(session, people["sales"], record.id).quote.price().lines["L1"].net == \
        Decimal("148.00")


def test_manager_refuses_an_approval_with_a_reason(session, people):
    record = new_quote(session, people, (BIKE, 1))
    quotes.drafts.set_discount(session, people["sales"], record.id, Discount.percent_off("30"), now=NOW)
    quotes.approvals.submit(session, people["sales"], record.id, now=NOW)
    with pytest.raises(NotAllowedToApprove):
        quotes.approvals.reject(session, people["sales"], record.id, "no")
    with pytest.raises(Exception, match="reason"):
        quotes.approvals.reject(session, people["manager"], record.id, "")
    record = quotes.approvals.reject(session, people["manager"], record.id, "30 % is too much", now=NOW)
    assert record.status == "draft"


def test_a_manager_may_not_approve_their_own_request(session, people):
    record = quotes.drafts.create(session, people["manager"], people["account"].id, now=NOW)
    quotes.lines.add_line(session, people["manager"], record.id, "test-bike", BIKE, 1, now=NOW)
    quotes.drafts.set_discount(session, people["manager"], record.id, Discount.percent_off("30"))
    quotes.approvals.submit(session, people["manager"], record.id, now=NOW)
    with pytest.raises(NotAllowedToApprove, match="someone else"):
        quotes.approvals.approve(session, people["manager"], record.id, now=NOW)


def test_cancel_needs_a_reason_and_closes_the_quote(session, people):
    record = sent_quote(session, people, (BIKE, 1))
    record = quotes.sending.cancel(session, people["sales"], record.id, "Client merged with another",
                           now=NOW)
    assert (record.status, record.cancel_reason) == ("cancelled", "Client merged with another")
    with pytest.raises(IllegalTransition):
        quotes.answers.accept(session, people["contact"], record.id, now=NOW)


def test_a_converted_quote_counts_toward_the_contacts_value(session, people):
    from configurator.store.value import CustomerValue

    record = sent_quote(session, people, (BIKE, 2), (CARBON, 1))
    quotes.answers.accept(session, people["contact"], record.id, now=NOW + timedelta(days=2))
    order = quotes.answers.convert_to_order(session, people["sales"], record.id)
    figures = session.scalar(
        sa.select(CustomerValue).where(CustomerValue.customer_id == people["contact"].id)
    )
    # revenue is counted before VAT: the quote's net total, not the order's gross
    net = Decimal(order.snapshot["quote"]["totals"]["net_total"])
    assert net < order.total
    assert (figures.order_count, figures.revenue) == (1, net)


def test_an_order_from_a_quote_is_not_reordered_in_the_shop(session, people):
    from configurator.services import orders
    from configurator.services.errors import NotOrderable

    record = sent_quote(session, people, (BIKE, 2))
    quotes.answers.accept(session, people["contact"], record.id, now=NOW + timedelta(days=1))
    order = quotes.answers.convert_to_order(session, people["sales"], record.id)
    assert order.from_quote
    with pytest.raises(NotOrderable, match="new quote"):
        orders.reorder(session, people["contact"], order.number)
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
