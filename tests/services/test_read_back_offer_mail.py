"""Offers by e-mail and several campaigns at once (issue 17), read back through
a second session: the marketing consent, the weekly limit shared with the
trigger messages, one e-mail per campaign and customer, the holdout of each
campaign kept apart, the newest campaign's reward, delivery over real SMTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.services.offers import campaigns, holdout, mailing
from configurator.services.privacy import consent
from configurator.services.triggers.run import sent_this_week
from configurator.store.messages import Message
from configurator.store.models import Order, User
from configurator.store.offers import OfferEvent
from configurator.store.types import utcnow
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_order, gen_user
from tests.services.read_back import reads_back
from tests.services.test_read_back_offers import ADDRESS, gen_campaign


def gen_customer(session, groups: dict, *, marketing=True, orders=2):
    """A customer each campaign's hash puts in the given group, with orders of the test bike."""
    while True:
        customer = gen_user(session)
        if all(holdout.group(c.code, customer.id, c.holdout_percent / 100) == group
               for c, group in groups.items()):
            break
    for _ in range(orders):
        gen_order(session, customer)
    if marketing:
        consent.change(session, customer, {"marketing": True})
    return customer


def offer_mails(other, customer_id=None):
    query = sa.select(Message).where(Message.kind == "offer").order_by(Message.id)
    if customer_id is not None:
        query = query.where(Message.recipient_id == customer_id)
    return other.scalars(query).all()


def events(other, customer_id):
    return sorted((e.campaign.code, e.kind) for e in other.scalars(
        sa.select(OfferEvent).where(OfferEvent.customer_id == customer_id)))


@reads_back(mailing.mail_offers)
def test_the_offer_group_is_mailed_once_the_holdout_and_the_unwilling_are_not(
    session, second_session, bike
):
    spring = gen_campaign(session)
    mailed = gen_customer(session, {spring: holdout.OFFER})
    held = gen_customer(session, {spring: holdout.HOLDOUT})
    unwilling = gen_customer(session, {spring: holdout.OFFER}, marketing=False)

    outcomes = mailing.mail_offers(session, weekly_limit=2)
    assert outcomes == {"written": 1, "no_offer": 1, "no_consent": 1}
    with second_session() as other:
        (mail,) = offer_mails(other)
        assert (mail.recipient_id, mail.purpose, mail.dedupe_key) == (
            mailed.id, "marketing", f"offer:spring:{mailed.id}")
        assert mail.action_url == f"/shop/offers/{spring.id}/open/0"
        assert "Spring offer" in mail.subject and "10 % off" in mail.body and "Alu" in mail.body
        assert events(other, mailed.id) == [("spring", "shown")]
        assert events(other, held.id) == [("spring", "held_out")]
        assert events(other, unwilling.id) == []  # not reached by an e-mail they refused
    assert mailing.mail_offers(session, weekly_limit=2)["sent_before"] == 1
    with second_session() as other:
        assert len(offer_mails(other)) == 1


def test_offers_share_the_weekly_limit_with_the_trigger_messages(session, second_session, bike):
    spring = gen_campaign(session)
    autumn = gen_campaign(session, code="autumn", name="Autumn offer", percent="15")
    customer = gen_customer(session, {spring: holdout.OFFER, autumn: holdout.OFFER})
    now = utcnow()
    outcomes = mailing.mail_offers(session, weekly_limit=1, now=now)
    assert outcomes == {"written": 1, "over_limit": 1}
    assert sent_this_week(session, customer.id, now) == 1  # the triggers' limit counts it
    with second_session() as other:
        assert [m.dedupe_key for m in offer_mails(other)] == [f"offer:autumn:{customer.id}"]
        assert events(other, customer.id) == [("autumn", "shown")]  # spring: not reached yet
    a_week_later = now + timedelta(days=7, seconds=1)
    assert mailing.mail_offers(session, weekly_limit=1, now=a_week_later)["written"] == 1
    with second_session() as other:
        assert len(offer_mails(other, customer.id)) == 2


@reads_back(campaigns.reach_all)
def test_several_campaigns_at_once_each_with_its_own_stable_holdout(session, second_session, bike):
    spring = gen_campaign(session)
    autumn = gen_campaign(session, code="autumn", name="Autumn offer", percent="15")
    both = gen_customer(session, {spring: holdout.OFFER, autumn: holdout.OFFER}, marketing=False)
    one = gen_customer(session, {spring: holdout.OFFER, autumn: holdout.HOLDOUT}, marketing=False)

    assert [o.campaign.code for o in campaigns.reach_all(session, both)] == ["autumn", "spring"]
    assert [o.campaign.code for o in campaigns.reach_all(session, one)] == ["spring"]
    for _ in range(3):  # the same groups every time, nothing recorded again
        assert [o.campaign.code for o in campaigns.reach_all(session, one)] == ["spring"]
    with second_session() as other:
        assert events(other, both.id) == [("autumn", "shown"), ("spring", "shown")]
        assert events(other, one.id) == [("autumn", "held_out"), ("spring", "shown")]
    # An order taking up both offers gets the larger reward (here also the newest).
    reward = campaigns.reward_for(session, session.get(User, both.id), "test-bike", COMPLETE_BIKE)
    assert (reward.campaign, reward.percent) == ("autumn", 15)
    reward = campaigns.reward_for(session, session.get(User, one.id), "test-bike", COMPLETE_BIKE)
    assert reward.campaign == "spring"


@reads_back(campaigns.place_order)
def test_in_two_campaigns_the_larger_reward_wins_not_the_newest(session, second_session, bike):
    rack = gen_campaign(session, code="rack", name="Rack offer", reward_kind="free_addon",
                        percent="", addon="test-bike:extras:rack")
    spring = gen_campaign(session, percent="10")  # the newest
    customer = gen_customer(session, {spring: holdout.OFFER, rack: holdout.OFFER}, marketing=False)
    campaigns.reach_all(session, customer)
    # 215.00 with bell and rack: 10 % is 21.50, the older campaign's free rack 25.00.
    with_rack = gen_configuration(session, customer, dict(COMPLETE_BIKE, extras=["bell", "rack"]))
    with_bell = gen_configuration(session, customer, dict(COMPLETE_BIKE, extras=["bell"]))
    assert campaigns.review(session, customer, with_rack.id).snapshot["offer"] == {
        "campaign": "rack", "label": "Rack offer", "reason": "Rack offer: Rack free", "amount": "-25.00"}
    # Without the rack only the discount applies: 10 % of 190.00.
    assert campaigns.review(session, customer, with_bell.id).snapshot["offer"]["amount"] == "-19.00"
    order = campaigns.place_order(session, customer, with_rack.id, 1, terms_accepted=True,
                                  new_address=ADDRESS)
    with second_session() as other:
        kept = other.get(Order, order.id)
        assert (kept.snapshot["offer"]["campaign"], kept.total) == ("rack", Decimal("190.00"))
        assert ("rack", "accepted") in events(other, customer.id)
        assert ("spring", "accepted") not in events(other, customer.id)


def test_the_configurator_shows_only_offers_already_made_for_its_line(session, bike):
    spring = gen_campaign(session)
    customer = gen_customer(session, {spring: holdout.OFFER}, marketing=False)
    assert campaigns.offers_shown(session, customer) == []  # reaches nobody anew
    assert session.scalar(sa.select(sa.func.count(OfferEvent.id))) == 0
    campaigns.reach_all(session, customer)
    shown = campaigns.offers_shown(session, customer)
    assert [o.campaign.code for o in campaigns.for_line(shown, "test-bike")] == ["spring"]
    assert campaigns.for_line(shown, "coffee-subscription") == []


def test_the_offer_e_mail_reaches_the_smtp_server(session, bike, smtp_server):
    spring = gen_campaign(session)
    customer = gen_customer(session, {spring: holdout.OFFER})
    mailing.mail_offers(session, weekly_limit=2)
    message_id = session.scalar(sa.select(Message.id).where(Message.kind == "offer"))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="shop@shop.test")
    assert delivery.deliver(session, message_id, transport,
                            TrackingLinks("http://shop.test", "secret")) == "sent"
    (mail,) = smtp_server.mailbox.wait_for(1)
    assert mail["To"] == customer.email and mail["Subject"] == "An offer for you: Spring offer"
    text = mail.get_body(("plain",)).get_content()
    assert "10 % off on your next order" in text and "http://shop.test/" in text
    assert f"valid until {spring.ends_at:%A, %d %B %Y}" in text


def test_the_offer_e_mail_is_in_the_customers_language(session, second_session, bike):
    spring = gen_campaign(session)
    customer = gen_customer(session, {spring: holdout.OFFER})
    customer.locale = "fa"
    mailing.mail_offers(session, weekly_limit=2)
    with second_session() as other:
        (mail,) = offer_mails(other)
        assert mail.subject == "پیشنهادی برای شما: Spring offer"
        assert "گرامی" in mail.body and "٪ تخفیف" in mail.body
        assert "معتبر تا ۱۴" in mail.body  # the Jalali year, in Persian digits


def test_the_command_mails_the_offers_now(tmp_path, monkeypatch, capsys):
    """`configurator messages offers`: a demo user who just allowed offers by e-mail need
    not wait for the worker's hourly run (there was no command for it)."""
    from configurator.cli import main
    from configurator.services import catalogs
    from configurator.store import make_engine, session_factory
    from configurator.store.migrate import upgrade
    from tests.conftest import DATA

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as session:
        catalogs.load_file(session, DATA / "bike.yaml")
        spring = gen_campaign(session)
        gen_customer(session, {spring: holdout.OFFER})
        session.commit()
    assert main(["messages", "offers"]) == 0
    assert capsys.readouterr().out.strip() == "1 written"
    assert main(["messages", "offers"]) == 0
    assert capsys.readouterr().out.strip() == "1 sent before"
    assert main(["messages", "offers", "--now", "next tuesday"]) == 2
    assert capsys.readouterr().err.startswith("configurator messages offers: --now:")
    engine.dispose()
