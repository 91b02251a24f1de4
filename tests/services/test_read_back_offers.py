"""Offer campaigns end to end in the services: creation, the offer chosen from a
customer's history, the holdout, shown / clicked / accepted / unsubscribed (and
the timeline), the reward priced by the engine, and the report on data whose
uplift is known."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import catalogs, checkout
from configurator.services.offers import campaigns, choice, holdout, report
from configurator.services.offers.campaigns import CampaignInput, CampaignRefused
from configurator.services.privacy import consent, export
from configurator.store.models import Interaction, Order, User
from configurator.store.offers import OfferEvent
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_order, gen_user
from tests.services.quote_factories import gen_staff
from tests.services.read_back import reads_back

ADDRESS = checkout.AddressInput("Anna Berg", "Hauptstr. 1", "10115", "Berlin", "de")


def gen_campaign(session, **given):
    fields = {"code": "spring", "name": "Spring offer", "reward_kind": "discount", "percent": "10",
              "holdout_percent": "20", "days": "30", **given}
    staff = session.scalar(sa.select(User).where(User.role == "staff")) or gen_staff(session, "staff")
    return campaigns.create(session, staff, CampaignInput(**fields))


def gen_customer_in(session, campaign, group, orders=2):
    """A customer the campaign's hash puts in `group`, with `orders` orders of the test bike."""
    while True:
        customer = gen_user(session)
        if holdout.group(campaign.code, customer.id, campaign.holdout_percent / 100) == group:
            break
    for _ in range(orders):
        gen_order(session, customer)
    return customer


def kinds(other, customer_id):
    return [e.kind for e in other.scalars(
        sa.select(OfferEvent).where(OfferEvent.customer_id == customer_id).order_by(OfferEvent.id))]


def test_the_offer_is_two_repeated_items_and_a_premium_step_up(session, bike):
    customer = gen_user(session)
    gen_order(session, customer)
    gen_order(session, customer, dict(COMPLETE_BIKE, extras=["bell"]))
    items = choice.choose(session, customer)
    assert [(i.kind, i.feature, i.option) for i in items] == [
        ("again", "frame", "alu"), ("again", "brakes", "rim"), ("premium", "frame", "carbon")]
    assert items[0].why == "You ordered it 2 times"
    assert choice.choose(session, gen_user(session)) == []


def test_without_a_premium_option_the_step_up_is_a_product_line_never_bought(session, bike):
    catalogs.load_file(session, "catalog/coffee-subscription.yaml")
    customer = gen_user(session)
    gen_order(session, customer, dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic"))
    gen_order(session, customer, dict(COMPLETE_BIKE, frame="carbon", brakes="disc_hydraulic"))
    items = choice.choose(session, customer)
    assert items[-1].kind == "new_line"
    assert items[-1].catalog == "coffee-subscription"
    assert items[-1].matches("coffee-subscription", {})


@reads_back(campaigns.create)
def test_staff_create_a_campaign_and_bad_fields_are_refused_in_words(session, second_session, bike):
    campaign = gen_campaign(session, percent="12.5")
    with second_session() as other:
        assert [c.code for c in campaigns.listing(other)] == ["spring"]
        assert campaigns.get(other, campaign.id).percent == Decimal("12.50")
    for bad, message in [
        ({"code": "Spring!"}, "small letters"),
        ({"code": "spring"}, "already"),
        ({"code": "x2", "percent": "95"}, "discount"),
        ({"code": "x3", "percent": "ten"}, "number"),
        ({"code": "x4", "holdout_percent": "70"}, "holdout"),
        ({"code": "x5", "reward_kind": "free_addon", "addon": "test-bike:extras:nope"}, "no priced"),
        ({"code": "x6", "reward_kind": "free_addon", "addon": "nothing:extras:bell"}, "no product line"),
        ({"code": "x7", "name": " "}, "name"),
    ]:
        with pytest.raises(CampaignRefused, match=message):
            gen_campaign(session, **bad)


@reads_back(campaigns.reach, campaigns.click)
def test_the_offer_group_sees_its_offer_once_recorded_and_the_holdout_sees_nothing(
    session, second_session, bike
):
    campaign = gen_campaign(session)
    shown = gen_customer_in(session, campaign, holdout.OFFER)
    held = gen_customer_in(session, campaign, holdout.HOLDOUT)

    offer = campaigns.reach(session, shown)
    assert [item.option for item in offer.items] == ["alu", "rim", "carbon"]
    assert offer.reward_text == "10 % off"
    assert campaigns.reach(session, held) is None
    assert campaigns.reach(session, shown).items == offer.items  # the same, not recorded again
    campaigns.click(session, shown, campaign.id)
    with second_session() as other:
        assert kinds(other, shown.id) == ["shown", "clicked"]
        assert kinds(other, held.id) == ["held_out"]
        on_timeline = other.scalars(sa.select(Interaction.kind).where(
            Interaction.customer_id == shown.id, Interaction.kind.like("offer_%"))).all()
        assert on_timeline == ["offer_shown", "offer_clicked"]
        assert not other.scalars(sa.select(Interaction).where(
            Interaction.customer_id == held.id, Interaction.kind.like("offer_%"))).all()
    with pytest.raises(campaigns.NotFound):
        campaigns.click(session, held, campaign.id)  # the holdout has no offer to open


def test_no_offer_without_consent_orders_or_a_running_campaign(session, bike):
    campaign = gen_campaign(session)
    refused = gen_customer_in(session, campaign, holdout.OFFER)
    consent.change(session, refused, {"personalization": False})
    assert campaigns.reach(session, refused) is None
    assert campaigns.reach(session, gen_user(session)) is None  # no order yet
    assert campaigns.reach(session, None) is None
    assert campaigns.reach(session, gen_staff(session, "manager")) is None
    later = utcnow() + timedelta(days=31)
    assert campaigns.reach(session, gen_customer_in(session, campaign, holdout.OFFER), now=later) is None
    assert session.scalars(sa.select(OfferEvent)).all() == []


@reads_back(campaigns.place_order)
def test_an_order_with_an_offered_item_gets_the_discount_priced_and_recorded(
    session, second_session, bike
):
    campaign = gen_campaign(session)
    customer = gen_customer_in(session, campaign, holdout.OFFER)
    campaigns.reach(session, customer)
    configuration = gen_configuration(session, customer, dict(COMPLETE_BIKE, extras=["bell"]))
    seen = campaigns.review(session, customer, configuration.id)
    assert seen.snapshot["offer"]["reason"] == "Spring offer: 10 % off"
    assert seen.vat.gross == Decimal("171.00")  # 190.00 less 19.00

    order = campaigns.place_order(session, customer, configuration.id, 1, terms_accepted=True,
                                  new_address=ADDRESS)
    with second_session() as other:
        kept = other.get(Order, order.id)
        assert kept.total == Decimal("171.00")
        assert kept.snapshot["offer"] == {"campaign": "spring", "label": "Spring offer",
                                          "reason": "Spring offer: 10 % off", "amount": "-19.00"}
        assert kept.snapshot["checkout"]["vat"]["gross"] == "171.00"
        assert kinds(other, customer.id) == ["shown", "accepted"]
        assert other.scalar(sa.select(OfferEvent.order_id).where(OfferEvent.kind == "accepted")) == order.id
        # Revenue before VAT: the checkout order's 171.00 holds 27.30 of 19 % VAT.
        assert other.get(CustomerValue, customer.id).revenue == Decimal("185.00") * 2 + Decimal("143.70")
    again = campaigns.place_order(session, customer, configuration.id, 1, terms_accepted=True,
                                  new_address=ADDRESS)
    assert again.id == order.id
    assert kinds(session, customer.id) == ["shown", "accepted"]  # a double post accepts once


def test_the_holdout_and_other_lines_pay_list_price(session, bike):
    campaign = gen_campaign(session)
    held = gen_customer_in(session, campaign, holdout.HOLDOUT)
    campaigns.reach(session, held)
    configuration = gen_configuration(session, held)
    order = campaigns.place_order(session, held, configuration.id, 1, terms_accepted=True,
                                  new_address=ADDRESS)
    assert "offer" not in order.snapshot
    assert order.total == Decimal("185.00")
    shown = gen_customer_in(session, campaign, holdout.OFFER)
    campaigns.reach(session, shown)
    steel = gen_configuration(session, shown, dict(COMPLETE_BIKE, frame="steel", brakes="disc_hydraulic"))
    assert campaigns.review(session, shown, steel.id).snapshot.get("offer") is None  # no offered item


def test_a_free_add_on_campaign_gives_the_add_on_free(session, bike):
    campaign = gen_campaign(session, code="bell", name="Bell offer", reward_kind="free_addon",
                            percent="", addon="test-bike:extras:rack")
    customer = gen_customer_in(session, campaign, holdout.OFFER)
    assert campaigns.reach(session, customer).reward_text == "Rack free"
    configuration = gen_configuration(session, customer, dict(COMPLETE_BIKE, extras=["rack"]))
    order = campaigns.place_order(session, customer, configuration.id, 1, terms_accepted=True,
                                  new_address=ADDRESS)
    assert order.snapshot["offer"]["reason"] == "Bell offer: Rack free"
    assert order.total == Decimal("185.00")


@reads_back(campaigns.unsubscribe)
def test_unsubscribing_stops_offers_and_marketing_e_mail(session, second_session, bike):
    campaign = gen_campaign(session)
    customer = gen_customer_in(session, campaign, holdout.OFFER)
    campaigns.reach(session, customer)
    consent.change(session, customer, {"marketing": True})
    campaigns.unsubscribe(session, customer, campaign.id)
    campaigns.unsubscribe(session, customer, campaign.id)  # twice is once
    with second_session() as other:
        assert kinds(other, customer.id) == ["shown", "unsubscribed"]
        assert consent.choices(other, other.get(User, customer.id))["marketing"] is False
        assert "offer_unsubscribed" in other.scalars(sa.select(Interaction.kind).where(
            Interaction.customer_id == customer.id)).all()
    assert campaigns.reach(session, customer) is None
    exported = export.export(session, customer)["offers"]
    assert [(e["campaign"], e["kind"], e["group"]) for e in exported] == [
        ("spring", "shown", "offer"), ("spring", "unsubscribed", "offer")]
    configuration = gen_configuration(session, customer)
    assert campaigns.review(session, customer, configuration.id).snapshot.get("offer") is None


def test_the_report_on_data_whose_uplift_is_known(session, bike):
    """200 customers per group; 30 of the offer group and 20 of the holdout bought
    100.00 each after being reached: +5 points of conversion, 95 % interval
    5 ± 1.959964 × √(.15×.85/200 + .10×.90/200) = [-1.46, 11.46]."""
    campaign = gen_campaign(session)
    reached_at = campaign.starts_at + timedelta(hours=1)
    for group, buyers in ((holdout.OFFER, 30), (holdout.HOLDOUT, 20)):
        for n in range(200):
            customer = User(email=f"{group}{n}@example.com", name=f"{group} {n}", password_hash="-")
            session.add(customer)
            session.flush()
            session.add(OfferEvent(campaign_id=campaign.id, customer_id=customer.id, group=group,
                                   kind="shown" if group == holdout.OFFER else "held_out",
                                   detail={"items": []}, at=reached_at))
            before = Order(number=f"B{group[0]}{n}", owner_id=customer.id, catalog_version_id=bike.id,
                           snapshot={}, total=Decimal(500), currency="EUR",
                           created_at=reached_at - timedelta(minutes=5))  # before: not counted
            session.add(before)
            if n < buyers:
                session.add(Order(number=f"A{group[0]}{n}", owner_id=customer.id,
                                  catalog_version_id=bike.id, snapshot={}, total=Decimal(100),
                                  currency="EUR", created_at=reached_at + timedelta(days=2)))
            if group == holdout.OFFER and n >= 190:  # ten unsubscribe, each worth 300.00
                session.add(OfferEvent(campaign_id=campaign.id, customer_id=customer.id,
                                       group=group, kind="unsubscribed", at=reached_at))
            session.add(CustomerValue(customer_id=customer.id, currency="EUR", revenue=Decimal(0),
                                      lifetime_value=Decimal(300 if n >= 190 else 600)))
    session.commit()

    seen = report.build(session, campaign.id, now=campaign.starts_at + timedelta(days=10))
    eur, = seen.sections  # every order is in EUR
    assert eur.currency == "EUR"
    assert (eur.offer.customers, eur.offer.converted, eur.offer.revenue) == (200, 30, Decimal(3000))
    assert (seen.offer.customers, seen.offer.converted) == (200, 30)
    assert (seen.holdout.customers, seen.holdout.converted) == (200, 20)
    assert seen.offer.conversion == Decimal(15) and seen.holdout.conversion == Decimal(10)
    for conversion in (seen.conversion, eur.uplift.conversion):  # pooled, and in EUR alone
        assert conversion.estimate == Decimal("0.05")
        assert (round(conversion.low * 100, 2), round(conversion.high * 100, 2)) == (
            Decimal("-1.46"), Decimal("11.46"))
    assert eur.uplift.revenue_per_customer.estimate == Decimal(5)
    assert seen.events == {"shown": 200, "held_out": 200, "unsubscribed": 10}
    gone = seen.unsubscribes
    value, = gone.values
    assert (gone.count, gone.share, value.currency, value.lifetime_value) == (
        10, Decimal(5), "EUR", Decimal(3000))
    assert (value.mean_lifetime_value, value.mean_lifetime_value_stayed) == (Decimal(300), Decimal(600))


def test_the_report_has_a_section_per_currency_and_pools_only_conversion(session, bike):
    """Orders in EUR and VND: each currency its own revenue and uplift, never added up or
    converted (before, the VND orders were left out of the report altogether). Conversion
    is pooled: a customer who bought in either currency converted.

    Offer group: 4 customers; one buys for 120 EUR, one for 2,500,000 VND, one in both
    (80 EUR and 1,500,000 VND), one nothing. Holdout: 4; one buys for 60 EUR."""
    campaign = gen_campaign(session)
    reached_at = campaign.starts_at + timedelta(hours=1)
    bought = {holdout.OFFER: [{"EUR": 120}, {"VND": 2_500_000}, {"EUR": 80, "VND": 1_500_000}, {}],
              holdout.HOLDOUT: [{"EUR": 60}, {}, {}, {}]}
    values = {holdout.OFFER: [("EUR", 900), ("VND", 30_000_000), ("EUR", 500), ("VND", 10_000_000)]}
    for group, customers in bought.items():
        for n, orders in enumerate(customers):
            customer = User(email=f"{group}{n}@example.com", name=f"{group} {n}", password_hash="-")
            session.add(customer)
            session.flush()
            session.add(OfferEvent(campaign_id=campaign.id, customer_id=customer.id, group=group,
                                   kind="shown" if group == holdout.OFFER else "held_out",
                                   detail={"items": []}, at=reached_at))
            for currency, total in orders.items():
                session.add(Order(number=f"{group[0]}{n}{currency}", owner_id=customer.id,
                                  catalog_version_id=bike.id, snapshot={}, total=Decimal(total),
                                  currency=currency, created_at=reached_at + timedelta(days=1)))
            if group in values:  # the offer group's value: two unsubscribe, one of each currency
                currency, value = values[group][n]
                session.add(CustomerValue(customer_id=customer.id, currency=currency,
                                          revenue=Decimal(0), lifetime_value=Decimal(value)))
                if n >= 2:
                    session.add(OfferEvent(campaign_id=campaign.id, customer_id=customer.id,
                                           group=group, kind="unsubscribed", at=reached_at))
    session.commit()
    seen = report.build(session, campaign.id, now=campaign.starts_at + timedelta(days=10))
    assert (seen.offer.customers, seen.offer.converted) == (4, 3)
    assert (seen.holdout.customers, seen.holdout.converted) == (4, 1)
    assert seen.conversion.estimate == Decimal("0.5")  # 75 % against 25 %, pooled
    assert [section.currency for section in seen.sections] == ["EUR", "VND"]  # the shop's own first
    eur, vnd = seen.sections
    assert (eur.offer.customers, eur.offer.converted, eur.offer.revenue) == (4, 2, Decimal(200))
    assert (eur.holdout.converted, eur.holdout.revenue) == (1, Decimal(60))
    assert eur.uplift.revenue_per_customer.estimate == Decimal(35)  # 50 - 15 EUR a customer
    assert (vnd.offer.customers, vnd.offer.converted, vnd.offer.revenue) == (4, 2, Decimal(4_000_000))
    assert (vnd.holdout.converted, vnd.holdout.revenue) == (0, Decimal(0))
    assert vnd.uplift.revenue_per_customer.estimate == Decimal(1_000_000)
    gone = seen.unsubscribes
    assert (gone.count, gone.share) == (2, Decimal(50))
    assert [(v.currency, v.lifetime_value, v.mean_lifetime_value, v.mean_lifetime_value_stayed)
            for v in gone.values] == [("EUR", Decimal(500), Decimal(500), Decimal(900)),
                                      ("VND", Decimal(10_000_000), Decimal(10_000_000),
                                       Decimal(30_000_000))]


def test_the_seeded_demo_campaign_reports_what_a_recount_of_the_seeded_orders_gives(
    session, second_session
):
    """`configurator seed` plays the finished campaign autumn-26 back over the seeded
    history; its report must equal a recount by hand: every customer with an order
    before its start is reached, grouped by the hash, and counts their orders from
    then until its end."""
    from pathlib import Path

    from configurator.services.demo.seed import seed

    root = Path(__file__).parents[2]
    now = utcnow()
    seeded = seed(session, root / "catalog", root / "seed", now=now)
    assert seeded.campaigns == ["autumn-26", "spring-27"]
    with second_session() as other:
        autumn = next(c for c in campaigns.listing(other) if c.code == "autumn-26")
        reached_at = autumn.starts_at + timedelta(hours=1)
        # group -> currency -> each reached customer's revenue in it
        expected = {holdout.OFFER: defaultdict(list), holdout.HOLDOUT: defaultdict(list)}
        reached = {holdout.OFFER: [], holdout.HOLDOUT: []}  # whether each one bought
        currencies = set(other.scalars(sa.select(Order.currency).distinct()))
        for customer in other.scalars(sa.select(User).where(User.role == "customer")):
            placed = other.scalars(sa.select(Order).where(Order.owner_id == customer.id)).all()
            if not any(o.created_at < reached_at for o in placed):
                continue
            counted = [o for o in placed
                       if reached_at <= o.created_at < autumn.ends_at and o.status != "cancelled"]
            group = holdout.group("autumn-26", customer.id, Decimal("0.3"))
            reached[group].append(any(o.total > 0 for o in counted))
            for currency in currencies:  # the demo's customers in VND and IRR are reached too
                expected[group][currency].append(
                    sum((o.total for o in counted if o.currency == currency), Decimal(0)))
        seen = report.build(other, autumn.id, now=now)
        for side, bought in ((seen.offer, reached[holdout.OFFER]),
                             (seen.holdout, reached[holdout.HOLDOUT])):
            assert (side.customers, side.converted) == (len(bought), sum(bought))
        assert {s.currency for s in seen.sections} == {
            currency for currency in currencies
            if any(any(expected[group][currency]) for group in expected)}
        assert "EUR" in {s.currency for s in seen.sections}
        for section in seen.sections:
            for side, revenues in ((section.offer, expected[holdout.OFFER][section.currency]),
                                   (section.holdout, expected[holdout.HOLDOUT][section.currency])):
                assert side.customers == len(revenues)
                assert side.converted == sum(1 for r in revenues if r > 0)
                assert side.revenue == sum(revenues, Decimal(0))
        assert seen.offer.customers > 0 and seen.holdout.customers > 0 and seen.small
        demo_groups_are_as_documented(other, root / "docs" / "one-to-one.md", seen)
    again = seed(session, root / "catalog", root / "seed", now=now)
    assert again.campaigns == []  # idempotent


def demo_groups_are_as_documented(other, doc, autumn) -> None:
    """docs/one-to-one.md names the demo's groups: autumn-26's sizes, and who meets
    spring-27 (it named anna@example.com, who is in its holdout and sees nothing)."""
    text = " ".join(doc.read_text().split())
    sizes = re.search(r"on the demo: (\d+) customers shown, (\d+) held out", text)
    assert (autumn.offer.customers, autumn.holdout.customers) == tuple(map(int, sizes.groups()))
    said = re.search(r"reaches customers when they open the shop \((.*?)\)\.", text).group(1)
    shown, held_out = said.split(";")
    for part, group in ((shown, holdout.OFFER), (held_out, holdout.HOLDOUT)):
        for email in re.findall(r"`([^`]+@[^`]+)`", part):
            customer = other.scalar(sa.select(User).where(User.email == email))
            assert holdout.group("spring-27", customer.id, Decimal("0.2")) == group, email


def test_a_merge_moves_offer_events_and_its_undo_moves_them_back(session, second_session, bike):
    from configurator.services.identify import merging

    campaign = gen_campaign(session)
    shown = gen_customer_in(session, campaign, holdout.OFFER)
    campaigns.reach(session, shown)
    kept = gen_user(session)
    staff = session.scalar(sa.select(User).where(User.role == "staff"))
    assert merging.preview(session, staff, kept.id, shown.id).offer_events == 1
    record = merging.merge(session, staff, kept.id, shown.id)
    with second_session() as other:
        assert kinds(other, kept.id) == ["shown"] and kinds(other, shown.id) == []
    merging.undo(session, staff, record.id)
    with second_session() as other:
        assert kinds(other, shown.id) == ["shown"] and kinds(other, kept.id) == []
