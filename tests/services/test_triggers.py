"""Timely messages on a frozen clock: a refill from the customer's own order
rhythm, saved configurations that got cheaper or no longer fit, quotes about
to expire; each says why and links to its one-click action, once per moment,
at most N per customer per week, never for a refused purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from configurator.services import catalogs, orders, quotes
from configurator.services.privacy import consent
from configurator.services.triggers import run as triggers
from configurator.store.messages import Message
from tests.conftest import DATA
from tests.helpers import COMPLETE_BIKE, STEEL_BIKE, gen_configuration, gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_staff

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
DAYS = timedelta(days=1)
BIKE_LINES = ("test-bike",)  # the test bike stands in for the coffee here


def run(session, now, *, limit=2):
    return triggers.run(session, weekly_limit=limit, refill_lines=BIKE_LINES, now=now)


def order_at(session, customer, when):
    configuration = gen_configuration(session, customer)
    return orders.place(session, customer, configuration.id, now=when)


def messages(session) -> list[Message]:
    """The trigger messages (not the e-mail each sent quote gets when it is sent)."""
    query = sa.select(Message).where(Message.kind != "quote_sent")
    return list(session.scalars(query.order_by(Message.id)))


def gen_regular(session):
    """Rita orders every 14 days: on NOW - 28 days and NOW - 14 days; the next is due at NOW."""
    customer = gen_user(session, "rita@example.com", name="Rita")
    order_at(session, customer, NOW - 28 * DAYS)
    last = order_at(session, customer, NOW - 14 * DAYS)
    return customer, last


@pytest.fixture
def regular(session, bike):
    return gen_regular(session)


# ------------------------------------------------------------------ refill


def test_a_moment_is_written_once(session, regular):
    run(session, NOW - 2 * DAYS)
    again = run(session, NOW - 1 * DAYS)
    assert again.outcomes == {"sent_before": 1}
    assert len(messages(session)) == 1


def test_no_reminder_after_one_order_or_once_the_customer_stopped(session, bike, regular):
    single = gen_user(session)
    order_at(session, single, NOW - 20 * DAYS)
    assert run(session, NOW + 15 * DAYS).outcomes["written"] == 0  # Rita stopped a while ago
    assert messages(session) == []


def test_a_refused_purpose_writes_nothing(session, regular):
    customer, _ = regular
    consent.change(session, customer, {"service": False})
    assert run(session, NOW).outcomes == {"refused": 1}
    assert messages(session) == []


# ------------------------------------------------------------------ saved configurations


def test_a_saved_configuration_that_no_longer_fits_is_announced(session, bike):
    customer = gen_user(session)
    steel = gen_configuration(session, customer, STEEL_BIKE, name="Steel one")
    gen_configuration(session, customer, COMPLETE_BIKE, name="Alu one")
    assert run(session, NOW).outcomes["written"] == 0  # nothing changed yet

    catalogs.load_file(session, DATA / "bike-v2.yaml")  # steel frames retired
    report = run(session, NOW)

    assert report.outcomes == {"written": 1}
    (message,) = messages(session)
    assert message.kind == "configuration_outdated"
    assert message.subject == "“Steel one” no longer fits our catalog"
    assert "Frame: Steel" in message.body
    assert message.action_url == f"/account/configurations/{steel.id}"


def test_a_price_drop_is_an_offer_sent_only_with_marketing_consent(session, bike):
    customer = gen_user(session)
    alu = gen_configuration(session, customer, COMPLETE_BIKE, name="Alu one")
    cheaper = (DATA / "bike.yaml").read_text(encoding="utf-8").replace(
        "version: 1", "version: 3").replace("price: 120.00", "price: 100.00")
    catalogs.load_text(session, cheaper, "bike-v3.yaml")

    assert run(session, NOW).outcomes == {"refused": 1}  # marketing is opt-in
    consent.change(session, customer, {"marketing": True})
    assert run(session, NOW).outcomes == {"written": 1}

    (message,) = messages(session)
    assert (message.kind, message.purpose) == ("price_drop", "marketing")
    assert message.subject == "“Alu one” is 20.00 cheaper now"
    assert message.action_url == f"/account/configurations/{alu.id}"


def test_news_of_a_product_line_bought_repeatedly_needs_marketing_consent(session, regular):
    customer, _ = regular
    once = gen_user(session)
    order_at(session, once, NOW - 3 * DAYS)  # one order is not a habit
    newer = (DATA / "bike.yaml").read_text(encoding="utf-8").replace("version: 1", "version: 4").replace(
        "      - {id: steel, name: Steel, price: 80.00}",
        "      - {id: steel, name: Steel, price: 80.00}\n      - {id: titanium, name: Titanium, price: 900.00}",
    )
    catalogs.load_text(session, newer, "bike-v4.yaml")
    later = NOW + 20 * DAYS  # the refill moment has passed
    assert run(session, later).outcomes == {"refused": 1}  # marketing is opt-in

    consent.change(session, customer, {"marketing": True})
    consent.change(session, once, {"marketing": True})
    assert run(session, later).outcomes == {"written": 1}
    (message,) = messages(session)
    assert (message.recipient_id, message.kind) == (customer.id, "new_options")
    assert message.subject == "New in Test bike: Frame: Titanium"
    assert message.action_url == "/shop/test-bike"
    assert run(session, later).outcomes == {"sent_before": 1}


# ------------------------------------------------------------------ quotes and the weekly limit


@pytest.fixture
def two_quotes(session, bike):
    """Two quotes sent to ACME's contact at NOW, valid 30 and 31 days."""
    account, contact = gen_account(session, contact_email="buyer@acme.example")
    sales = gen_staff(session, "staff")
    sent = []
    for days in (30, 31):
        draft = quotes.drafts.create(session, sales, account.id, now=NOW, valid_days=days)
        quotes.lines.add_line(session, sales, draft.id, "test-bike", BIKE, 1, now=NOW)
        sent.append(quotes.sending.send(session, sales, draft.id, now=NOW))
    return contact, sent


def test_a_quote_about_to_expire_reminds_its_contacts(session, two_quotes):
    contact, (first, second) = two_quotes
    assert run(session, NOW + 26 * DAYS).outcomes["written"] == 0  # more than 3 days left
    report = run(session, NOW + 28 * DAYS + 12 * timedelta(hours=1))
    assert report.written == [f"quote-expiry:{first.number}:{contact.id}",
                              f"quote-expiry:{second.number}:{contact.id}"]
    message = messages(session)[0]
    assert message.recipient_id == contact.id
    assert message.action_url == f"/account/quotes/{first.id}"
    assert message.subject == f"Quote {first.number} expires on Sunday, 31 March 2030"


def test_at_most_n_trigger_messages_per_customer_per_week(session, two_quotes):
    contact, (first, second) = two_quotes
    due = NOW + 28 * DAYS + 12 * timedelta(hours=1)
    assert run(session, due, limit=1).outcomes == {"written": 1, "over_limit": 1}
    assert run(session, due + DAYS, limit=1).outcomes == {"sent_before": 1, "over_limit": 1}
    assert [m.dedupe_key for m in messages(session)] == [f"quote-expiry:{first.number}:{contact.id}"]
    assert triggers.sent_this_week(session, contact.id, due + 7 * DAYS) == 0


# ------------------------------------------------------------------ the command


def test_the_command_runs_the_triggers_as_of_a_given_time(tmp_path, monkeypatch, capsys):
    from configurator.cli import main
    from configurator.store import make_engine, session_factory
    from configurator.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr("configurator.config.Config.REFILL_PRODUCT_LINES", BIKE_LINES)
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        catalogs.load_file(session, DATA / "bike.yaml")
        customer = gen_user(session, "rita@example.com")
        order_at(session, customer, NOW - 28 * DAYS)
        last = order_at(session, customer, NOW - 14 * DAYS)
    assert main(["messages", "triggers", "--now", "2030-02-28T09:00"]) == 0
    out = capsys.readouterr().out
    assert f"refill:{last.number}: written" in out
    assert "1 written, 0 over the weekly limit, 0 sent before, 0 refused by consent" in out
    engine.dispose()


def test_the_command_refuses_a_bad_time_in_one_line(capsys):
    from configurator.cli import main

    assert main(["messages", "triggers", "--now", "next tuesday"]) == 2
    assert capsys.readouterr().err.startswith("configurator messages triggers: --now:")


def test_the_demos_refill_reminder_is_where_the_operations_page_says(session):
    """docs/operations.md tells how to see the coffee refill on the demo data: Ben's
    reminder, 19 weeks after `configurator seed` (nothing is due on the seed's day)."""
    from pathlib import Path

    from configurator.services.demo.seed import seed
    from configurator.store.models import User

    root = Path(__file__).parents[2]
    seeded_at = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
    seed(session, root / "catalog", root / "seed", now=seeded_at)
    assert "19 weeks" in (root / "docs" / "operations.md").read_text()
    ben = session.scalar(sa.select(User).where(User.email == "ben@example.com"))
    report = triggers.run(session, weekly_limit=2, now=seeded_at + timedelta(weeks=19))
    refills = session.scalars(sa.select(Message).where(Message.kind == "refill_reminder")).all()
    assert [m.recipient_id for m in refills] == [ben.id] and report.written
