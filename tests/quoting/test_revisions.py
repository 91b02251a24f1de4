"""Comparing two revisions line by line."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from quoting_factories import DESK, NOW, SALES, gen_quote, one_option

from configurator.quoting import ApprovalPolicy, Discount, OptionPrice, QuoteError, compare
from configurator.quoting import lifecycle as lc
from configurator.quoting.revisions import ChoiceChange, LineChange

D = Decimal
LATER = NOW + timedelta(days=1)


def test_compare_two_revisions():
    first = gen_quote(("100", 2), ("20", 1))
    first.add_line("standing-desk", DESK, 1, by=SALES, at=NOW)
    lc.send(first, ApprovalPolicy(), by=SALES, at=NOW)
    second = lc.revise(first, by=SALES, at=LATER)
    second.change_line("L1", quantity=5, by=SALES, at=LATER)
    oak_to_walnut = (DESK[0], OptionPrice("top", "walnut_160", D("420.00")))
    second.change_line("L3", options=oak_to_walnut, by=SALES, at=LATER)
    second.remove_line("L2", by=SALES, at=LATER)
    second.add_line("desk", one_option("7.50"), 4, by=SALES, at=LATER)
    second.set_discount(Discount.percent_off(2), by=SALES, at=LATER)

    diff = compare(first, second)
    assert (str(diff.before), str(diff.after)) == ("Q-2026-00042", "Q-2026-00042-R2")
    lines = {line.line_id: line for line in diff.lines}
    assert [line.line_id for line in diff.lines] == ["L1", "L3", "L4", "L2"]
    assert lines["L1"].change is LineChange.CHANGED
    assert (lines["L1"].quantity_before, lines["L1"].quantity_after) == (2, 5)
    assert lines["L1"].net_difference == D("300.00")
    assert lines["L1"].choices == ()
    assert lines["L3"].change is LineChange.CHANGED
    assert lines["L3"].choices == (
        ChoiceChange("top", ("oak_160",), ("walnut_160",)),
        ChoiceChange("accessories", ("cable_tray",), ()),
    )
    assert (lines["L3"].net_before, lines["L3"].net_after) == (D("945.50"), D("940.00"))
    assert lines["L2"].change is LineChange.REMOVED
    assert lines["L2"].net_after is None and lines["L2"].net_difference == D("-20.00")
    assert lines["L4"].change is LineChange.ADDED
    assert lines["L4"].net_after == D("30.00")
    assert (diff.discount_before, diff.discount_after) == ("", "-2%")
    # before 200 + 20 + 945.50 = 1165.50; after (500 + 940 + 30) = 1470, -2 % = 29.40
    assert (diff.totals_before.net_total, diff.totals_after.net_total) == (D("1165.50"), D("1440.60"))


def test_unchanged_lines_show_as_same():
    first = gen_quote(("100", 2))
    lc.send(first, ApprovalPolicy(), by=SALES, at=NOW)
    second = lc.revise(first, by=SALES, at=LATER)
    diff = compare(first, second)
    assert [line.change for line in diff.lines] == [LineChange.SAME]
    assert diff.changed_lines == []


def test_only_revisions_of_one_quote_compare():
    with pytest.raises(QuoteError, match="different quotes"):
        compare(gen_quote(("1", 1)), gen_quote(("1", 1), sequence=43))
