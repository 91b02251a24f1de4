"""All of a customer's data as one JSON-ready document (the right of access).

Everything stored about the customer, in plain JSON values: money as decimal
strings (never floats), times as ISO 8601 in UTC. Secrets (password hash, API
token hashes, one-time links) are not data about the customer and stay out.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from configurator.quoting.phrases import N_
from configurator.services import timeline
from configurator.services.privacy import consent
from configurator.services.unit_of_work import use_case
from configurator.store.messages import Message
from configurator.store.models import Address, Configuration, Interaction, Order, Revision, User
from configurator.store.offers import OfferEvent
from configurator.store.quotes import AccountContact
from configurator.store.tokens import ApiToken
from configurator.store.types import utcnow
from configurator.store.value import CustomerValue

FORMAT = "configurator-customer-export/1"
SECRET_LEFT_OUT = "(a one-time link: not exported)"


@use_case
def export(session: Session, customer: User, *, now: datetime | None = None) -> dict[str, Any]:
    """The customer's data, and an entry on their timeline saying it was exported."""
    now = now or utcnow()
    document = {
        "format": FORMAT,
        "exported_at": now,
        "profile": _profile(customer),
        "consent": consent.choices(session, customer),
        "business_account": _business_account(session, customer),
        "value": _value(session, customer),
        "addresses": _addresses(session, customer),
        "configurations": _configurations(session, customer),
        "orders": _orders(session, customer),
        "messages": _messages(session, customer),
        "offers": _offers(session, customer),
        "timeline": _timeline(session, customer),
        "api_tokens": _api_tokens(session, customer),
    }
    timeline.record(session, customer.id, "data_exported", N_("Downloaded all my data"), now=now)
    return plain(document)


def plain(value: Any) -> Any:
    """The value with times as ISO strings and money as decimal strings, all the way down."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _profile(customer: User) -> dict[str, Any]:
    return {
        "id": customer.id,
        "email": customer.email,
        "email_verified_at": customer.email_verified_at,
        "name": customer.name,
        "phone": customer.phone,
        "segment": customer.segment,
        "country": customer.country,
        "tier": customer.tier,
        "created_at": customer.created_at,
        "erased_at": customer.erased_at,
    }


def _business_account(session: Session, customer: User) -> dict[str, Any] | None:
    contact = session.scalar(sa.select(AccountContact).where(AccountContact.user_id == customer.id))
    if contact is None:
        return None
    return {"name": contact.account.name, "contact_role": contact.contact_role}


def _value(session: Session, customer: User) -> dict[str, Any] | None:
    value = session.get(CustomerValue, customer.id)
    if value is None:
        return None
    return fields(value, "currency", "revenue", "margin", "order_count", "first_order_at",
                  "last_order_at", "recency_score", "frequency_score", "monetary_score",
                  "lifetime_value", "tier", "computed_at")


def _configurations(session: Session, customer: User) -> list[dict[str, Any]]:
    configurations = session.scalars(
        sa.select(Configuration).where(Configuration.owner_id == customer.id).order_by(Configuration.id)
    ).all()
    revisions: dict[int, list[dict[str, Any]]] = {}
    for revision in session.scalars(
        sa.select(Revision)
        .join(Configuration, Configuration.id == Revision.configuration_id)
        .where(Configuration.owner_id == customer.id)
        .order_by(Revision.configuration_id, Revision.number)
    ):
        revisions.setdefault(revision.configuration_id, []).append(
            fields(revision, "number", "selection", "price", "complete", "created_at")
        )
    return [
        fields(configuration, "id", "name", "catalog_id", "created_at", "updated_at",
               revisions=revisions.get(configuration.id, []))
        for configuration in configurations
    ]


def _addresses(session: Session, customer: User) -> list[dict[str, Any]]:
    query = sa.select(Address).where(Address.owner_id == customer.id).order_by(Address.id)
    return [
        fields(address, "name", "street", "postcode", "city", "country", "created_at")
        for address in session.scalars(query)
    ]


def _orders(session: Session, customer: User) -> list[dict[str, Any]]:
    query = sa.select(Order).where(Order.owner_id == customer.id).order_by(Order.created_at, Order.id)
    return [
        fields(order, "number", "status", "total", "currency", "created_at", "snapshot")
        for order in session.scalars(query)
    ]


def _messages(session: Session, customer: User) -> list[dict[str, Any]]:
    query = sa.select(Message).where(Message.recipient_id == customer.id).order_by(Message.id)
    return [
        fields(message, "kind", "purpose", "to_address", "subject", "reason", "status",
               "created_at", "sent_at", "read_at", "opened_at", "clicked_at",
               # A one-time link still waiting to be e-mailed is a secret, not data.
               body=SECRET_LEFT_OUT if message.secret else message.body)
        for message in session.scalars(query)
    ]


def _offers(session: Session, customer: User) -> list[dict[str, Any]]:
    """Every offer event: the campaign, what happened, in which group, the items or reward."""
    query = sa.select(OfferEvent).where(OfferEvent.customer_id == customer.id).order_by(OfferEvent.id)
    return [
        fields(event, "kind", "group", "detail", "at", campaign=event.campaign.code)
        for event in session.scalars(query)
    ]


def _timeline(session: Session, customer: User) -> list[dict[str, Any]]:
    query = (
        sa.select(Interaction)
        .where(Interaction.customer_id == customer.id)
        .order_by(Interaction.created_at, Interaction.id)
    )
    return [
        fields(event, "kind", "channel", "subject", "detail", "created_at",
               what=timeline.describe(event.kind))
        for event in session.scalars(query)
    ]


def _api_tokens(session: Session, customer: User) -> list[dict[str, Any]]:
    query = sa.select(ApiToken).where(ApiToken.user_id == customer.id).order_by(ApiToken.id)
    return [
        fields(token, "name", "prefix", "created_at", "last_used_at", "revoked_at", "expires_at",
               scopes=token.scope_list)
        for token in session.scalars(query)
    ]


def fields(record: Any, *names: str, **computed: Any) -> dict[str, Any]:
    """The named attributes of a record, plus computed entries."""
    return {name: getattr(record, name) for name in names} | computed
