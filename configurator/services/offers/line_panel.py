"""The configurator's offer panel, following the picks: for each offer already made
to the customer that concerns this product line, which of its items the picks
contain and, when its reward is the one an order of these picks would get
(the largest, as `campaigns.reward_for` chooses it), that reward priced by the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from configurator.engine import Catalog, SelectionError, rewards
from configurator.engine.rewards import RewardedPrice
from configurator.services.offers import campaigns
from configurator.store.models import User


@dataclass(frozen=True)
class LineOffer:
    """One offer as the panel shows it for the current picks."""

    offer: campaigns.Offer
    picked: frozenset[int]  # the indexes of its items the picks contain
    applied: RewardedPrice | None  # its reward on the picks, when the order would get it


def line_offers(
    session: Session, customer: User | None, catalog_id: str, catalog: Catalog, selection: dict,
    *, now: datetime | None = None,
) -> list[LineOffer]:
    """The panel for these picks (nobody is reached anew: see `campaigns.offers_shown`)."""
    offers = campaigns.for_line(campaigns.offers_shown(session, customer, now=now), catalog_id)
    if not offers:
        return []
    # The offers shown are exactly the rewards `campaigns.reward_for` weighs for this
    # line (a customer who may be shown offers has not unsubscribed), so the reward
    # is chosen from them as the checkout chooses it, without asking the database again.
    candidates = [reward for reward in (campaigns.offer_reward(offer, catalog_id, selection)
                                        for offer in offers) if reward is not None]
    try:
        priced = rewards.best(catalog.price(selection), candidates) if candidates else None
    except (SelectionError, KeyError, TypeError, ValueError):
        priced = None  # picks the engine cannot price yet: the configurator says why
    shown = []
    for offer in offers:
        picked = frozenset(index for index, item in enumerate(offer.items)
                           if item.catalog == catalog_id and item.option is not None
                           and item.matches(catalog_id, selection))
        applied = priced if priced is not None and priced.reward.campaign == offer.campaign.code else None
        shown.append(LineOffer(offer, picked, applied))
    return shown
