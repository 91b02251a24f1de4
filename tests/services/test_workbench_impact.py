"""The impact of a release on running subscriptions and on the business
accounts' price lists, against a recount in the test; and the read-only view
of saved work a catalog manager opens from the impact list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from configurator.engine import Catalog
from configurator.services import business, catalogs, fulfilment
from configurator.services.errors import NotFound
from configurator.services.workbench import drafts, releases, saved_view
from tests.helpers import COMPLETE_BIKE, gen_order, gen_user
from tests.services.quote_factories import gen_account
from tests.services.workbench_factories import BIKE_TEXT, DRAFT_TEXT, gen_catalog_manager

# The courier delivers every 30 days and is paid per delivery: an order with it is a subscription.
MONTHLY = "      - {id: courier, name: Courier, price: 25.00, recurring: per_delivery, attributes: {every_days: 30}}"
SUBSCRIBED = BIKE_TEXT.replace("version: 1", "version: 2").replace(
    "      - {id: courier, name: Courier, price: 25.00}", MONTHLY)
# The draft: steel retired, the courier dearer, the rack dearer, bell unchanged.
SUBSCRIBED_DRAFT = (
    SUBSCRIBED.replace("version: 2", "version: 3")
    .replace("      - {id: steel, name: Steel, price: 80.00}\n", "")
    .replace(MONTHLY, MONTHLY.replace("25.00", "29.00"))
    .replace("{id: rack, name: Rack, price: 25.00}", "{id: rack, name: Rack, price: 27.00}")
)


@pytest.fixture
def manager(session):
    return gen_catalog_manager(session)


@pytest.fixture
def subscribed(session, bike):
    return catalogs.load_text(session, SUBSCRIBED, "test-bike.yaml").version


def recurring_price(text: str, selection: dict) -> Decimal | None:
    """What a selection pays per delivery, when it is still a complete valid configuration."""
    catalog = Catalog.from_text(text, path="test-bike.yaml")
    try:
        selection = catalog.normalize(dict(selection))
    except Exception:  # an option the text does not have
        return None
    if not catalog.domains(selection).complete:
        return None
    return catalog.price(selection).per_delivery + catalog.price(selection).per_month


def test_running_subscriptions_that_break_or_reprice_are_counted(session, subscribed, manager):
    anna = gen_user(session, "anna@example.com")
    selections = [
        dict(COMPLETE_BIKE, delivery="courier"),  # courier dearer: price changes
        dict(COMPLETE_BIKE, delivery="courier", frame="steel"),  # steel retired: no longer fits
        dict(COMPLETE_BIKE, delivery="courier", extras=["bell"]),  # price changes (courier)
        dict(COMPLETE_BIKE, delivery="freight"),  # delivered once: not a subscription
    ]
    orders = [gen_order(session, anna, selection) for selection in selections]
    cancelled = gen_order(session, anna, dict(COMPLETE_BIKE, delivery="courier", frame="steel"))
    fulfilment.cancel(session, anna, cancelled.number)
    drafts.save(session, "test-bike", SUBSCRIBED_DRAFT, manager)

    impact = releases.preview(session, "test-bike").impact
    subscriptions = {a.work.record_id: a for a in impact.affected if a.work.kind == "subscription"}
    expected = {}
    for order, selection in zip(orders[:3], selections[:3], strict=True):
        before, after = recurring_price(SUBSCRIBED, selection), recurring_price(SUBSCRIBED_DRAFT, selection)
        if after is None:
            expected[order.id] = ("no_longer_fits", before, None)
        elif after != before:
            expected[order.id] = ("price_changes", before, after)
    assert {k: (a.effect, a.price_before, a.price_after) for k, a in subscriptions.items()} == expected
    assert impact.count("subscription", "no_longer_fits") == 1
    assert impact.count("subscription", "price_changes") == 2
    assert subscriptions[orders[0].id].price_after == Decimal("29.00")


def test_price_list_entries_of_removed_or_repriced_options(session, bike, manager):
    acme, _ = gen_account(session, "ACME GmbH")
    other, _ = gen_account(session, "Other GmbH", percent_off=None)
    for account, feature, option, price in [
        (acme, "frame", "steel", "70.00"),  # steel retired in the draft
        (acme, "frame", "carbon", "600.00"),  # carbon 640 -> 700
        (acme, "frame", "alu", "110.00"),  # unchanged
        (other, "extras", "bell", "4.00"),  # unchanged
    ]:
        business.terms.set_option_price(session, account, "test-bike", feature, option, Decimal(price))
    drafts.save(session, "test-bike", DRAFT_TEXT, manager)
    changes = releases.preview(session, "test-bike").impact.price_lists
    assert [(c.account_name, c.feature, c.option, c.effect, c.list_before, c.list_after) for c in changes] == [
        ("ACME GmbH", "frame", "carbon", "list_price_changes", Decimal("640.00"), Decimal("700.00")),
        ("ACME GmbH", "frame", "steel", "option_removed", Decimal("80.00"), None),
    ]


def test_the_read_only_view_of_saved_work(session, subscribed, manager):
    anna = gen_user(session, "anna@example.com")
    order = gen_order(session, anna, dict(COMPLETE_BIKE, delivery="courier", frame="steel"))
    drafts.save(session, "test-bike", SUBSCRIBED_DRAFT, manager)
    view = saved_view.describe(session, "test-bike", "subscription", order.id)
    [item] = view.items
    assert view.draft_shown and "anna@example.com" in view.subtitle
    assert ("Frame", ["Steel"]) in [(p.feature, p.options) for p in item.picks]
    assert item.price_now == Decimal("25.00") and item.price_draft is None
    configuration = order.configuration
    view = saved_view.describe(session, "test-bike", "configuration", configuration.id)
    assert view.items[0].price_draft is None
    acme, _ = gen_account(session, "ACME GmbH", carbon_price="600")
    view = saved_view.describe(session, "test-bike", "account", acme.id)
    assert [(r.option, r.account_price, r.list_now, r.list_draft) for r in view.prices] == [
        ("carbon", Decimal("600.00"), Decimal("640.00"), Decimal("640.00"))]
    with pytest.raises(NotFound):
        saved_view.describe(session, "city-bike", "configuration", configuration.id)
