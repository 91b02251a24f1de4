"""Likely duplicates and the staff merge: a preview of what moves, one
transaction, an audit entry, sign-in refused for the merged account, and undo."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from configurator.services import business, checkout, users
from configurator.services.errors import NotFound
from configurator.services.identify import duplicates, merging
from configurator.store.models import Interaction, Order
from tests.helpers import PASSWORD, STEEL_BIKE, gen_configuration, gen_order, gen_user
from tests.services.quote_factories import gen_account, gen_staff


@pytest.fixture
def staff(session):
    return gen_staff(session, "staff")


@pytest.fixture
def twins(session, bike):
    """Anna twice: her web account with an order, and a second record with a saved bike."""
    web = gen_user(session, "anna.berg@gmail.com", name="Anna Berg")
    gen_order(session, web)
    other = gen_user(session, "AnnaBerg+shop@googlemail.com", name="Anna Berg")
    gen_configuration(session, other, STEEL_BIKE, name="Second bike")
    gen_order(session, other)
    return web, other


@pytest.mark.parametrize(("address", "mailbox"), [
    ("Anna.Berg+shop@Gmail.com", "annaberg@gmail.com"),
    ("anna.berg@googlemail.com", "annaberg@gmail.com"),
    (" anna.berg+x@example.com ", "anna.berg@example.com"),  # dots count at other providers
])
def test_normalized_email(address, mailbox):
    assert duplicates.normalized_email(address) == mailbox


def test_the_same_mailbox_is_a_likely_duplicate(session, staff, twins):
    web, other = twins
    gen_user(session, "someone@example.com", name="Anna Berg")  # same name, no company: not enough
    (pair,) = duplicates.find(session, staff)
    assert (pair.first.id, pair.second.id) == (web.id, other.id)
    assert pair.reasons == ["same e-mail address"]


def test_the_same_name_at_the_same_company_is_a_likely_duplicate(session, staff, bike):
    account, contact = gen_account(session, contact_email="buyer@acme.example")
    again = gen_user(session, "j.doe@acme.example", name=f"  {contact.name.upper()} ")
    business.accounts.add_contact(session, account, again, "buyer")
    _, elsewhere = gen_account(session, "Other GmbH", contact_email="x@other.example")
    (pair,) = duplicates.find(session, staff)
    assert {pair.first.id, pair.second.id} == {contact.id, again.id}
    assert pair.reasons == ["same name at the same company"]


def test_only_staff_see_duplicates(session, twins):
    with pytest.raises(NotFound):
        duplicates.find(session, twins[0])


def test_the_preview_says_what_moves(session, staff, twins):
    web, other = twins
    shown = merging.preview(session, staff, web.id, other.id)
    assert shown.configurations == ["Second bike", "My bike"]  # oldest first
    assert len(shown.orders) == 1
    assert shown.timeline_events >= 3  # signed up, saved twice, ordered
    assert shown.account is None and shown.quotes == []
    assert shown.revenue_merged > 0


def test_merging_moves_everything_and_refuses_the_merged_sign_in(session, staff, twins):
    web, other = twins
    checkout.add_address(session, other, checkout.AddressInput(
        "Anna Berg", "Hauptstr. 1", "10115", "Berlin", "DE"))
    assert merging.preview(session, staff, web.id, other.id).addresses == 1
    merging.merge(session, staff, web.id, other.id)
    assert [a.owner_id for a in checkout.address_book(session, web)] == [web.id]
    owners = set(session.scalars(sa.select(Order.owner_id)))
    assert owners == {web.id}
    assert users.authenticate(session, "annaberg+shop@googlemail.com", PASSWORD) is None
    assert users.authenticate(session, "anna.berg@gmail.com", PASSWORD).id == web.id
    assert duplicates.find(session, staff) == []


@pytest.mark.parametrize("case", ["self", "staff", "twice"])
def test_merges_that_make_no_sense_are_refused(session, staff, twins, case):
    web, other = twins
    if case == "twice":
        merging.merge(session, staff, web.id, other.id)
    kept, merged = {"self": (web.id, web.id), "staff": (web.id, staff.id),
                    "twice": (web.id, other.id)}[case]
    with pytest.raises(merging.MergeRefused):
        merging.merge(session, staff, kept, merged)


def test_customers_cannot_merge(session, twins):
    web, other = twins
    with pytest.raises(NotFound):
        merging.preview(session, web, web.id, other.id)
    with pytest.raises(NotFound):
        merging.merge(session, web, web.id, other.id)


def test_a_contact_link_moves_with_its_quotes_when_the_kept_has_none(session, staff, bike):
    account, contact = gen_account(session, contact_email="buyer@acme.example")
    private = gen_user(session, "buyer.private@example.com", name=contact.name)
    shown = merging.preview(session, staff, private.id, contact.id)
    assert shown.account == account.name
    merging.merge(session, staff, private.id, contact.id)
    assert business.accounts.account_of(session, private).id == account.id


def test_undo_twice_is_refused(session, staff, twins):
    web, other = twins
    record = merging.merge(session, staff, web.id, other.id)
    merging.undo(session, staff, record.id)
    with pytest.raises(merging.MergeRefused):
        merging.undo(session, staff, record.id)
    kinds = session.scalars(sa.select(Interaction.kind).where(
        Interaction.customer_id == web.id, Interaction.kind.like("merge%"))).all()
    assert sorted(kinds) == ["merge_undone", "merged"]
