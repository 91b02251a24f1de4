"""Offers by e-mail: every running campaign's offer, once, to each customer of
its offer group who allows marketing messages, within the weekly limit the
trigger messages share (`triggers.run.sent_this_week` counts offers too).

Reaching a customer by e-mail is the same as on the pages (`campaigns.reach_campaign`):
the first reach writes `shown` or `held_out`, so the holdout gets no e-mail and
the report compares both groups as before. A customer who refused marketing
messages is not reached by e-mail at all (the pages still reach them when they
allow personalization); over the weekly limit, they are proposed again on a
later run while the campaign runs (the message's dedupe key was never written).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_, Day
from configurator.services.messages import outbox
from configurator.services.offers import campaigns
from configurator.services.privacy import consent
from configurator.services.triggers.run import OFFER_KIND, sent_this_week
from configurator.services.unit_of_work import use_case
from configurator.store.messages import Message
from configurator.store.models import Order, User
from configurator.store.offers import OfferCampaign
from configurator.store.types import utcnow

JOB = "offers.mail"


@use_case
def mail_offers(session: Session, *, weekly_limit: int, now: datetime | None = None) -> Counter:
    """E-mail the running campaigns' offers due at `now`; counts by outcome
    (written, sent_before, no_consent, over_limit, no_offer)."""
    now = now or utcnow()
    outcomes: Counter = Counter()
    running = campaigns.running_all(session, now)
    if not running:
        return outcomes
    for customer in _customers_with_orders(session):
        for campaign in running:
            outcomes[_mail_one(session, campaign, customer, weekly_limit, now)] += 1
    return outcomes


def dedupe_key(campaign: OfferCampaign, customer: User) -> str:
    """One e-mail per campaign and customer, ever."""
    return f"offer:{campaign.code}:{customer.id}"


def _mail_one(session: Session, campaign: OfferCampaign, customer: User, weekly_limit: int,
              now: datetime) -> str:
    key = dedupe_key(campaign, customer)
    if session.scalar(sa.select(Message.id).where(Message.dedupe_key == key)) is not None:
        return "sent_before"
    if not consent.allows(session, customer, "marketing"):
        return "no_consent"
    if sent_this_week(session, customer.id, now) >= weekly_limit:
        return "over_limit"
    offer = campaigns.reach_campaign(session, customer, campaign, now)
    if offer is None:
        return "no_offer"  # held out, nothing to offer, or no consent to personalization
    written = outbox.enqueue(session, _draft(offer, customer), recipient=customer,
                             dedupe_key=key, now=now)
    return "written" if written is not None else "no_consent"


def _draft(offer: campaigns.Offer, customer: User) -> outbox.Draft:
    names = [item.name for item in offer.items]  # listed as the recipient's language lists them
    return outbox.Draft(
        kind=OFFER_KIND,
        purpose="marketing",
        subject=N_("An offer for you: %(name)s", name=offer.campaign.name),
        body=N_(
            "Hello %(name)s,\n\n%(reward)s on your next order with one of these: %(items)s. "
            "Chosen from your own orders; valid until %(until)s.\n\n"
            "You no longer want offers? Change it on your privacy page.",
            name=customer.name, reward=offer.reward_text, items=names,
            until=Day(offer.campaign.ends_at.date()),  # per the reader's calendar
        ),
        reason=N_("You allowed us to send you offers, and you have ordered from us before."),
        # The shop records the click and opens the first item with its option picked.
        action_url=f"/shop/offers/{offer.campaign.id}/open/0",
        action_label=N_("See my offer"),
    )


def _customers_with_orders(session: Session) -> list[User]:
    return list(session.scalars(
        sa.select(User)
        .where(User.role == "customer", User.erased_at.is_(None),
               User.id.in_(sa.select(Order.owner_id)))
        .order_by(User.id)
    ))
