"""Demo offer campaigns for `configurator seed` (from `seed/offers.yaml`).

A campaign that started `started_days_ago` days before the seed and has
already ended is played back over the seeded history: every demo customer it
could reach is reached at its start (offer group or holdout by the same hash
as in the shop), so its report on the staff pages has real groups whose
conversion and revenue come from the seeded orders. A campaign still running
reaches customers only when they open the shop, as it would in production.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.services.offers import campaigns
from configurator.store.models import SELLER_ROLES, User
from configurator.store.offers import OfferCampaign


def seed_demo(session: Session, entries: list[dict[str, Any]], *, now: datetime) -> list[str]:
    """Create the campaigns not there yet (within the seed's unit of work); their codes."""
    staff = session.scalar(
        sa.select(User).where(User.role.in_(SELLER_ROLES)).order_by(User.id).limit(1))
    if staff is None:
        return []
    created = []
    for entry in entries:
        code = str(entry["code"])
        if session.scalar(sa.select(OfferCampaign.id).where(OfferCampaign.code == code)):
            continue
        start = now - timedelta(days=int(entry.get("started_days_ago", 0)))
        campaign = campaigns.create(session, staff, campaigns.CampaignInput(
            code=code, name=str(entry["name"]), reward_kind=str(entry.get("reward_kind", "discount")),
            percent=str(entry.get("percent", "")), addon=str(entry.get("addon", "")),
            holdout_percent=str(entry.get("holdout_percent", 20)), days=str(entry.get("days", 30)),
        ), now=start)
        if campaign.ends_at <= now:
            reached_at = start + timedelta(hours=1)
            for customer in session.scalars(
                sa.select(User).where(User.role == "customer").order_by(User.id)
            ):
                campaigns.reach(session, customer, now=reached_at)
        created.append(code)
    return created
