"""The sales desk's defects of issue 15, each pinned by a test: revisions that keep
the sent one open, retired options, approval on the effective discount, bounds,
expiry on read, orders that keep the configured lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from configurator.quoting import (
    ApprovalRequired,
    Discount,
    IllegalTransition,
    PricingError,
    QuoteError,
    QuoteExpired,
)
from configurator.services import business, catalogs, quotes
from configurator.services.configuring.wording import phrase_text
from configurator.services.errors import InvalidSelection
from tests.conftest import DATA
from tests.helpers import gen_configuration, gen_user
from tests.services.quote_factories import BIKE, CARBON, gen_account
from tests.services.test_quotes import NOW, new_quote, sent_quote

LATER = NOW + timedelta(days=1)


# ----------------------------------------------------------------- 1. revisions


def test_a_sent_quote_stays_acceptable_until_its_revision_is_sent(session, people):
    first = sent_quote(session, people, (BIKE, 1))
    second = quotes.drafts.revise(session, people["sales"], first.id, now=LATER)
    assert quotes.records.load(session, people["sales"], first.id).record.status == "sent"
    assert [r.number for r in quotes.search.for_client(session, people["contact"])] == [
        first.number]
    quotes.sending.send(session, people["sales"], second.id, now=LATER + timedelta(hours=1))
    stored = quotes.records.load(session, people["sales"], first.id).record
    assert (stored.status, stored.superseded_by) == ("superseded", second.number)


def test_the_client_may_accept_r1_while_r2_is_drafted_and_r2_then_cannot_be_sent(
        session, people):
    first = sent_quote(session, people, (BIKE, 1))
    second = quotes.drafts.revise(session, people["sales"], first.id, now=LATER)
    accepted = quotes.answers.accept(session, people["contact"], first.id, now=LATER)
    assert accepted.status == "accepted"
    with pytest.raises(IllegalTransition, match="accepted by the client"):
        quotes.sending.send(session, people["sales"], second.id, now=LATER)


def test_only_the_newest_revision_can_be_revised(session, people):
    first = sent_quote(session, people, (BIKE, 1))
    second = quotes.drafts.revise(session, people["sales"], first.id, now=LATER)
    with pytest.raises(QuoteError, match=f"{second.number} is already the newer revision"):
        quotes.drafts.revise(session, people["sales"], first.id, now=LATER)


# ----------------------------------------------------------------- 3. approval


def test_approval_is_judged_on_the_effective_discount_of_line_and_quote(session, people):
    record = new_quote(session, people, (BIKE, 1))
    quotes.lines.change_line(session, people["sales"], record.id, "L1", quantity=1,
                             discount=Discount.percent_off(9))
    quotes.drafts.set_discount(session, people["sales"], record.id, Discount.percent_off(9))
    loaded = quotes.records.load(session, people["sales"], record.id)
    # 1 - 0.91 x 0.91 = 17.19 %, above the account's 10 %
    assert loaded.quote.price().effective_discount_percent == Decimal("17.19")
    assert quotes.approvals.needs_approval(loaded, people["sales"])
    with pytest.raises(ApprovalRequired, match="17.19%"):
        quotes.sending.send(session, people["sales"], record.id)


@pytest.mark.parametrize("carbon_price", ["742.35", "640.05", "700.15"])
def test_a_discount_of_exactly_the_threshold_needs_no_approval(session, people, carbon_price):
    # A fixed carbon price of 742.35 makes the line 927.35: 10 % of it is 92.735, rounded
    # to 92.74 on the document, 10.0005 % of the subtotal; the 10 % typed is what counts.
    account, _ = gen_account(session, "Odd Cents AG", percent_off=None,
                             carbon_price=carbon_price, contact_email="odd@cents.example")
    record = quotes.drafts.create(session, people["sales"], account.id, now=NOW)
    quotes.lines.add_line(session, people["sales"], record.id, "test-bike", CARBON, 1, now=NOW)
    quotes.drafts.set_discount(session, people["sales"], record.id, Discount.percent_off(10))
    loaded = quotes.records.load(session, people["sales"], record.id)
    assert loaded.quote.price().totals.discount_amount * 10 != loaded.quote.price().totals.subtotal
    assert loaded.quote.price().max_discount_percent == Decimal(10)
    assert not quotes.approvals.needs_approval(loaded, people["sales"])
    assert quotes.sending.send(session, people["sales"], record.id, now=NOW).status == "sent"


# ----------------------------------------------------------------- 5. bounds


def test_a_quantity_beyond_any_order_is_refused(session, people):
    record = new_quote(session, people, (BIKE, 1))
    with pytest.raises(PricingError, match="at most 100,000"):
        quotes.lines.change_line(session, people["sales"], record.id, "L1",
                                 quantity=1_000_000_000, discount=None)


def test_an_absurd_discount_amount_is_refused_with_a_message():
    with pytest.raises(PricingError, match="at most"):
        Discount.amount_off(Decimal("1e30"))


def test_a_line_from_another_customers_configuration_is_refused(session, people):
    stranger = gen_user(session, "stranger@example.com")
    theirs = gen_configuration(session, stranger, BIKE)
    record = new_quote(session, people)
    for source in (theirs.id, 987654, 99999999999999999999):
        with pytest.raises(InvalidSelection, match="not one of this client's"):
            quotes.lines.add_line(session, people["sales"], record.id, "test-bike", BIKE, 1,
                                  source_configuration_id=source)


# ----------------------------------------------------------------- 8. expiry on read


def test_a_sent_quote_past_validity_is_expired_without_the_daily_job(session, people):
    record = sent_quote(session, people, (BIKE, 1))
    late = record.valid_until + timedelta(minutes=1)
    with pytest.raises(QuoteExpired):
        quotes.answers.decline(session, people["contact"], record.id, "too late", now=late)
    revised = quotes.drafts.revise(session, people["sales"], record.id, now=late)
    stored = quotes.records.load(session, people["sales"], record.id).record
    assert (stored.status, stored.superseded_by) == ("superseded", revised.number)


def test_status_reads_expired_once_validity_passed(session, people):
    record = sent_quote(session, people, (BIKE, 1), now=datetime.now(UTC) - timedelta(days=40))
    assert record.status == "sent"
    assert record.current_status == "expired"
    found = quotes.search.search(session, people["sales"], status="expired")
    assert [r.number for r in found] == [record.number]
    assert quotes.search.search(session, people["sales"], status="sent") == []


def test_expiring_this_week_lists_the_ones_that_just_ran_out(session, people):
    record = sent_quote(session, people, (BIKE, 1))
    after = record.valid_until + timedelta(days=2)
    listed = quotes.search.expiring_this_week(session, people["sales"], now=after)
    assert [r.number for r in listed] == [record.number]


def test_validity_cannot_be_set_in_the_past(session, people):
    record = new_quote(session, people, (BIKE, 1))
    with pytest.raises(QuoteError, match="already past"):
        quotes.drafts.set_valid_until(session, people["sales"], record.id,
                                      NOW - timedelta(days=1), now=NOW)


# ----------------------------------------------------------------- 2. retired options

STEEL = dict(BIKE, frame="steel")  # steel is retired by bike-v2.yaml


def retire_steel(session):
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    session.commit()


def test_reprice_names_the_line_and_option_a_new_catalog_retired(session, people):
    record = new_quote(session, people, (BIKE, 1), (STEEL, 2))
    retire_steel(session)
    with pytest.raises(quotes.lines.LinesNoLongerFit,
                       match=r"Line L2 \(.*\) no longer fits today's catalog: Steel \(frame\): "
                             r"no longer offered\. Reconfigure the line\.") as refused:
        quotes.drafts.reprice(session, people["sales"], record.id)
    assert [m.line_id for m in refused.value.misfits] == ["L2"]
    with pytest.raises(quotes.lines.LinesNoLongerFit):
        quotes.sending.send(session, people["sales"], record.id, now=NOW)


def test_reconfiguring_the_line_lets_the_quote_be_repriced_and_sent(session, people):
    record = new_quote(session, people, (STEEL, 2))
    retire_steel(session)
    start = quotes.lines.restart_line(session, people["sales"], record.id, "L1")
    assert "steel" not in start.selection.values()
    quotes.lines.reconfigure_line(session, people["sales"], record.id, "L1", CARBON, 3)
    repriced = quotes.drafts.reprice(session, people["sales"], record.id)
    line = repriced.lines[0]
    assert (line.line_id, line.quantity, line.selection["frame"]) == ("L1", 3, "carbon")
    assert quotes.lines.misfits(session, repriced) == []
    assert quotes.sending.send(session, people["sales"], record.id, now=NOW).status == "sent"


def test_a_sent_quote_with_a_retired_option_cannot_be_accepted_or_ordered(session, people):
    record = sent_quote(session, people, (STEEL, 1))
    accepted_first = sent_quote(session, people, (STEEL, 1))
    quotes.answers.accept(session, people["contact"], accepted_first.id, now=LATER)
    retire_steel(session)
    with pytest.raises(quotes.lines.LinesNoLongerFit, match="ask us for a new revision"):
        quotes.answers.accept(session, people["contact"], record.id, now=LATER)
    with pytest.raises(quotes.lines.LinesNoLongerFit, match="Reconfigure"):
        quotes.answers.convert_to_order(session, people["sales"], accepted_first.id)



def test_the_misfit_sentences_are_written_in_the_readers_language(session, people):
    """Staff read which line no longer fits in Persian; a client's refusal in Vietnamese."""
    staffs = new_quote(session, people, (BIKE, 1), (STEEL, 2))
    clients = sent_quote(session, people, (STEEL, 1))
    retire_steel(session)
    with pytest.raises(quotes.lines.LinesNoLongerFit) as for_staff:
        quotes.drafts.reprice(session, people["sales"], staffs.id)
    persian = phrase_text(for_staff.value.args[0], "fa")
    assert persian.startswith("ردیف L2 (") and "دیگر با کاتالوگ امروز جور نیست: Steel (frame)" in persian
    assert "Reconfigure" not in persian
    with pytest.raises(quotes.lines.LinesNoLongerFit) as for_client:
        quotes.answers.accept(session, people["contact"], clients.id, now=LATER)
    vietnamese = phrase_text(for_client.value.args[0], "vi")
    assert vietnamese.startswith(f"Báo giá {clients.number} không thể được chấp nhận")
    assert "L1 (Steel (frame)" in vietnamese and "ask us" not in vietnamese

# ----------------------------------------------------------------- 9. orders from quotes


def test_an_order_from_a_quote_keeps_each_lines_configuration(session, people):
    record = new_quote(session, people, (BIKE, 2), (CARBON, 1))
    quotes.lines.change_line(session, people["sales"], record.id, "L2", quantity=1,
                             discount=None, kind=quotes.lines.line_kind("optional"))
    quotes.sending.send(session, people["sales"], record.id, now=NOW)
    quotes.answers.accept(session, people["contact"], record.id, now=LATER)
    order = quotes.answers.convert_to_order(session, people["sales"], record.id)
    configured = order.snapshot["configured_lines"]
    assert [(c["line_id"], c["catalog_id"], c["quantity"]) for c in configured] == [
        ("L1", "test-bike", 2)]  # the optional line was not bought
    assert configured[0]["selection"] == BIKE


# ----------------------------------------------------------------- 4. stale prices


def test_a_reprice_preview_shows_each_lines_difference_and_keeps_a_locked_line(session, people):
    record = new_quote(session, people, (BIKE, 1), (CARBON, 1))
    quotes.lines.lock_price(session, people["sales"], record.id, "L2")
    assert quotes.drafts.preview_reprice(session, people["sales"], record.id).changed is False
    catalogs.load_file(session, DATA / "bike-v2.yaml")  # carbon 640 -> 700
    business.terms.set_percent_off(session, people["account"], "test-bike", Decimal("20"))
    session.commit()
    preview = quotes.drafts.preview_reprice(session, people["sales"], record.id)
    lines = {line.line_id: line for line in preview.lines}
    # BIKE: 185 at 10 % off = 166.50, at 20 % off = 148.00
    assert (lines["L1"].old_net, lines["L1"].new_net) == (Decimal("166.50"), Decimal("148.00"))
    # CARBON is locked: it stays 742.50; unlocked it would be (700 + 185) x 0.8 = 708.00
    assert lines["L2"].locked and lines["L2"].difference == 0
    assert lines["L2"].unlocked_net == Decimal("708.00")
    repriced = quotes.drafts.reprice(session, people["sales"], record.id)
    loaded = quotes.records.load(session, people["sales"], repriced.id)
    nets = {k: v.net for k, v in loaded.quote.price().lines.items()}
    assert nets == {"L1": Decimal("148.00"), "L2": Decimal("742.50")}
    quotes.lines.lock_price(session, people["sales"], record.id, "L2", locked=False)
    loaded = quotes.records.load(session, people["sales"], record.id)
    assert not loaded.quote.line("L2").locked


# ----------------------------------------------------------------- 6. the client's choice


def offer(session, people):
    """L1 bike x2 included, L2 carbon optional, L3 and L4 carbon x1 / x2 alternatives to L1."""
    record = new_quote(session, people, (BIKE, 2), (CARBON, 1), (CARBON, 1), (CARBON, 2))
    sales, kind = people["sales"], quotes.lines.line_kind
    quotes.lines.change_line(session, sales, record.id, "L2", quantity=1, discount=None,
                             kind=kind("optional"))
    for line_id, quantity in (("L3", 1), ("L4", 2)):
        quotes.lines.change_line(session, sales, record.id, line_id, quantity=quantity,
                                 discount=None, kind=kind("alternative"), alternative_to="L1")
    return quotes.sending.send(session, sales, record.id, now=NOW)


def test_the_client_chooses_an_optional_line_and_an_alternative(session, people):
    record = offer(session, people)
    accepted = quotes.answers.accept(session, people["contact"], record.id, signature="Eva",
                                     chosen=["L2", "L4"], address="203.0.113.9",
                                     user_agent="Mozilla/5.0 Test", now=LATER)
    bought = accepted.frozen["accepted"]
    assert [line["line_id"] for line in bought["lines"]] == ["L2", "L4"]
    # 742.50 + 2 x 742.50 = 2,227.50 net, 19 % VAT 423.23 (423.225 rounded), 2,650.73 gross
    assert bought["totals"]["net_total"] == "2227.50"
    assert bought["totals"]["gross_total"] == "2650.73"
    events = quotes.search.history(session, people["sales"], record.id)
    detail = next(e.detail for e in events if e.action == "accepted")
    assert detail == "signed by Eva; chose L2, L4; from 203.0.113.9 (Mozilla/5.0 Test)"
    order = quotes.answers.convert_to_order(session, people["sales"], record.id)
    assert order.total == Decimal("2650.73")
    assert [c["line_id"] for c in order.snapshot["configured_lines"]] == ["L2", "L4"]


@pytest.mark.parametrize("chosen, message", [
    (["L3", "L4"], "one alternative to line L1"),
    (["L1"], "part of the quote already"),
    (["L9"], "no line L9"),
])
def test_a_choice_that_does_not_make_sense_is_refused(session, people, chosen, message):
    record = offer(session, people)
    with pytest.raises(QuoteError, match=message):
        quotes.answers.accept(session, people["contact"], record.id, signature="Eva",
                              chosen=chosen, now=LATER)


def test_only_a_decision_maker_or_buyer_may_accept(session, people):
    record = sent_quote(session, people, (BIKE, 1))
    finance = gen_user(session, "finance@acme.example", segment="business")
    business.accounts.add_contact(session, people["account"], finance, "finance")
    session.commit()
    with pytest.raises(QuoteError, match="decision maker or buyer"):
        quotes.answers.accept(session, finance, record.id, signature="Frank", now=LATER)
    declined = quotes.answers.decline(session, finance, record.id, "budget", now=LATER)
    assert declined.status == "declined"


# ----------------------------------------------------------------- 7. the PDF


def test_the_printable_quote_names_options_of_old_snapshots_from_the_catalog(session, people):
    people["account"].vat_id = "DE987654321"
    session.commit()
    record = offer(session, people)
    unnamed = record.lines[0]
    unnamed.options = [[f, o, p, ""] for f, o, p, _ in unnamed.options]  # an old snapshot
    session.commit()
    document = quotes.printing.printable(session, people["sales"], record.id)
    assert document.option_names[("frame", "alu")] == "Aluminium"
    assert document.loaded.record.account.vat_id == "DE987654321"
    assert [(row.line_id, build.net) for row, build in document.lines][0] == ("L1", Decimal("333.00"))
    assert document.seller.terms.startswith("Prices are valid until")
