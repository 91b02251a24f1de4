"""Consent per purpose (asked by the messages and the suggestions), export of
all of a customer's data, and erasure with orders kept anonymised; each read
back through a second session, as the next request would see it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from configurator.services import catalogs, checkout, customer_value, guest_orders, users
from configurator.services.messages import outbox
from configurator.services.privacy import consent, erasure, export
from configurator.store.messages import Message
from configurator.store.models import Address, Interaction, Order, User
from configurator.store.privacy import Consent
from configurator.store.types import utcnow
from tests.helpers import CARBON_BIKE, PASSWORD, STEEL_BIKE, gen_configuration, gen_order, gen_user

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


def test_refused_personalization_means_no_usual_choices_either(session, bike, customer):
    """The configurator's "You chose this before" badges and "apply my usual choices"
    come from `personal_defaults`: they read the history unasked, like suggestions."""
    for _ in range(2):
        gen_order(session, customer, CARBON_BIKE)
    defaults = customer_value.defaults.personal_defaults
    assert defaults(session, customer, "test-bike")["frame"] == ["carbon"]

    consent.change(session, customer, {"personalization": False})
    assert defaults(session, customer, "test-bike") == {}


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


def test_a_one_time_link_waiting_to_be_sent_is_not_exported(session, customer):
    secret = outbox.Draft("password_reset", "Reset", "Use /reset/s3cret", "You asked.", secret=True)
    outbox.enqueue(session, secret, recipient=customer)
    session.commit()
    document = export.export(session, customer)
    assert "s3cret" not in json.dumps(document)


# ------------------------------------------------------------------ erasure


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


def test_addresses_are_exported_and_erased_also_from_the_order_snapshots(session, bike, customer):
    home = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")
    configuration = gen_configuration(session, customer)
    order = checkout.place_order(session, customer, configuration.id, 1, terms_accepted=True,
                                 new_address=home)
    document = export.export(session, customer)
    assert [a["street"] for a in document["addresses"]] == ["Hauptstr. 1"]
    assert "Hauptstr. 1" in document["orders"][0]["snapshot"]["checkout"]["address"]

    erasure.erase(session, customer)

    session.expire_all()
    kept = session.get(Order, order.id)
    assert kept.snapshot["checkout"]["address"] == ["(erased)"]
    assert kept.snapshot["checkout"]["country"] == "de"
    assert kept.snapshot["checkout"]["vat"]  # the accounting stays
    assert session.scalar(sa.select(sa.func.count()).select_from(Address)) == 0


def guest_order(session, email: str):
    return guest_orders.place_order(
        session, email, "test-bike", CARBON_BIKE, name="Guest bike", terms_accepted=True,
        address=checkout.AddressInput("Mia Gast", "Gaststr. 9", "10115", "Berlin", "DE"))


def test_the_guest_record_of_a_confirmed_address_is_erased_with_the_account(
    session, second_session, bike, customer
):
    """A guest order placed with the address once it was confirmed stays on the guest
    record (its claim link adds it): erasure left that record's name, address and the
    order's delivery address behind. The order stays, anonymised, like the account's."""
    customer.email_verified_at = utcnow()
    order = guest_order(session, "Mia@Example.com")
    guest_id = order.owner_id

    erasure.erase(session, customer)

    with second_session() as other:
        guest = other.get(User, guest_id)
        assert "mia@example.com" not in guest.email and guest.name == erasure.ERASED_NAME
        assert guest.erased_at is not None
        kept = other.get(Order, order.id)
        assert kept.owner_id == guest_id and kept.snapshot["checkout"]["address"] == ["(erased)"]
        assert other.scalar(sa.select(sa.func.count()).select_from(Address)) == 0
        assert "Gaststr. 9" not in str(other.scalars(sa.select(Interaction.detail)).all())


def test_the_guest_record_of_an_unconfirmed_address_is_not_erased(
    session, second_session, bike, customer
):
    """Signing up proves nothing about the address: the account's erasure does not reach
    the guest orders someone placed with it."""
    order = guest_order(session, "mia@example.com")
    erasure.erase(session, customer)
    with second_session() as other:
        guest = other.get(User, order.owner_id)
        assert (guest.email, guest.name, guest.erased_at) == (
            "mia@example.com@guest.invalid", "Mia Gast", None)
