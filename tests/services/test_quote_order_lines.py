"""An order from a quote holds one configuration per quote line, each of its own
product line (its own `selection` is empty, its `lines` are the quote's rows): the
usual picks, the staff's needs profile, the suggestions' training rows and the lines an
offer counts as ordered read each configured line (issue 17), on every database."""

from __future__ import annotations

import pytest

from configurator.services import catalogs, quotes
from configurator.services.customer_value import defaults, needs, personalize
from configurator.services.offers import choice
from tests.helpers import COMPLETE_BIKE, gen_order
from tests.services.quote_factories import BIKE
from tests.services.test_read_back_cart import COFFEE, REPO
from tests.services.test_triggers import NOW


@pytest.fixture
def quote_order(session, people):
    """ACME's contact bought a test bike and a weekly coffee in one quote."""
    catalogs.load_file(session, REPO / "catalog" / "coffee-subscription.yaml")
    sales, contact = people["sales"], people["contact"]
    record = quotes.drafts.create(session, sales, people["account"].id, now=NOW)
    quotes.lines.add_line(session, sales, record.id, "test-bike", BIKE, 2, now=NOW)
    quotes.lines.add_line(session, sales, record.id, "coffee-subscription", COFFEE, 1, now=NOW)
    quotes.sending.send(session, sales, record.id, now=NOW)
    quotes.answers.accept(session, contact, record.id, signature="Eva", now=NOW)
    return quotes.answers.convert_to_order(session, sales, record.id)


def test_the_usual_picks_read_every_line_of_a_quote_order(session, people, quote_order):
    """Before, the quote order counted as one empty pick of its first line (the bike),
    and its coffee line not at all."""
    contact = people["contact"]
    coffee = defaults.personal_defaults(session, contact, "coffee-subscription")
    assert coffee["frequency"] == ["weekly"] and coffee["roast"] == ["medium"]
    assert defaults.personal_defaults(session, contact, "test-bike")["frame"] == [BIKE["frame"]]


def test_the_needs_profile_reads_every_line_of_a_quote_order(session, people, quote_order):
    profile = {line.catalog_id: line for line in needs.profile(
        session, people["sales"], people["contact"].id)}
    assert set(profile) == {"test-bike", "coffee-subscription"}
    assert profile["coffee-subscription"].orders == 1
    bike = {feature.feature: feature for _, features in profile["test-bike"].dimensions
            for feature in features}
    frame, = bike["frame"].tendencies
    assert (frame.option, str(frame.share)) == (BIKE["frame"], "100.0")


def test_the_suggestions_learn_from_every_line_of_a_quote_order(session, quote_order):
    rows = personalize.training_rows(session, "coffee-subscription")
    assert [(dict(row.selections), row.weight) for row in rows] == [
        (COFFEE, personalize.ORDER_WEIGHT)]


def test_a_product_line_bought_by_quote_is_no_step_into_a_new_line(session, people, quote_order):
    """Two carbon bikes leave no premium step up; the offer's step then goes to a line the
    customer never ordered, and the coffee they bought in the quote is not one (before, it
    was offered as "a product line you have not tried yet")."""
    contact = people["contact"]
    for _ in range(2):
        gen_order(session, contact, dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic"))
    items = choice.choose(session, contact)
    assert [item.kind for item in items] == ["again", "again"]
