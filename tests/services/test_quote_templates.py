"""Quote templates (issue 15, "also expected"): a quote's lines and discount kept
under a name; a quote started from one for any account, priced today."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.quoting import Discount, QuoteError
from configurator.services import catalogs, quotes
from configurator.services.errors import InvalidSelection, NotFound
from configurator.store.quotes import QuoteRecord
from tests.conftest import DATA
from tests.services.quote_factories import BIKE, CARBON, gen_account
from tests.services.test_quotes import NOW, new_quote

STEEL = dict(BIKE, frame="steel")  # retired by bike-v2.yaml


def fleet(session, people):
    """L1 bike x5 with 2 % off, L2 carbon x1 as an alternative to L1, 5 % on the quote."""
    record = new_quote(session, people, (BIKE, 5), (CARBON, 1))
    sales = people["sales"]
    quotes.lines.change_line(session, sales, record.id, "L1", quantity=5,
                             discount=Discount.percent_off("2"))
    quotes.lines.change_line(session, sales, record.id, "L2", quantity=1, discount=None,
                             kind=quotes.lines.line_kind("alternative"), alternative_to="L1")
    quotes.drafts.set_discount(session, sales, record.id, Discount.percent_off("5"))
    return record


def test_a_quote_started_from_a_template_has_its_lines_priced_for_the_account(session, people):
    template = quotes.templates.save(session, people["sales"], fleet(session, people).id,
                                     "  Fleet   starter ")
    assert template.name == "Fleet starter"
    other, _ = gen_account(session, "Other GmbH", percent_off="20",
                           contact_email="buyer@other.example")
    record = quotes.templates.start(session, people["sales"], template.id, other.id, now=NOW)
    assert (record.account_id, record.status) == (other.id, "draft")
    quote = quotes.records.load(session, people["sales"], record.id).quote
    assert [(line.line_id, line.quantity, line.kind.value, line.alternative_to)
            for line in quote.lines] == [("L1", 5, "included", None), ("L2", 1, "alternative", "L1")]
    assert quote.line("L1").discount == Discount.percent_off("2")
    assert quote.discount == Discount.percent_off("5")
    # Other's 20 %: 5 x 185.00 x 0.8 = 740.00, less 2 % = 725.20.
    assert quote.price().lines["L1"].net == Decimal("725.20")
    assert [t.name for t in quotes.templates.all_templates(session, people["sales"])] == [
        "Fleet starter"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121, "a\x00b"])
def test_a_template_needs_a_short_printable_name(session, people, name):
    record = new_quote(session, people, (BIKE, 1))
    with pytest.raises(QuoteError):
        quotes.templates.save(session, people["sales"], record.id, name)


def test_template_names_are_unique(session, people):
    record = new_quote(session, people, (BIKE, 1))
    quotes.templates.save(session, people["sales"], record.id, "Standard")
    with pytest.raises(QuoteError, match="already a template"):
        quotes.templates.save(session, people["sales"], record.id, "Standard")


def test_a_template_line_that_no_longer_fits_is_named_and_nothing_is_created(session, people):
    template = quotes.templates.save(
        session, people["sales"], new_quote(session, people, (STEEL, 1)).id, "Steel")
    catalogs.load_file(session, DATA / "bike-v2.yaml")
    session.commit()
    before = quote_count(session)
    with pytest.raises(InvalidSelection, match="Line L1 of template “Steel”"):
        quotes.templates.start(session, people["sales"], template.id, people["account"].id)
    assert quote_count(session) == before  # the use case rolled the draft back


def quote_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(QuoteRecord))


def test_only_staff_use_templates(session, people):
    record = new_quote(session, people, (BIKE, 1))
    template = quotes.templates.save(session, people["sales"], record.id, "T")
    with pytest.raises(NotFound):
        quotes.templates.save(session, people["contact"], record.id, "Mine")
    with pytest.raises(NotFound):
        quotes.templates.start(session, people["contact"], template.id, people["account"].id)
    with pytest.raises(NotFound):
        quotes.templates.start(session, people["sales"], 987654, people["account"].id)
