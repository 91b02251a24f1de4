"""Phone numbers: read per country into E.164, kept on the customer (timeline,
export, erasure), and compared to find likely duplicates."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from configurator.services import users
from configurator.services.identify import duplicates
from configurator.services.privacy import erasure, export
from configurator.store.models import Interaction, User
from tests.helpers import gen_user
from tests.services.quote_factories import gen_staff
from tests.services.read_back import reads_back


@pytest.mark.parametrize(("text", "country", "expected"), [
    ("0170 1234567", "de", "+491701234567"),
    ("+49 (170) 123-4567", None, "+491701234567"),
    ("0049 170 1234567", "de", "+491701234567"),
    ("06 12 34 56 78", "fr", "+33612345678"),
    ("  ", "de", None),
])
def test_numbers_are_read_in_the_customers_country(text, country, expected):
    assert users.normalized_phone(text, country) == expected


@pytest.mark.parametrize("text", ["12", "call me", "+99 123", "0170 1234567"])
def test_what_is_no_number_is_refused_in_words(text):
    with pytest.raises(users.PhoneRefused, match="country code"):
        users.normalized_phone(text, None)  # without a country, a national number cannot be read


@reads_back(users.change_phone)
def test_a_phone_is_kept_noted_exported_and_erased(session, second_session):
    customer = gen_user(session, country="de")
    users.change_phone(session, customer, "0170 1234567")
    with second_session() as other:
        assert other.get(User, customer.id).phone == "+491701234567"
        assert other.scalar(sa.select(Interaction.subject).where(
            Interaction.customer_id == customer.id, Interaction.kind == "phone_changed")) == (
            "Changed the phone number")
    assert export.export(session, customer)["profile"]["phone"] == "+491701234567"
    erasure.erase(session, customer)
    with second_session() as other:
        assert other.get(User, customer.id).phone is None


def test_the_same_number_written_differently_is_a_likely_duplicate(session):
    home = gen_user(session, "anna@example.com", country="de", name="Anna Berg")
    shop = gen_user(session, "a.berg@work.example", country="at", name="A. Berg")
    users.change_phone(session, home, "0170 1234567")
    users.change_phone(session, shop, "+49 170 1234567")
    other = gen_user(session, country="de")
    users.change_phone(session, other, "0170 7654321")
    pairs = duplicates.find(session, gen_staff(session, "staff"))
    assert [(p.first.id, p.second.id, p.reasons) for p in pairs] == [
        (home.id, shop.id, ["same phone number"])]
