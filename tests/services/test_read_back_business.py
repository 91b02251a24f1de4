"""Business accounts, their price lists and the customers' value, read back
through a second session."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import business, customer_value, demo, fulfilment
from configurator.services.business.accounts import InvalidAccountData
from configurator.store import User
from configurator.store.messages import Message
from configurator.store.quotes import (
    AccountContact,
    AccountEvent,
    BusinessAccount,
    PriceListEntry,
    QuantityBreakTier,
    QuoteRecord,
)
from configurator.store.value import CustomerValue
from tests.helpers import gen_order, gen_user
from tests.services.quote_factories import gen_account, gen_staff
from tests.services.read_back import reads_back

Fields = business.admin.AccountFields


@pytest.fixture
def manager(session):
    return gen_staff(session, "manager", "manager@shop.example")


def actions(other, account_id: int) -> list[str]:
    """The account's timeline actions, oldest first."""
    query = sa.select(AccountEvent.action).where(AccountEvent.account_id == account_id)
    return list(other.scalars(query.order_by(AccountEvent.id)))


def breaks(other, account_id: int | None = None) -> list[tuple[int, Decimal]]:
    owner = (
        QuantityBreakTier.account_id.is_(None)
        if account_id is None
        else QuantityBreakTier.account_id == account_id
    )
    rows = other.scalars(sa.select(QuantityBreakTier).where(owner))
    return sorted((row.min_quantity, row.percent_off) for row in rows)


@reads_back(business.accounts.create_account, business.accounts.add_contact, business.terms.set_percent_off,
            business.terms.set_option_price)
def test_account_contact_and_price_list(session, second_session, bike):
    account = business.accounts.create_account(session, "ACME GmbH", "de")
    contact = gen_user(session, segment="business")
    business.accounts.add_contact(session, account, contact, "buyer")
    business.terms.set_percent_off(session, account, "test-bike", Decimal("10"))
    business.terms.set_option_price(session, account, "test-bike", "frame", "carbon", Decimal("500"))
    with second_session() as other:
        assert other.get(BusinessAccount, account.id).country == "DE"
        link = other.scalar(sa.select(AccountContact).where(AccountContact.user_id == contact.id))
        assert (link.account_id, link.contact_role) == (account.id, "buyer")
        entries = other.scalars(
            sa.select(PriceListEntry).where(PriceListEntry.account_id == account.id)
        )
        assert sorted((e.option or "", e.percent_off, e.price) for e in entries) == [
            ("", Decimal("10.00"), None),
            ("carbon", None, Decimal("500.00")),
        ]


@reads_back(business.terms.set_quantity_breaks, business.terms.clear_quantity_breaks)
def test_our_quantity_breaks(session, second_session, bike):
    business.terms.set_quantity_breaks(session, "test-bike", [(1, Decimal(0)), (10, Decimal(5))])
    with second_session() as other:
        assert breaks(other) == [(1, Decimal("0.00")), (10, Decimal("5.00"))]
    business.terms.clear_quantity_breaks(session, "test-bike")
    with second_session() as other:
        assert breaks(other) == []


@reads_back(business.admin.open_account, business.admin.update_account)
def test_open_and_update_an_account(session, second_session, manager):
    account = business.admin.open_account(session, manager, Fields("Nord AB", "SE"))
    business.admin.update_account(
        session, manager, account.id, Fields("Nord AB", "SE", validity_days="14",
                                             approval_threshold="5")
    )
    with second_session() as other:
        stored = other.get(BusinessAccount, account.id)
        assert (stored.validity_days, stored.approval_threshold) == (14, Decimal("5.00"))
        assert actions(other, account.id) == ["account opened", "account changed"]


def test_a_refused_update_keeps_the_previous_details(session, second_session, manager):
    account = business.admin.open_account(session, manager, Fields("Nord AB", "SE"))
    with pytest.raises(InvalidAccountData):
        business.admin.update_account(session, manager, account.id,
                                      Fields("Nord AB", "SE", validity_days="9999"))
    with second_session() as other:
        assert other.get(BusinessAccount, account.id).validity_days == 30
        assert actions(other, account.id) == ["account opened"]


@reads_back(business.admin.invite_contact, business.admin.create_contact,
            business.admin.change_contact_role, business.admin.remove_contact)
def test_contacts(session, second_session, manager):
    account, _ = gen_account(session, percent_off=None)
    eva = gen_user(session, "eva@acme.example", segment="business")
    invited = business.admin.invite_contact(session, manager, account.id, eva.email, "finance")
    created = business.admin.create_contact(
        session, manager, account.id, "tom@acme.example", "Tom", "technical"
    )
    business.admin.change_contact_role(session, manager, account.id, invited.id, "buyer")
    business.admin.remove_contact(session, manager, account.id, created.id)
    with second_session() as other:
        assert other.get(AccountContact, invited.id).contact_role == "buyer"
        assert other.get(AccountContact, created.id) is None
        tom = other.scalar(sa.select(User).where(User.email == "tom@acme.example"))
        assert tom is not None  # the user stays, only the link went
        invitation = other.scalars(sa.select(Message).where(Message.recipient_id == tom.id)).one()
        assert (invitation.kind, invitation.secret) == ("invitation", True)
        assert actions(other, account.id) == [
            "contact added", "contact created", "contact role changed", "contact removed"]


@reads_back(business.admin.set_user_role)
def test_set_user_role(session, second_session):
    admin = gen_staff(session, "admin", "admin@shop.example")
    user = gen_user(session)
    business.admin.set_user_role(session, admin, user.id, "staff")
    with second_session() as other:
        assert other.get(User, user.id).role == "staff"


@reads_back(business.prices.set_line_discount, business.prices.set_fixed_option_price,
            business.prices.remove_price_entry)
def test_price_list_by_a_manager(session, second_session, manager, bike):
    account, _ = gen_account(session, percent_off=None)
    line = business.prices.set_line_discount(session, manager, account.id, "test-bike", "12,5")
    fixed = business.prices.set_fixed_option_price(
        session, manager, account.id, "test-bike", "frame=carbon", "499.90"
    )
    business.prices.remove_price_entry(session, manager, account.id, line.id)
    with second_session() as other:
        assert other.get(PriceListEntry, line.id) is None
        assert other.get(PriceListEntry, fixed.id).price == Decimal("499.90")
        assert actions(other, account.id) == ["price list changed"] * 3


@reads_back(business.prices.set_breaks)
def test_breaks_by_a_manager(session, second_session, manager, bike):
    account, _ = gen_account(session, percent_off=None)
    business.prices.set_breaks(session, manager, "test-bike", [("10", "5")], "range")
    business.prices.set_breaks(session, manager, "test-bike", [("5", "7")], "slab",
                               account_id=account.id)
    with second_session() as other:
        assert breaks(other) == [(1, Decimal("0.00")), (10, Decimal("5.00"))]
        assert breaks(other, account.id) == [(1, Decimal("0.00")), (5, Decimal("7.00"))]
        assert actions(other, account.id) == ["quantity breaks changed"]


def test_refused_breaks_keep_the_previous_ones(session, second_session, manager, bike):
    business.prices.set_breaks(session, manager, "test-bike", [("10", "5")], "range")
    with pytest.raises(InvalidAccountData, match="same quantity"):
        business.prices.set_breaks(session, manager, "test-bike", [("10", "7"), ("10", "9")],
                                   "slab")
    with second_session() as other:
        assert breaks(other) == [(1, Decimal("0.00")), (10, Decimal("5.00"))]


@reads_back(demo.business.seed_demo)
def test_business_demo_seed(session, second_session, bike):
    gen_staff(session, "staff", "sales@shop.example")
    data = {
        "quantity_breaks": {"test-bike": [[1, "0"], [10, "5"]]},
        "accounts": [{
            "name": "Demo GmbH", "country": "DE",
            "contacts": [{"email": "c@demo.example", "name": "C", "password": "demo-c",
                          "role": "buyer"}],
            "price_list": {"percent_off": {"test-bike": 8}},
            "quotes": [{"lines": [["test-bike", 2]], "status": "accepted"}],
        }],
    }
    demo.business.seed_demo(session, data, now=datetime(2026, 3, 2, tzinfo=UTC))
    with second_session() as other:
        account = other.scalar(sa.select(BusinessAccount).where(BusinessAccount.name == "Demo GmbH"))
        assert [c.user.email for c in account.contacts] == ["c@demo.example"]
        statuses = other.scalars(sa.select(QuoteRecord.status).where(
            QuoteRecord.account_id == account.id))
        assert list(statuses) == ["accepted"]
        assert breaks(other) == [(1, Decimal("0.00")), (10, Decimal("5.00"))]


@reads_back(customer_value.valuation.after_cancel)
def test_a_cancelled_order_leaves_the_customers_value_at_once(session, second_session, bike):
    customer = gen_user(session)
    kept, cancelled = gen_order(session, customer), gen_order(session, customer)
    fulfilment.cancel(session, customer, cancelled.number)  # calls valuation.after_cancel
    with second_session() as other:
        stored = other.get(CustomerValue, customer.id)
        assert (stored.order_count, stored.revenue) == (1, kept.total)


@reads_back(customer_value.valuation.refresh, customer_value.valuation.after_order, customer_value.valuation.recompute_all)
def test_customer_value(session, second_session, bike):
    customer = gen_user(session)
    order = gen_order(session, customer)  # orders.place calls customer_value.valuation.after_order
    with second_session() as other:
        assert other.get(CustomerValue, customer.id).revenue == order.total
    session.execute(sa.delete(CustomerValue))  # as if the hook had never run
    session.commit()
    customer_value.valuation.refresh(session, customer)
    with second_session() as other:
        assert other.get(CustomerValue, customer.id).order_count == 1
    session.execute(sa.delete(CustomerValue))
    session.commit()
    report = customer_value.valuation.recompute_all(session)
    with second_session() as other:
        assert report.valued == 1
        assert other.get(CustomerValue, customer.id).revenue == order.total
