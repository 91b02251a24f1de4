"""Managers and admins keep business accounts: details with the approval
threshold, contacts, price lists and quantity breaks; every change checked,
allowed by role, and on the account's timeline. Also the per-account
threshold deciding when a quote needs a manager, and optional / alternative
lines kept out of the totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.quoting import ApprovalRequired, Discount, PricingError
from configurator.quoting.pricing import LineKind
from configurator.services import business, quotes
from configurator.services.business.accounts import InvalidAccountData
from configurator.services.errors import NotFound
from configurator.store.models import User
from configurator.store.quotes import AccountContact, AccountEvent, PriceListEntry
from tests.helpers import gen_user
from tests.services.quote_factories import BIKE, CARBON, gen_account, gen_staff

Fields = business.admin.AccountFields


def events(session, account_id: int) -> list[tuple[str, str, str]]:
    """(action, actor email, detail) of the account's timeline, oldest first."""
    rows = session.scalars(
        sa.select(AccountEvent).where(AccountEvent.account_id == account_id).order_by(
            AccountEvent.id))
    return [(e.action, e.actor.email if e.actor else "", e.detail) for e in rows]


@pytest.fixture
def people(session):
    return {role: gen_staff(session, role, f"{role}@shop.example")
            for role in ("staff", "manager", "admin")}


def test_a_manager_opens_an_account_with_the_configured_default_threshold(
        session, people, monkeypatch):
    monkeypatch.setenv("QUOTE_APPROVAL_THRESHOLD", "7.5")
    account = business.admin.open_account(
        session, people["manager"], Fields("  Nord   AB ", "se", vat_id="SE123", validity_days="14"))
    assert (account.name, account.country, account.vat_id, account.validity_days) == (
        "Nord AB", "SE", "SE123", 14)
    assert account.approval_threshold == Decimal("7.50")
    assert events(session, account.id)[0][:2] == ("account opened", "manager@shop.example")


def test_an_explicit_threshold_wins_and_an_edit_is_on_the_timeline(session, people):
    account = business.admin.open_account(
        session, people["admin"], Fields("Nord AB", "SE", approval_threshold="12"))
    assert account.approval_threshold == Decimal(12)
    business.admin.update_account(session, people["manager"], account.id, Fields(
        "Nord AB", "SE", approval_threshold="20", validity_days="30"))
    session.expire_all()
    assert account.approval_threshold == Decimal(20)
    action, actor, detail = events(session, account.id)[-1]
    assert (action, actor) == ("account changed", "manager@shop.example")
    assert "approval threshold: 12.00 -> 20.00" in detail


@pytest.mark.parametrize(("fields", "message"), [
    (Fields("", "DE"), "name is required"),
    (Fields("X", "ZZ"), "no tax rate for the country 'ZZ'"),
    (Fields("X", "DE", tax_treatment="free"), "tax treatment is one of"),
    (Fields("X", "DE", validity_days="soon"), "whole number"),
    (Fields("X", "DE", validity_days="0"), "1 to 365 days"),
    (Fields("X", "DE", approval_threshold="lots"), "percentage such as 12.5"),
    (Fields("X", "DE", approval_threshold="101"), "between 0 and 100"),
    (Fields("X", "DE", approval_threshold="-1"), "between 0 and 100"),
    (Fields("X", "DE", approval_threshold="2.555"), "at most two decimals"),
    (Fields("X", "DE", approval_threshold="NaN"), "between 0 and 100"),
    (Fields("X", "DE", vat_id="D" * 33), "at most 32"),
])
def test_bad_account_details_are_refused_with_the_reason(session, people, fields, message):
    with pytest.raises(InvalidAccountData, match=message):
        business.admin.open_account(session, people["manager"], fields)


def test_two_accounts_cannot_share_a_name(session, people):
    business.admin.open_account(session, people["manager"], Fields("ACME GmbH", "DE"))
    with pytest.raises(InvalidAccountData, match="already an account called"):
        business.admin.open_account(session, people["manager"], Fields("acme gmbh", "DE"))


def test_sales_staff_read_but_do_not_change_accounts_and_customers_see_nothing(session, people):
    account, contact = gen_account(session, contact_email="buyer@acme.example")
    with pytest.raises(business.admin.NotAllowed):
        business.admin.update_account(session, people["staff"], account.id, Fields("New", "DE"))
    with pytest.raises(business.admin.NotAllowed):
        business.prices.set_line_discount(session, people["staff"], account.id, "test-bike", "50")
    with pytest.raises(NotFound):
        business.admin.open_account(session, contact, Fields("Mine", "DE"))
    assert events(session, account.id) == []


def test_contacts_are_invited_created_given_roles_and_removed(session, people, bike):
    account, _ = gen_account(session, contact_email="first@acme.example")
    manager = people["manager"]
    gen_user(session, "eva@acme.example", name="Eva")
    invited = business.admin.invite_contact(session, manager, account.id, " EVA@acme.example ",
                                            "finance")
    assert (invited.user.email, invited.contact_role) == ("eva@acme.example", "finance")
    created = business.admin.create_contact(
        session, manager, account.id, "tom@acme.example", "Tom Tech", "technical")
    # Invited by e-mail: nobody was told a password that works.
    assert not created.user.check_password("")
    assert created.user.role == "customer"
    business.admin.change_contact_role(session, manager, account.id, invited.id, "buyer")
    business.admin.remove_contact(session, manager, account.id, created.id)
    roles = {c.user.email: c.contact_role for c in session.scalars(
        sa.select(AccountContact).where(AccountContact.account_id == account.id))}
    assert roles == {"first@acme.example": "decision_maker", "eva@acme.example": "buyer"}
    # The removed contact's user stays; they just no longer see the account's quotes.
    assert session.scalar(sa.select(User).where(User.email == "tom@acme.example")) is not None
    assert [a for a, _, _ in events(session, account.id)] == [
        "contact added", "contact created", "contact role changed", "contact removed"]


@pytest.mark.parametrize(("email", "role", "message"), [
    ("nobody@example.com", "buyer", "No one has signed up"),
    ("eva@acme.example", "boss", "choose one of these"),
    ("staff@shop.example", "buyer", "Staff members cannot be contacts"),
    ("other@other.example", "buyer", "already a contact of another account"),
])
def test_bad_invitations_are_refused(session, people, email, role, message):
    account, _ = gen_account(session, contact_email="first@acme.example")
    gen_account(session, "Other", contact_email="other@other.example")
    gen_user(session, "eva@acme.example")
    with pytest.raises(InvalidAccountData, match=message):
        business.admin.invite_contact(session, people["manager"], account.id, email, role)


def test_creating_a_contact_for_a_taken_email_or_without_a_name_is_refused(session, people):
    account, _ = gen_account(session, contact_email="first@acme.example")
    with pytest.raises(InvalidAccountData, match="already has a user"):
        business.admin.create_contact(session, people["manager"], account.id,
                                      "first@acme.example", "Again", "buyer")
    with pytest.raises(InvalidAccountData, match="name is required"):
        business.admin.create_contact(session, people["manager"], account.id,
                                      "new@acme.example", "  ", "buyer")
    with pytest.raises(InvalidAccountData, match="not an email"):
        business.admin.create_contact(session, people["manager"], account.id,
                                      "not-an-email", "New", "buyer")


def test_a_contact_of_another_account_cannot_be_changed_through_this_one(session, people):
    account, _ = gen_account(session, contact_email="first@acme.example")
    other, _ = gen_account(session, "Other", contact_email="other@other.example")
    with pytest.raises(NotFound):
        business.admin.remove_contact(session, people["manager"], account.id,
                                      other.contacts[0].id)


def test_the_price_list_takes_options_from_the_catalog_and_reaches_new_quotes(
        session, people, bike):
    account, _ = gen_account(session, percent_off=None, contact_email="b@acme.example")
    manager = people["admin"]
    business.prices.set_line_discount(session, manager, account.id, "test-bike", "12,5 %")
    business.prices.set_fixed_option_price(session, manager, account.id, "test-bike",
                                           "frame=carbon", "600")
    terms = business.terms.pricing_terms(session, account)
    assert terms.price_list.percent_off == {"test-bike": Decimal("12.50")}
    assert terms.price_list.option_prices == {("test-bike", "frame", "carbon"): Decimal("600.00")}
    details = [d for a, _, d in events(session, account.id)]
    assert len(details) == 2 and "list price 640" in details[1]
    quote = quotes.drafts.create(session, people["staff"], account.id)
    quotes.lines.add_line(session, people["staff"], quote.id, "test-bike", CARBON, 1)
    # The fixed carbon price is net; the other options (150 + 10 + 25) get 12.5 % off,
    # unrounded until the line net.
    build = quotes.records.load(session, people["staff"], quote.id).quote.price().lines["L1"]
    assert build.steps[0].amount == Decimal("825.00")
    assert build.steps[1].amount == Decimal("761.875")
    assert build.net == Decimal("761.88")
    entry = session.scalar(sa.select(PriceListEntry).where(PriceListEntry.option == "carbon"))
    business.prices.remove_price_entry(session, manager, account.id, entry.id)
    assert business.terms.pricing_terms(session, account).price_list.option_prices == {}


@pytest.mark.parametrize(("catalog", "option", "price", "message"), [
    ("test-bike", "frame=titanium", "10", "has no option 'frame=titanium'"),
    ("test-bike", "frame", "10", "has no option 'frame'"),
    ("no-such-line", "frame=alu", "10", "no product line called 'no-such-line'"),
    ("test-bike", "frame=alu", "-1", "at least 0"),
    ("test-bike", "frame=alu", "ten", "amount such as 49.90"),
    ("test-bike", "frame=alu", "9.999", "at most two decimals"),
])
def test_bad_option_prices_are_refused(session, people, bike, catalog, option, price, message):
    account, _ = gen_account(session, percent_off=None, contact_email="b@acme.example")
    with pytest.raises(InvalidAccountData, match=message):
        business.prices.set_fixed_option_price(session, people["manager"], account.id, catalog,
                                               option, price)
    assert account.price_entries == []


def test_a_price_list_entry_of_another_account_cannot_be_removed(session, people, bike):
    account, _ = gen_account(session, contact_email="a@acme.example")
    other, _ = gen_account(session, "Other", contact_email="o@other.example")
    with pytest.raises(NotFound):
        business.prices.remove_price_entry(session, people["manager"], account.id,
                                           other.price_entries[0].id)


def test_quantity_breaks_are_saved_from_typed_rows(session, people, bike):
    business.prices.set_breaks(session, people["manager"], "test-bike",
                               [("50", "8"), ("", ""), ("10", "5")], "range")
    grouped = business.prices.breaks_by_catalog(session, people["staff"])
    assert [(t.min_quantity, t.percent_off) for t in grouped["test-bike"]] == [
        (1, Decimal(0)), (10, Decimal(5)), (50, Decimal(8))]
    business.prices.set_breaks(session, people["manager"], "test-bike", [("", "")], "range")
    assert business.prices.breaks_by_catalog(session, people["staff"]) == {}


@pytest.mark.parametrize(("rows", "mode", "message"), [
    ([("ten", "5")], "range", "whole number"),
    ([("0", "5")], "range", "at least 1"),
    ([("10", "5"), ("10", "6")], "range", "same quantity"),
    ([("10", "120")], "range", "between 0 and 100"),
    ([("10", "5")], "sideways", "by range"),
])
def test_bad_quantity_breaks_are_refused(session, people, bike, rows, mode, message):
    with pytest.raises(InvalidAccountData, match=message):
        business.prices.set_breaks(session, people["manager"], "test-bike", rows, mode)


def test_the_accounts_threshold_decides_when_a_manager_must_approve(session, people, bike):
    account, _ = gen_account(session, contact_email="b@acme.example")
    sales = people["staff"]
    quote = quotes.drafts.create(session, sales, account.id)
    quotes.lines.add_line(session, sales, quote.id, "test-bike", BIKE, 1)
    quotes.drafts.set_discount(session, sales, quote.id,
                        Discount.percent_off(Decimal(12)))
    with pytest.raises(ApprovalRequired):
        quotes.sending.send(session, sales, quote.id)
    business.admin.update_account(session, people["manager"], account.id, Fields(
        account.name, "DE", approval_threshold="15", validity_days="30"))
    assert not quotes.approvals.needs_approval(quotes.records.load(session, sales, quote.id), sales)
    assert quotes.sending.send(session, sales, quote.id).status == "sent"


def test_optional_and_alternative_lines_are_priced_but_not_in_the_totals(session, people, bike):
    account, contact = gen_account(session, percent_off=None, contact_email="b@acme.example")
    sales = people["staff"]
    quote = quotes.drafts.create(session, sales, account.id)
    quotes.lines.add_line(session, sales, quote.id, "test-bike", BIKE, 2)
    quotes.lines.add_line(session, sales, quote.id, "test-bike", CARBON, 1, kind=LineKind.OPTIONAL)
    quotes.lines.add_line(session, sales, quote.id, "test-bike", CARBON, 2,
                    kind=LineKind.ALTERNATIVE, alternative_to="L1")
    priced = quotes.records.load(session, sales, quote.id).quote.price()
    assert priced.totals.subtotal == Decimal("370.00")  # only L1: 2 x 185
    assert priced.totals.not_in_totals == Decimal("2475.00")  # 825 + 2 x 825
    stored = {line.line_id: (line.kind, line.alternative_to)
              for line in quotes.records.load(session, sales, quote.id).record.lines}
    assert stored == {"L1": ("included", None), "L2": ("optional", None),
                      "L3": ("alternative", "L1")}
    quotes.lines.change_line(session, sales, quote.id, "L2", quantity=1, discount=None,
                       kind=LineKind.INCLUDED)
    assert quotes.records.load(session, sales, quote.id).quote.price().totals.subtotal == Decimal(
        "1195.00")
    quotes.sending.send(session, sales, quote.id)
    quotes.answers.accept(session, contact, quote.id)
    order = quotes.answers.convert_to_order(session, sales, quote.id)
    # The order holds the included lines (and the tax), never the alternative.
    assert [line["feature"] for line in order.snapshot["lines"]] == ["L1", "L2", "tax"]


@pytest.mark.parametrize(("kind", "target", "message"), [
    (LineKind.ALTERNATIVE, None, "which included line"),
    (LineKind.ALTERNATIVE, "L9", "not an included line"),
    (LineKind.ALTERNATIVE, "L2", "not an included line"),
    (LineKind.OPTIONAL, "L1", "Only an alternative"),
])
def test_bad_line_kinds_are_refused(session, people, bike, kind, target, message):
    account, _ = gen_account(session, percent_off=None, contact_email="b@acme.example")
    sales = people["staff"]
    quote = quotes.drafts.create(session, sales, account.id)
    quotes.lines.add_line(session, sales, quote.id, "test-bike", BIKE, 1)
    quotes.lines.add_line(session, sales, quote.id, "test-bike", BIKE, 1, kind=LineKind.OPTIONAL)
    with pytest.raises(PricingError, match=message):
        quotes.lines.add_line(session, sales, quote.id, "test-bike", CARBON, 1, kind=kind,
                        alternative_to=target)


def test_a_line_with_alternatives_stays_included(session, people, bike):
    account, _ = gen_account(session, percent_off=None, contact_email="b@acme.example")
    sales = people["staff"]
    quote = quotes.drafts.create(session, sales, account.id)
    quotes.lines.add_line(session, sales, quote.id, "test-bike", BIKE, 1)
    quotes.lines.add_line(session, sales, quote.id, "test-bike", CARBON, 1,
                    kind=LineKind.ALTERNATIVE, alternative_to="L1")
    with pytest.raises(PricingError, match="has alternatives"):
        quotes.lines.change_line(session, sales, quote.id, "L1", quantity=1, discount=None,
                           kind=LineKind.OPTIONAL)


def test_an_accounts_own_breaks_replace_ours_for_that_product_line_only(session, people, bike):
    account, _ = gen_account(session, percent_off=None, contact_email="a@acme.example")
    other, _ = gen_account(session, "Other", percent_off=None, contact_email="o@other.example")
    manager = people["manager"]
    business.prices.set_breaks(session, manager, "test-bike", [("10", "5")], "range")
    business.prices.set_breaks(session, manager, "test-bike", [("5", "7"), ("20", "12")],
                               "range", account_id=account.id)

    def tiers(acct):
        found = business.terms.pricing_terms(session, acct).break_for("test-bike")
        return [(t.min_quantity, t.discount.percent) for t in found.tiers]

    assert tiers(account) == [(1, Decimal(0)), (5, Decimal(7)), (20, Decimal(12))]
    assert tiers(other) == [(1, Decimal(0)), (10, Decimal(5))]
    # Ours are changed without touching the account's own, and the other way round.
    business.prices.set_breaks(session, manager, "test-bike", [("10", "6")], "range")
    assert tiers(account)[1] == (5, Decimal(7))
    assert business.prices.breaks_by_catalog(session, people["staff"], account.id)["test-bike"]
    assert events(session, account.id)[-1][0] == "quantity breaks changed"
    business.prices.set_breaks(session, manager, "test-bike", [], "range", account_id=account.id)
    assert tiers(account) == [(1, Decimal(0)), (10, Decimal(6))]
    assert events(session, account.id)[-1][2] == "ours apply again"


def test_a_quote_prices_with_the_accounts_own_breaks(session, people, bike):
    account, _ = gen_account(session, percent_off=None, contact_email="a@acme.example")
    business.prices.set_breaks(session, people["manager"], "test-bike", [("10", "5")], "range")
    business.prices.set_breaks(session, people["manager"], "test-bike", [("2", "10")], "range",
                               account_id=account.id)
    quote = quotes.drafts.create(session, people["staff"], account.id)
    quotes.lines.add_line(session, people["staff"], quote.id, "test-bike", BIKE, 2)
    line = quotes.records.load(session, people["staff"], quote.id).quote.price().lines["L1"]
    assert line.net == Decimal("333.00")  # 2 x 185.00 - 10 % (its own tier from 2)
