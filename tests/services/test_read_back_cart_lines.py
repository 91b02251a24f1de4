"""Cart orders hold several product lines, each item with its own catalog version:
the refill rhythm, news of a line bought repeatedly and "same as last time" see
every item, not only the order's first (issue 17). On a frozen clock, read back
through a second session, on every database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from configurator.services import cart, cart_checkout, catalogs, checkout, orders
from configurator.services.customer_value import personalize
from configurator.services.errors import InvalidSelection, NotFound
from configurator.services.privacy import consent
from configurator.services.triggers import run as triggers
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_user
from tests.services.read_back import reads_back
from tests.services.test_read_back_cart import COFFEE, REPO
from tests.services.test_triggers import messages

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
DAYS = timedelta(days=1)
HOME = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")
BOTH_LINES = ("test-bike", "coffee-subscription")


def cart_order(session, customer, when):
    """A cart order placed at `when`: a bike first, then a weekly coffee."""
    bike = gen_configuration(session, customer, COMPLETE_BIKE, name="Bike")
    coffee = gen_configuration(session, customer, COFFEE, name="Weekly",
                               catalog_id="coffee-subscription")
    cart.add(session, customer, bike.id)
    cart.add(session, customer, coffee.id)
    token = cart.contents(session, customer).token
    return cart_checkout.place_order(session, customer, token, terms_accepted=True,
                                     new_address=HOME, now=when)


@pytest.fixture
def mia(session, bike):
    """Mia orders a bike and a coffee together every 14 days: the next is due at NOW."""
    catalogs.load_file(session, REPO / "catalog" / "coffee-subscription.yaml")
    customer = gen_user(session, "mia@example.com", name="Mia")
    cart_order(session, customer, NOW - 28 * DAYS)
    last = cart_order(session, customer, NOW - 14 * DAYS)
    return customer, last


@reads_back(triggers.run)
def test_the_refill_rhythm_is_per_product_line_of_cart_orders(session, second_session, mia):
    """Before, the cart orders were passed over (no single configuration's picks), and
    an order counted only for its first item's line: the coffee never got a reminder."""
    customer, last = mia
    report = triggers.run(session, weekly_limit=5, refill_lines=BOTH_LINES, now=NOW - 2 * DAYS)
    assert sorted(report.written) == [f"refill:{last.number}:coffee-subscription",
                                      f"refill:{last.number}:test-bike"]
    with second_session() as other:
        coffee = next(m for m in messages(other) if m.dedupe_key.endswith("coffee-subscription"))
        assert coffee.recipient_id == customer.id and coffee.kind == "refill_reminder"
        assert coffee.reason == ("You order Coffee subscription about every 14 days and your "
                                 "last order was 12 days ago.")
        # The coffee is not reordered alone in one click: the configurator starts from it.
        assert coffee.action_url == f"/shop/coffee-subscription?order={last.number}&item=1"
        assert coffee.action_label == "Open it and order"
        assert "fills in the configurator with the same again" in coffee.body
    again = triggers.run(session, weekly_limit=5, refill_lines=BOTH_LINES, now=NOW - 1 * DAYS)
    assert again.outcomes == {"sent_before": 2}


def test_the_refill_link_of_a_cart_order_starts_from_its_item(session, mia):
    customer, last = mia
    start = orders.start_from(session, customer, last.number, for_catalog="coffee-subscription",
                              item=1)
    assert dict(start.selection) == COFFEE and start.recheck.fits
    by_line = orders.start_from(session, customer, last.number, for_catalog="coffee-subscription")
    assert dict(by_line.selection) == COFFEE  # without an item: the order's item of the line
    with pytest.raises(InvalidSelection):
        orders.start_from(session, customer, last.number, for_catalog="coffee-subscription", item=0)
    with pytest.raises(NotFound):
        orders.start_from(session, customer, last.number, for_catalog="test-bike", item=2)


def test_same_as_last_time_is_the_cart_orders_item_of_each_line(session, mia):
    """Before, the coffee's last time was its saved configuration (the cart order's own
    version is the bike's), and the bike's too (the order keeps no single picks)."""
    customer, last = mia
    coffee = personalize.last_time(session, customer, "coffee-subscription")
    assert (coffee.kind, coffee.reference, coffee.item, coffee.at) == (
        "order", last.number, 1, NOW - 14 * DAYS)
    bike = personalize.last_time(session, customer, "test-bike")
    assert (bike.kind, bike.reference, bike.item) == ("order", last.number, 0)


@reads_back(triggers.run)
def test_news_of_a_line_bought_repeatedly_in_cart_orders(session, second_session, mia):
    """Two cart orders of a bike and a coffee make two orders of the coffee: a new coffee
    version with a new roast is news to Mia (before, only the bike counted)."""
    customer, _ = mia
    consent.change(session, customer, {"marketing": True})
    # Leo: one coffee on its own, one with a bike in the cart: two orders of the coffee too.
    leo = gen_user(session, "leo@example.com", name="Leo")
    consent.change(session, leo, {"marketing": True})
    alone = gen_configuration(session, leo, COFFEE, name="Weekly", catalog_id="coffee-subscription")
    orders.place(session, leo, alone.id, now=NOW - 20 * DAYS)
    cart_order(session, leo, NOW - 10 * DAYS)
    newer = (REPO / "catalog" / "coffee-subscription.yaml").read_text(encoding="utf-8").replace(
        "version: 1", "version: 2", 1).replace(
        "      - {id: medium, name: Medium roast,",
        "      - {id: vienna, name: Vienna roast, price: 0.50, cost: 0.20}\n"
        "      - {id: medium, name: Medium roast,", 1)
    version = catalogs.load_text(session, newer, "coffee-v2.yaml").version
    report = triggers.run(session, weekly_limit=5, refill_lines=(), now=NOW + 20 * DAYS)
    assert report.written == [f"new-options:{customer.id}:{version.id}",
                              f"new-options:{leo.id}:{version.id}"]
    with second_session() as other:
        message, _ = [m for m in messages(other) if m.kind == "new_options"]
        assert message.subject == "New in Coffee subscription: Roast: Vienna roast"
        assert message.action_url == "/shop/coffee-subscription"
