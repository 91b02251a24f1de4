"""The privacy use cases read back through a second session: a consent change,
the export (noted on the timeline) and erasure."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import users
from configurator.services.messages import outbox
from configurator.services.privacy import consent, erasure, export
from configurator.store.messages import Message
from configurator.store.models import Configuration, Interaction, Order, Revision, User
from tests.helpers import CARBON_BIKE, PASSWORD, STEEL_BIKE, gen_configuration, gen_order, gen_user
from tests.services.read_back import reads_back
from tests.services.test_privacy import OFFER


@pytest.fixture
def customer(session):
    return gen_user(session, "mia@example.com", name="Mia Muster")


@reads_back(consent.change)
def test_a_change_is_stored_and_each_changed_purpose_is_on_the_timeline(
    session, second_session, customer
):
    changed = consent.change(session, customer, {"marketing": True, "service": True,
                                                 "personalization": False})
    assert sorted(changed) == ["marketing", "personalization"]
    with second_session() as other:
        again = other.get(User, customer.id)
        assert consent.choices(other, again) == {
            "personalization": False, "service": True, "marketing": True,
        }
        subjects = other.scalars(
            sa.select(Interaction.subject).where(Interaction.kind == "consent_changed")
            .order_by(Interaction.id)
        ).all()
        assert subjects == [
            "Allowed: Offers and news by e-mail",
            "Refused: Personalized suggestions and offers from my history",
        ]


@reads_back(export.export)
def test_export_holds_all_the_customers_data_as_json_and_is_on_the_timeline(
    session, second_session, bike, customer
):
    order = gen_order(session, customer, CARBON_BIKE)
    gen_configuration(session, customer, STEEL_BIKE, name="Steel one")
    consent.change(session, customer, {"marketing": True})
    outbox.enqueue(session, OFFER, recipient=customer)
    session.commit()
    someone_else = gen_user(session, "zoe@example.com")
    gen_order(session, someone_else, STEEL_BIKE)

    document = export.export(session, customer)

    json.dumps(document)  # plain JSON values only
    assert document["profile"]["email"] == "mia@example.com"
    assert document["profile"]["name"] == "Mia Muster"
    assert document["consent"]["marketing"] is True
    assert [o["number"] for o in document["orders"]] == [order.number]
    assert document["orders"][0]["total"] == str(order.total)
    assert Decimal(document["orders"][0]["total"]) == order.total
    assert sorted(c["name"] for c in document["configurations"]) == ["My bike", "Steel one"]
    assert document["configurations"][0]["revisions"][0]["selection"]
    assert [m["subject"] for m in document["messages"]] == ["10 % off carbon frames"]
    assert "signed_up" in [event["kind"] for event in document["timeline"]]
    assert "zoe@example.com" not in json.dumps(document)
    assert "password" not in json.dumps(document)
    with second_session() as other:
        kinds = other.scalars(
            sa.select(Interaction.kind).where(Interaction.customer_id == customer.id)
        ).all()
        assert "data_exported" in kinds


@reads_back(erasure.erase)
def test_erasure_removes_personal_data_and_keeps_orders_anonymised(
    session, second_session, bike, customer
):
    order = gen_order(session, customer, CARBON_BIKE)
    consent.change(session, customer, {"marketing": True})
    outbox.enqueue(session, OFFER, recipient=customer)
    session.commit()
    kept_total = order.total

    erasure.erase(session, customer)

    with second_session() as other:
        erased = other.get(User, customer.id)
        assert erased.erased_at is not None
        assert erased.name == "Erased customer"
        assert "mia" not in erased.email and erased.country is None and erased.tier is None
        assert users.authenticate(other, "mia@example.com", PASSWORD) is None
        assert users.authenticate(other, erased.email, PASSWORD) is None
        kept = other.get(Order, order.id)
        assert (kept.owner_id, kept.total, kept.number) == (customer.id, kept_total, order.number)
        assert kept.configuration_id is None and kept.revision_id is None
        assert kept.snapshot["lines"]  # still what was bought, for accounting
        assert other.scalar(sa.select(sa.func.count()).select_from(Configuration)) == 0
        assert other.scalar(sa.select(sa.func.count()).select_from(Revision)) == 0
        assert other.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
        events = other.execute(
            sa.select(Interaction.kind, Interaction.subject)
            .where(Interaction.customer_id == customer.id)
        ).all()
        assert events == [("erased", "Personal data erased")]
        assert consent.choices(other, erased) == dict.fromkeys(consent.LABELS, False)
