"""Offer campaigns: staff create them; customers are reached, shown their offer
(or held out), click, accept with an order, or unsubscribe; each on the timeline.

Several campaigns may run at once; a customer meets each of them. Reaching a customer
who consented to personalization, has orders and has not unsubscribed puts
them, by the stable hash of `holdout`, in the offer group (they see the offer:
`shown`) or the holdout (they see nothing: `held_out`). Both are written once,
with the items chosen for the customer, so the report compares like with like:
customers reached at the same moment, one half shown the offer. Each campaign
has its own holdout (the hash is seeded with its code). An order gets the
reward of the campaign whose offer takes the most off it (the newest on a tie).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.engine import Catalog, rewards
from configurator.engine.rewards import MAX_PERCENT, Reward
from configurator.quoting.phrases import N_
from configurator.services import catalogs, checkout, orders, timeline
from configurator.services.errors import NotFound, ServiceError
from configurator.services.offers import holdout
from configurator.services.offers.choice import OfferItem, choose
from configurator.services.privacy import consent
from configurator.services.unit_of_work import use_case
from configurator.store.models import Configuration, Order, User
from configurator.store.offers import OfferCampaign, OfferEvent
from configurator.store.types import utcnow

CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
MAX_HOLDOUT = Decimal(50)
MAX_DAYS = 366


class CampaignRefused(ServiceError, ValueError):
    """A campaign that cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class CampaignInput:
    """A new campaign as staff typed it (text from the form)."""

    code: str
    name: str
    reward_kind: str  # discount | free_addon
    percent: str = ""
    addon: str = ""  # "catalog:feature:option"
    holdout_percent: str = "20"
    days: str = "30"


@dataclass(frozen=True)
class Offer:
    """What one customer of the offer group sees: the items and the reward."""

    campaign: OfferCampaign
    items: list[OfferItem]
    addon_name: str | None = None  # a free add-on's name, "Bell"

    @property
    def percent(self) -> str | None:
        """A discount's percentage as people write it ("10", "12.5")."""
        percent = self.campaign.percent
        return None if percent is None else f"{percent.normalize():f}"

    @property
    def reward_text(self) -> str:
        """The reward in words: "10 % off" or "Bell free"."""
        if self.percent:
            return N_("%(percent)s %% off", percent=self.percent)
        return N_("%(addon)s free", addon=self.addon_name)


def addon_name(session: Session, campaign: OfferCampaign) -> str | None:
    """The free add-on's name in today's catalog (its id when it is gone)."""
    if campaign.reward_kind != "free_addon":
        return None
    try:
        model = catalogs.engine_catalog(catalogs.current(session, campaign.addon_catalog)).model
    except NotFound:
        return campaign.addon_option
    feature = model.feature(campaign.addon_feature)
    option = feature.option(campaign.addon_option) if feature is not None else None
    return campaign.addon_option if option is None else option.name


def describe(session: Session, campaign: OfferCampaign) -> str:
    """The reward in words: "10 % off" or "Bell free"."""
    return Offer(campaign, [], addon_name(session, campaign)).reward_text


def reward_of(campaign: OfferCampaign) -> Reward:
    """The campaign's reward for the engine's pricing."""
    if campaign.reward_kind == "discount":
        return Reward(campaign.code, campaign.name, percent=campaign.percent)
    return Reward(campaign.code, campaign.name, free=(campaign.addon_feature, campaign.addon_option))


# ------------------------------------------------------------------ staff
@use_case
def create(
    session: Session, staff: User, given: CampaignInput, *, now: datetime | None = None
) -> OfferCampaign:
    """A campaign starting now; CampaignRefused, in words, for a bad field."""
    now = now or utcnow()
    code = given.code.strip().lower()
    if not CODE.fullmatch(code):
        raise CampaignRefused("The code is 2 to 40 small letters, digits or dashes, like spring-27.")
    if session.scalar(sa.select(OfferCampaign.id).where(OfferCampaign.code == code)) is not None:
        raise CampaignRefused(f"There is already a campaign “{code}”.")
    name = " ".join(given.name.split())
    if not name or len(name) > 120:
        raise CampaignRefused("Please give the campaign a name (at most 120 characters).")
    holdout_percent = _number(given.holdout_percent, "The holdout", Decimal(5), MAX_HOLDOUT)
    days = _number(given.days, "The duration in days", Decimal(1), Decimal(MAX_DAYS))
    campaign = OfferCampaign(
        code=code, name=name, reward_kind=given.reward_kind, holdout_percent=holdout_percent,
        starts_at=now, ends_at=now + timedelta(days=int(days)), created_by_id=staff.id, created_at=now,
    )
    if given.reward_kind == "discount":
        campaign.percent = _number(given.percent, "The discount", Decimal("0.01"), MAX_PERCENT)
    elif given.reward_kind == "free_addon":
        campaign.addon_catalog, campaign.addon_feature, campaign.addon_option = _addon(
            session, given.addon)
    else:
        raise CampaignRefused("The reward is a discount or a free add-on.")
    session.add(campaign)
    session.flush()
    return campaign


def listing(session: Session) -> list[OfferCampaign]:
    """Every campaign, newest first."""
    return list(session.scalars(
        sa.select(OfferCampaign).order_by(OfferCampaign.starts_at.desc(), OfferCampaign.id.desc())))


def get(session: Session, campaign_id: int) -> OfferCampaign:
    """One campaign; NotFound for an unknown id."""
    campaign = session.get(OfferCampaign, campaign_id) if 0 < campaign_id < 2**31 else None
    if campaign is None:
        raise NotFound("There is no such campaign.")
    return campaign


def running(session: Session, now: datetime) -> OfferCampaign | None:
    """The newest campaign running at `now`."""
    found = running_all(session, now)
    return found[0] if found else None


def running_all(session: Session, now: datetime) -> list[OfferCampaign]:
    """Every campaign running at `now`, newest first: a customer may be in several."""
    return list(session.scalars(
        sa.select(OfferCampaign)
        .where(OfferCampaign.starts_at <= now, OfferCampaign.ends_at > now)
        .order_by(OfferCampaign.starts_at.desc(), OfferCampaign.id.desc())
    ))


# ------------------------------------------------------------------ customers
@use_case
def reach(session: Session, customer: User | None, *, now: datetime | None = None) -> Offer | None:
    """The newest running campaign's offer to show this customer now, or None
    (see `reach_all`, which reaches them with every running campaign)."""
    offers = reach_all(session, customer, now=now)
    return offers[0] if offers else None


@use_case
def reach_all(session: Session, customer: User | None, *, now: datetime | None = None) -> list[Offer]:
    """The offers to show this customer now, one per running campaign whose offer
    group they are in, newest campaign first. Each campaign puts them in its
    offer group or its holdout by its own stable hash (`holdout.group`), so being
    in one campaign's holdout says nothing about another's.
    """
    now = now or utcnow()
    if not _reachable(session, customer):
        return []
    offers = (reach_campaign(session, customer, campaign, now) for campaign in running_all(session, now))
    return [offer for offer in offers if offer is not None]


def reach_campaign(
    session: Session, customer: User, campaign: OfferCampaign, now: datetime
) -> Offer | None:
    """Within the caller's use case: `campaign`'s offer to this customer, or None
    (held out, no items for them, or not reachable: see `reach_all`).

    The first time the campaign reaches the customer, their group and items are
    written (`shown` or `held_out`), and a `shown` goes on the timeline.
    """
    if not _reachable(session, customer):
        return None
    first = _reached(session, campaign.id, customer.id)
    if first is None:
        items = choose(session, customer, now)
        if not items:
            return None
        group = holdout.group(campaign.code, customer.id, campaign.holdout_percent / 100)
        first = _event(session, campaign, customer.id, "shown" if group == holdout.OFFER else "held_out",
                       group, now, detail={"items": [item.to_json() for item in items]})
        if group == holdout.OFFER:
            timeline.record(session, customer.id, "offer_shown",
                            N_("Offer shown: %(name)s (%(reward)s)", name=campaign.name,
                               reward=describe(session, campaign)),
                            {"campaign": campaign.code}, now=now)
    if first.group != holdout.OFFER:
        return None
    return Offer(campaign, [OfferItem.from_json(item) for item in first.detail["items"]],
                 addon_name(session, campaign))


def offers_shown(session: Session, customer: User | None, *, now: datetime | None = None) -> list[Offer]:
    """The offers running campaigns already showed this customer (on the shop's
    front page or by e-mail), newest campaign first; reaches nobody anew."""
    now = now or utcnow()
    if not _reachable(session, customer):
        return []
    offers = []
    for campaign in running_all(session, now):
        first = _reached(session, campaign.id, customer.id)
        if first is not None and first.group == holdout.OFFER:
            offers.append(Offer(campaign, [OfferItem.from_json(item) for item in first.detail["items"]],
                                addon_name(session, campaign)))
    return offers


def for_line(offers: list[Offer], catalog_id: str) -> list[Offer]:
    """The offers that concern one product line: an item of it, or its free add-on."""
    return [offer for offer in offers
            if offer.campaign.addon_catalog == catalog_id
            or any(item.catalog == catalog_id for item in offer.items)]


@use_case
def click(
    session: Session, customer: User, campaign_id: int, *, now: datetime | None = None
) -> Offer:
    """The customer followed their offer: noted (and on the timeline); NotFound
    when this campaign never showed them an offer."""
    now = now or utcnow()
    campaign, first = _own_offer(session, customer, campaign_id)
    _event(session, campaign, customer.id, "clicked", first.group, now)
    timeline.record(session, customer.id, "offer_clicked", N_("Opened the offer: %(name)s", name=campaign.name),
                    {"campaign": campaign.code}, now=now)
    return Offer(campaign, [OfferItem.from_json(item) for item in first.detail["items"]],
                 addon_name(session, campaign))


@use_case
def unsubscribe(
    session: Session, customer: User, campaign_id: int, *, now: datetime | None = None
) -> None:
    """No more offers for this customer (and no marketing e-mail): noted once, on the timeline."""
    now = now or utcnow()
    campaign, first = _own_offer(session, customer, campaign_id)
    if _unsubscribed(session, customer.id):
        return
    _event(session, campaign, customer.id, "unsubscribed", first.group, now)
    timeline.record(session, customer.id, "offer_unsubscribed", N_("No more offers (%(name)s)", name=campaign.name),
                    {"campaign": campaign.code}, now=now)
    consent.change(session, customer, {"marketing": False}, now=now)


def reward_for(
    session: Session, customer: User, catalog_id: str, selection: dict, *,
    now: datetime | None = None, catalog: Catalog | None = None,
) -> Reward | None:
    """The reward this customer's order of `catalog_id` with these picks gets, if any:
    they were shown a running campaign's offer, have not unsubscribed, and the
    order contains an offered item (a discount) or is of the add-on's product line.

    In several campaigns at once, the reward that takes the most off these picks
    wins (`rewards.best`, priced by the engine on `catalog`, today's by default);
    on a tie the newest campaign's."""
    now = now or utcnow()
    if customer.role != "customer" or _unsubscribed(session, customer.id):
        return None
    candidates = [reward for reward in (
        _campaign_reward(session, campaign, customer, catalog_id, selection)
        for campaign in running_all(session, now)) if reward is not None]
    if not candidates:
        return None
    if catalog is None:
        catalog = catalogs.engine_catalog(catalogs.current(session, catalog_id))
    chosen = rewards.best(catalog.price(selection), candidates)
    return None if chosen is None else chosen.reward


def _campaign_reward(
    session: Session, campaign: OfferCampaign, customer: User, catalog_id: str, selection: dict
) -> Reward | None:
    first = _reached(session, campaign.id, customer.id)
    if first is None or first.group != holdout.OFFER:
        return None
    items = [OfferItem.from_json(item) for item in first.detail["items"]]
    return offer_reward(Offer(campaign, items), catalog_id, selection)


def offer_reward(offer: Offer, catalog_id: str, selection: dict) -> Reward | None:
    """The reward of an offer shown to the customer on an order of `catalog_id` with
    these picks: a discount when the order contains an offered item, a free add-on
    in an order of its product line; else None."""
    campaign = offer.campaign
    if campaign.reward_kind == "free_addon":
        return reward_of(campaign) if campaign.addon_catalog == catalog_id else None
    if any(item.matches(catalog_id, selection) for item in offer.items):
        return reward_of(campaign)
    return None


@use_case
def place_order(
    session: Session,
    owner: User,
    configuration_id: int,
    revision_number: int,
    *,
    now: datetime | None = None,
    **given,
) -> Order:
    """The checkout's order (see `checkout.place_order`), with the offer's reward
    when the customer has one for it; an order with a reward is `accepted`."""
    now = now or utcnow()
    reward = _reward_for_revision(session, owner, configuration_id, revision_number, now)
    order = checkout.place_order(
        session, owner, configuration_id, revision_number, now=now, reward=reward, **given)
    record_accepted(session, owner, order, now=now)
    return order


def record_accepted(session: Session, owner: User, order: Order, *, now: datetime | None = None) -> None:
    """Within the caller's use case: an order placed with an offer's reward (a single
    configuration's or the cart's) is `accepted`, once per order, and on the timeline."""
    offer = order.snapshot.get("offer")
    if offer is None or session.scalar(
            sa.select(OfferEvent.id).where(OfferEvent.order_id == order.id)) is not None:
        return
    now = now or utcnow()
    campaign = session.scalar(sa.select(OfferCampaign).where(OfferCampaign.code == offer["campaign"]))
    _event(session, campaign, owner.id, "accepted", holdout.OFFER, now,
           order_id=order.id, detail=offer)
    timeline.record(session, owner.id, "offer_accepted",
                    N_("Accepted the offer: %(reason)s on order %(number)s",
                       reason=orders.reward_reason(offer), number=order.number),
                    {"campaign": campaign.code, "order": order.number, "amount": offer["amount"]},
                    now=now)


def cart_offer(
    session: Session, owner: User, catalog: Catalog, configuration: Configuration,
    selection: dict, quantity: int, *, now: datetime | None = None,
) -> dict | None:
    """The reward one cart item would get ordered alone, under the same rules as the
    checkout of one configuration (`reward_for`: offer group, not unsubscribed, an
    offered item or the add-on's line), for all of its `quantity`, as an order keeps
    it (with the item's name). None when it gets none."""
    reward = reward_for(session, owner, configuration.catalog_id, selection, now=now, catalog=catalog)
    priced = orders.rewarded(catalog, selection, reward)
    if priced is None:
        return None
    amount = (priced.amount * quantity).quantize(Decimal("0.01"))
    return {**priced.to_json(), "amount": str(amount), "item": configuration.name}


def review(session: Session, owner: User, configuration_id: int, *, now: datetime | None = None):
    """The checkout's review (see `checkout.review`) with the offer's reward when it applies."""
    configuration, revision, _, catalog = orders.orderable(session, owner, configuration_id)
    reward = reward_for(session, owner, configuration.catalog_id, revision.selection, now=now,
                        catalog=catalog)
    return checkout.review(session, owner, configuration_id, reward)


# ------------------------------------------------------------------ helpers
def _reward_for_revision(
    session: Session, owner: User, configuration_id: int, revision_number: int, now: datetime
) -> Reward | None:
    try:
        configuration, revision, _, catalog = orders.orderable(
            session, owner, configuration_id, revision_number)
    except ServiceError:
        return None  # checkout.place_order says what is wrong
    return reward_for(session, owner, configuration.catalog_id, revision.selection, now=now,
                      catalog=catalog)


def _reachable(session: Session, customer: User | None) -> bool:
    """A customer (not a guest, staff or erased) who consented to personalization
    and did not unsubscribe from offers."""
    if customer is None or customer.role != "customer" or customer.erased_at is not None:
        return False
    return not _unsubscribed(session, customer.id) and consent.allows(
        session, customer, "personalization")


def _reached(session: Session, campaign_id: int, customer_id: int) -> OfferEvent | None:
    return session.scalar(
        sa.select(OfferEvent)
        .where(OfferEvent.campaign_id == campaign_id, OfferEvent.customer_id == customer_id,
               OfferEvent.kind.in_(("shown", "held_out")))
        .order_by(OfferEvent.id)
        .limit(1)
    )


def _unsubscribed(session: Session, customer_id: int) -> bool:
    return session.scalar(
        sa.select(OfferEvent.id).where(
            OfferEvent.customer_id == customer_id, OfferEvent.kind == "unsubscribed").limit(1)
    ) is not None


def _own_offer(session: Session, customer: User, campaign_id: int) -> tuple[OfferCampaign, OfferEvent]:
    campaign = get(session, campaign_id)
    first = _reached(session, campaign.id, customer.id)
    if first is None or first.group != holdout.OFFER:
        raise NotFound("There is no such offer.")
    return campaign, first


def _event(
    session: Session, campaign: OfferCampaign, customer_id: int, kind: str, group: str,
    now: datetime, *, order_id: int | None = None, detail: dict | None = None,
) -> OfferEvent:
    event = OfferEvent(campaign_id=campaign.id, customer_id=customer_id, kind=kind, group=group,
                       order_id=order_id, detail=detail or {}, at=now)
    session.add(event)
    session.flush()
    return event


def _number(text: str, what: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise CampaignRefused(f"{what} must be a number.") from None
    if not value.is_finite() or not low <= value <= high or value != value.quantize(Decimal("0.01")):
        raise CampaignRefused(f"{what} must be between {low} and {high}.")
    return value


def _addon(session: Session, text: str) -> tuple[str, str, str]:
    parts = [part.strip() for part in str(text).split(":")]
    if len(parts) != 3 or not all(parts):
        raise CampaignRefused("Name the free add-on as product line:feature:option.")
    catalog_id, feature_id, option_id = parts
    try:
        version = catalogs.current(session, catalog_id)
    except NotFound:
        raise CampaignRefused(f"There is no product line “{catalog_id}”.") from None
    feature = catalogs.engine_catalog(version).model.feature(feature_id)
    option = feature.option(option_id) if feature is not None else None
    if option is None or option.price <= 0:
        raise CampaignRefused(f"{catalog_id} has no priced option {feature_id}:{option_id}.")
    return catalog_id, feature_id, option_id
