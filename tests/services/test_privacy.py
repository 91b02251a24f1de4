"""Consent per purpose (asked by the messages and the suggestions), export of
all of a customer's data, and erasure with orders kept anonymised; each read
back through a second session, as the next request would see it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import catalogs, customer_value, users
from configurator.services.messages import outbox
from configurator.services.privacy import consent, erasure, export
from configurator.store.messages import Message
from configurator.store.models import Configuration, Interaction, Order, Revision, User
from configurator.store.privacy import Consent
from tests.helpers import CARBON_BIKE, PASSWORD, STEEL_BIKE, gen_configuration, gen_order, gen_user
from tests.services.read_back import reads_back

OFFER = outbox.Draft("offer", "10 % off carbon frames", "Only this week.", "You asked for offers.",
                     purpose="marketing")
REMINDER = outbox.Draft("quote_expiry", "Your quote expires soon", "Q-1 runs out Friday.",
                        "You have an open quote.", purpose="service")
RECEIPT = outbox.Draft("order_confirmation", "Your order A-1", "Thanks.", "You placed order A-1.")


@pytest.fixture
def customer(session):
    return gen_user(session, "mia@example.com", name="Mia Muster")


@pytest.fixture(autouse=True)
def fresh_models():
    customer_value.personalize.forget_trained()
    yield
    customer_value.personalize.forget_trained()


# ------------------------------------------------------------------ consent


def test_marketing_is_opt_in_the_rest_opt_out(session, customer):
    assert consent.choices(session, customer) == {
        "personalization": True, "service": True, "marketing": False,
    }


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


def test_an_unknown_purpose_is_refused_and_nothing_changes(session, second_session, customer):
    with pytest.raises(consent.UnknownPurpose):
        consent.change(session, customer, {"marketing": True, "telepathy": True})
    with second_session() as other:
        assert other.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0


def test_no_marketing_message_is_written_without_opt_in(session, second_session, customer):
    assert outbox.enqueue(session, OFFER, recipient=customer) is None
    session.commit()
    consent.change(session, customer, {"marketing": True})
    assert outbox.enqueue(session, OFFER, recipient=customer) is not None
    session.commit()
    with second_session() as other:
        assert other.scalars(sa.select(Message.kind)).all() == ["offer"]


def test_refused_service_messages_are_not_written_but_transactional_ones_are(
    session, second_session, customer
):
    consent.change(session, customer, {"service": False})
    assert outbox.enqueue(session, REMINDER, recipient=customer) is None
    assert outbox.enqueue(session, RECEIPT, recipient=customer) is not None
    session.commit()
    with second_session() as other:
        assert other.scalars(sa.select(Message.kind)).all() == ["order_confirmation"]


def test_refused_personalization_means_no_suggestion_from_the_own_history(session, bike, customer):
    catalog = catalogs.engine_catalog(bike)
    for _ in range(2):
        gen_order(session, customer, CARBON_BIKE)
    assert customer_value.personalize.suggest(session, customer, catalog, {})["frame"].source == "own"

    consent.change(session, customer, {"personalization": False})
    customer_value.personalize.forget_trained()
    found = customer_value.personalize.suggest(session, customer, catalog, {})
    assert all(suggestion.source != "own" for suggestion in found.values())
    assert found.get("frame") is None or found["frame"].option != "carbon"


def test_a_refusing_customers_history_shapes_nobody_elses_suggestions(session, bike, customer):
    for _ in range(3):
        gen_order(session, customer, CARBON_BIKE)
    gen_order(session, gen_user(session), STEEL_BIKE)
    assert {row.owner for row in customer_value.personalize.training_rows(session, "test-bike")} == {
        str(customer.id), str(customer.id + 1),
    }
    consent.change(session, customer, {"personalization": False})
    owners = {row.owner for row in customer_value.personalize.training_rows(session, "test-bike")}
    assert str(customer.id) not in owners and owners


# ------------------------------------------------------------------ export


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


def test_a_one_time_link_waiting_to_be_sent_is_not_exported(session, customer):
    secret = outbox.Draft("password_reset", "Reset", "Use /reset/s3cret", "You asked.", secret=True)
    outbox.enqueue(session, secret, recipient=customer)
    session.commit()
    document = export.export(session, customer)
    assert "s3cret" not in json.dumps(document)


# ------------------------------------------------------------------ erasure


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


def test_an_erased_customer_gets_no_more_messages_not_even_transactional(session, bike, customer):
    erasure.erase(session, customer)
    assert outbox.enqueue(session, RECEIPT, recipient=customer) is None
    assert not consent.allows(session, customer, "service")


def test_the_email_of_an_erased_customer_can_sign_up_again(session, customer):
    erasure.erase(session, customer)
    again = users.sign_up(session, "mia@example.com", PASSWORD, "Mia",
                          password_method="pbkdf2:sha256:1000")
    assert again.id != customer.id


def test_staff_accounts_are_not_erased(session, second_session):
    clerk = gen_user(session, "clerk@shop.test", role="staff")
    with pytest.raises(erasure.NotErasable):
        erasure.erase(session, clerk)
    with second_session() as other:
        assert other.get(User, clerk.id).erased_at is None
