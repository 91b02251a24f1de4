"""The customer's timeline: every interaction, with time and channel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_, Phrase, phrase_from_json, phrase_to_json
from configurator.services import paging
from configurator.services.errors import NotFound
from configurator.services.paging import Page
from configurator.services.unit_of_work import use_case
from configurator.store.models import Interaction, User
from configurator.store.types import utcnow

# Each kind of entry as the timeline labels it (phrases: written in the reader's language).
KINDS = {
    "signed_up": N_("Created an account"),
    "viewed": N_("Viewed a product line"),
    "saved": N_("Saved a configuration"),
    "changed": N_("Changed a configuration"),
    "renamed": N_("Renamed a configuration"),
    "ordered": N_("Placed an order"),
    "reordered": N_("Reordered"),
    "order_status": N_("Order status"),
    "delivery_sent": N_("A delivery was shipped"),
    "quoted": N_("Received a quote"),
    "message_sent": N_("We e-mailed you"),
    "message_opened": N_("Opened our e-mail"),
    "message_clicked": N_("Followed the link in our e-mail"),
    "consent_changed": N_("Changed what we may do with your data"),
    "data_exported": N_("Downloaded all your data"),
    "erased": N_("Personal data erased"),
    "merged": N_("Another customer record of yours was merged into this one"),
    "merged_away": N_("This customer record was merged into another"),
    "merge_undone": N_("A merge of customer records was undone"),
    "phone_changed": N_("Changed the phone number"),
    "offer_shown": N_("We showed you an offer"),
    "offer_clicked": N_("Opened an offer"),
    "offer_accepted": N_("Ordered with an offer"),
    "offer_unsubscribed": N_("Asked for no more offers"),
    "password_changed": N_("Changed the password"),
    "password_reset": N_("Reset the password by e-mail"),
    "invitation_accepted": N_("Chose a password from the invitation"),
    "email_verified": N_("Confirmed the e-mail address"),
    "guest_order_claimed": N_("A guest order was added to your account"),
    "tier_changed": N_("Your customer tier changed"),
}
# The same kinds as staff read them about a customer: in the third person (the labels
# above speak to the customer, "We e-mailed you", and Persian conjugates every verb for
# "you"). A kind that names no one (an order's status) keeps its label.
STAFF_KINDS = {
    "signed_up": N_("The customer created an account"),
    "viewed": N_("The customer viewed a product line"),
    "saved": N_("The customer saved a configuration"),
    "changed": N_("The customer changed a configuration"),
    "renamed": N_("The customer renamed a configuration"),
    "ordered": N_("The customer placed an order"),
    "reordered": N_("The customer reordered"),
    "quoted": N_("The customer received a quote"),
    "message_sent": N_("We e-mailed the customer"),
    "message_opened": N_("The customer opened our e-mail"),
    "message_clicked": N_("The customer followed the link in our e-mail"),
    "consent_changed": N_("The customer changed what we may do with their data"),
    "data_exported": N_("The customer downloaded all their data"),
    "merged": N_("Another record of this customer was merged into this one"),
    "phone_changed": N_("The customer changed the phone number"),
    "offer_shown": N_("We showed the customer an offer"),
    "offer_clicked": N_("The customer opened an offer"),
    "offer_accepted": N_("The customer ordered with an offer"),
    "offer_unsubscribed": N_("The customer asked for no more offers"),
    "password_changed": N_("The customer changed the password"),
    "password_reset": N_("The customer reset the password by e-mail"),
    "invitation_accepted": N_("The customer chose a password from the invitation"),
    "email_verified": N_("The customer confirmed the e-mail address"),
    "guest_order_claimed": N_("A guest order was added to the customer's account"),
    "tier_changed": N_("The customer's tier changed"),
}
VIEW_QUIET_PERIOD = timedelta(minutes=30)
SUBJECT_PHRASE = "subject_phrase"  # the detail key of a subject recorded as a Phrase

# Entries recorded before their subjects were phrases keep only the English text.
# Per kind, the sentences they were written with: a stored subject that reads as one
# of them is shown as that phrase, so old entries follow the reader's language too.
LEGACY_SUBJECTS: dict[str, tuple[Phrase, ...]] = {
    "signed_up": (N_("Created an account"),),
    "phone_changed": (N_("Changed the phone number"), N_("Removed the phone number")),
    "password_changed": (N_("Changed the password"),),
    "password_reset": (N_("Reset the password by e-mail"),),
    "invitation_accepted": (N_("Chose a password from the invitation"),),
    "email_verified": (N_("Confirmed the e-mail address"),),
    "erased": (N_("Personal data erased"),),
    "data_exported": (N_("Downloaded all my data"),),
    "consent_changed": (N_("Allowed: %(purpose)s"), N_("Refused: %(purpose)s")),
    "saved": (N_("%(name)s (%(line)s)"),),
    "changed": (N_("%(name)s, revision %(number)s"),),
    "renamed": (N_("%(old)s \u2192 %(new)s"),),
    "ordered": (N_("Order %(number)s: %(title)s"),),
    "reordered": (N_("Order %(number)s, again from %(previous)s"),),
    "order_status": (N_("Order %(number)s: %(status)s"),),
    "delivery_sent": (N_("Order %(order)s: delivery %(delivery)s shipped"),),
    "quoted": (N_("Quote %(number)s"),),
    "offer_clicked": (N_("Opened the offer: %(name)s"),),
    "offer_unsubscribed": (N_("No more offers (%(name)s)"),),
    "offer_shown": (N_("Offer shown: %(name)s (%(reward)s)"),),
    "offer_accepted": (N_("Accepted the offer: %(reason)s on order %(number)s"),),
    "tier_changed": (N_("Tier: %(old)s \u2192 %(new)s"),),
}
# Values that were themselves words of ours (a consent purpose's label, a status word):
# looked up in the catalogs too. Any other value (a name, a number) stays as stored.
LEGACY_WORDS = frozenset({"purpose", "status"})
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


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
    reader's language), else the phrase an older entry's English reads as, else the stored text."""
    kept = (interaction.detail or {}).get(SUBJECT_PHRASE)
    if isinstance(kept, dict) and "template" in kept:
        return phrase_from_json(kept)
    return legacy_phrase(interaction.kind, interaction.subject) or interaction.subject


def legacy_phrase(kind: str, subject: str) -> Phrase | None:
    """The phrase a subject stored in English only was written with, or None."""
    for phrase in LEGACY_SUBJECTS.get(kind, ()):
        found = _pattern(phrase.template).match(subject)
        if found:
            values = {name: _legacy_value(name, value) for name, value in found.groupdict().items()}
            return Phrase(phrase.template, values)
    return None


def _pattern(template: str) -> re.Pattern[str]:
    """`Order %(number)s: %(status)s` as a regular expression with a group per value."""
    parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, ..., literal
    pattern = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+)"
                      for index, part in enumerate(parts))
    return re.compile(pattern + r"\Z", re.S)


def _legacy_value(name: str, value: str) -> Any:
    if name in LEGACY_WORDS:
        return Phrase(value)  # translated where the catalogs have it, else as stored
    return int(value) if value.isdigit() and len(value) < 10 else value


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
    """A readable label for an interaction kind, as the customer reads it on their timeline."""
    return KINDS.get(kind, kind.replace("_", " ").capitalize())


def describe_for_staff(kind: str) -> str:
    """The label of an interaction kind as staff read it about a customer (third person)."""
    return STAFF_KINDS.get(kind) or describe(kind)
