"""The customer's timeline: every interaction, with time and channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import Phrase, phrase_from_json, phrase_to_json
from configurator.services import paging
from configurator.services.errors import NotFound
from configurator.services.paging import Page
from configurator.services.unit_of_work import use_case
from configurator.store.models import Interaction, User
from configurator.store.types import utcnow

KINDS = {
    "signed_up": "Created an account",
    "viewed": "Viewed a product line",
    "saved": "Saved a configuration",
    "changed": "Changed a configuration",
    "renamed": "Renamed a configuration",
    "ordered": "Placed an order",
    "reordered": "Reordered",
    "order_status": "Order status",
    "delivery_sent": "A delivery was shipped",
    "quoted": "Received a quote",
    "message_sent": "We e-mailed you",
    "message_opened": "Opened our e-mail",
    "message_clicked": "Followed the link in our e-mail",
    "consent_changed": "Changed what we may do with your data",
    "data_exported": "Downloaded all your data",
    "erased": "Personal data erased",
    "merged": "Another customer record of yours was merged into this one",
    "merged_away": "This customer record was merged into another",
    "merge_undone": "A merge of customer records was undone",
    "phone_changed": "Changed the phone number",
    "offer_shown": "We showed you an offer",
    "offer_clicked": "Opened an offer",
    "offer_accepted": "Ordered with an offer",
    "offer_unsubscribed": "Asked for no more offers",
}
VIEW_QUIET_PERIOD = timedelta(minutes=30)
SUBJECT_PHRASE = "subject_phrase"  # the detail key of a subject recorded as a Phrase


def record(
    session: Session,
    customer_id: int,
    kind: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    *,
    channel: str = "web",
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Interaction:
    """Add an interaction, within the caller's use case. A `Phrase` subject is stored in
    English and, in `detail["subject_phrase"]`, as a phrase the pages write in the
    reader's language (`subject_of`)."""
    detail = dict(detail or {})
    if isinstance(subject, Phrase):
        kept = phrase_to_json(subject)
        if kept is not None:
            detail[SUBJECT_PHRASE] = kept
    interaction = Interaction(
        customer_id=customer_id,
        actor_id=actor_id,
        kind=kind,
        channel=channel,
        subject=subject[:200],
        detail=detail,
        created_at=now or utcnow(),
    )
    session.add(interaction)
    return interaction


def subject_of(interaction: Interaction) -> str:
    """The entry's subject: the `Phrase` it was recorded with when there is one (for the
    reader's language), else the stored text."""
    kept = (interaction.detail or {}).get(SUBJECT_PHRASE)
    if isinstance(kept, dict) and "template" in kept:
        return phrase_from_json(kept)
    return interaction.subject


@use_case
def record_view(
    session: Session,
    customer: User,
    catalog_id: str,
    catalog_name: str,
    now: datetime | None = None,
) -> Interaction | None:
    """Note that a customer opened a product line, at most once per half hour."""
    now = now or utcnow()
    recent = session.scalar(
        sa.select(Interaction.id)
        .where(
            Interaction.customer_id == customer.id,
            Interaction.kind == "viewed",
            Interaction.subject == catalog_name,
            Interaction.created_at > now - VIEW_QUIET_PERIOD,
        )
        .limit(1)
    )
    if recent is not None:
        return None
    interaction = record(
        session, customer.id, "viewed", catalog_name, {"catalog_id": catalog_id}, now=now
    )
    return interaction


def for_customer(
    session: Session,
    viewer: User,
    customer_id: int,
    *,
    limit: int = 50,
    before_id: int | None = None,
) -> list[Interaction]:
    """The newest interactions of a customer, for that customer or staff."""
    if viewer.id != customer_id and not viewer.is_staff:
        raise NotFound("There is no such timeline.")
    query = (
        sa.select(Interaction)
        .where(Interaction.customer_id == customer_id)
        .order_by(Interaction.created_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(Interaction.id < before_id)
    return list(session.scalars(query))


def page_for(
    session: Session,
    viewer: User,
    customer_id: int,
    *,
    cursor: str | None = None,
    size: int | None = None,
) -> Page[Interaction]:
    """One page of a customer's timeline, newest first, for that customer or staff."""
    if viewer.id != customer_id and not viewer.is_staff:
        raise NotFound("There is no such timeline.")
    query = sa.select(Interaction).where(Interaction.customer_id == customer_id)
    return paging.keyset_page(
        session,
        query,
        (Interaction.created_at, Interaction.id),
        lambda event: (event.created_at, event.id),
        cursor,
        size,
    )


@dataclass(frozen=True)
class TimelineEntry:
    """A line of the timeline: an event, and how many like it in a row it stands for."""

    event: Interaction
    count: int = 1

    @property
    def shows_subject(self) -> bool:
        """Whether the subject says more than the label ("Created an account" twice does not)."""
        return bool(self.event.subject) and self.event.subject != describe(self.event.kind)


def grouped(events: list[Interaction]) -> list[TimelineEntry]:
    """Events in order, with views of the same product line in a row shown once,
    counted: browsing is worth a line, not a screenful."""
    entries: list[TimelineEntry] = []
    for event in events:
        last = entries[-1] if entries else None
        if (
            last is not None
            and event.kind == "viewed"
            and last.event.kind == "viewed"
            and last.event.subject == event.subject
        ):
            entries[-1] = TimelineEntry(last.event, last.count + 1)
        else:
            entries.append(TimelineEntry(event))
    return entries


def describe(kind: str) -> str:
    """A readable label for an interaction kind."""
    return KINDS.get(kind, kind.replace("_", " ").capitalize())
