"""A price list has a currency, and a quote is in that one currency: lines of a
catalog priced in another are refused (never converted), and the totals, the
frozen copy the client sees and the order keep it. Read back through a second
session, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.quoting import OtherCurrency
from configurator.services import business, catalogs, quotes
from configurator.services.business.accounts import InvalidAccountData
from configurator.services.configuring.wording import phrase_text
from configurator.store.models import Order
from configurator.store.quotes import BusinessAccount, QuoteRecord
from tests.conftest import DATA
from tests.helpers import gen_user
from tests.services.quote_factories import BIKE, gen_account, gen_staff
from tests.services.read_back import reads_back

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DONG_PER_EURO = 27_000  # only to make the test catalog's prices look like real đồng


@pytest.fixture
def dong_bike(session, tmp_path):
    """The test bike as a Vietnamese product line priced in whole đồng."""
    text = (DATA / "bike.yaml").read_text()
    text = text.replace("catalog: test-bike", "catalog: dong-bike").replace(
        "currency: EUR", "currency: VND")
    text = re.sub(r"price: (\d+)\.00", lambda m: f"price: {int(m[1]) * DONG_PER_EURO}", text)
    (tmp_path / "dong-bike.yaml").write_text(text)
    return catalogs.load_file(session, tmp_path / "dong-bike.yaml").version


@pytest.fixture
def hanoi(session, dong_bike):
    """A Vietnamese client whose price list is in VND, with a contact and 5 % off."""
    account = business.accounts.create_account(
        session, "Xe Đạp Hà Nội", "VN", currency="vnd", terms="Thanh toán trong 30 ngày.")
    contact = gen_user(session, "mua@xedap.example", segment="business", name="Nguyễn Lan")
    business.accounts.add_contact(session, account, contact, "decision_maker")
    business.terms.set_percent_off(session, account, "dong-bike", Decimal(5))
    session.commit()
    return account, contact


@reads_back(quotes.lines.add_line, quotes.answers.convert_to_order)
def test_a_vnd_quote_stays_in_vnd_through_to_the_order(session, second_session, bike, hanoi):
    account, contact = hanoi
    sales = gen_staff(session)
    record = quotes.drafts.create(session, sales, account.id, now=NOW)
    record = quotes.lines.add_line(session, sales, record.id, "dong-bike", BIKE, 3, now=NOW)

    with second_session() as other:
        kept = other.get(QuoteRecord, record.id)
        assert kept.terms["currency"] == "VND"
        totals = quotes.records.to_domain(other, kept).price().totals
    # (120+30+10+25) x 27,000 = 4,995,000 a bike; -5 % = 4,745,250; x 3 = 14,235,750;
    # VAT 10 % = 1,423,575: whole đồng, no minor unit anywhere.
    assert (totals.currency, totals.net_total, totals.gross_total) == (
        "VND", Decimal("14235750"), Decimal("15659325"))

    record = quotes.sending.send(session, sales, record.id, now=NOW)
    record = quotes.answers.accept(session, contact, record.id, signature="Nguyễn Lan",
                                   now=NOW + timedelta(days=1))
    order = quotes.answers.convert_to_order(session, sales, record.id)
    with second_session() as other:
        stored = other.get(Order, order.id)
        assert (stored.currency, stored.total) == ("VND", Decimal("15659325"))
        assert other.get(QuoteRecord, record.id).frozen["currency"] == "VND"


def test_a_line_of_a_catalog_in_another_currency_is_refused(session, second_session, bike, hanoi):
    account, _ = hanoi
    sales = gen_staff(session)
    record = quotes.drafts.create(session, sales, account.id, now=NOW)
    with pytest.raises(OtherCurrency) as refused:
        quotes.lines.add_line(session, sales, record.id, "test-bike", BIKE, 1, now=NOW)
    message = str(refused.value)
    assert "Test bike is priced in EUR" in message and "this quote is in VND" in message
    assert "never converted" in message
    with second_session() as other:
        assert other.get(QuoteRecord, record.id).lines == []


def test_a_eur_quote_refuses_a_vnd_line_and_copies_do_not_cross_currencies(
        session, second_session, bike, dong_bike):
    eur_account, _ = gen_account(session)
    vnd_account = business.accounts.create_account(session, "Xe Đạp Huế", "VN", currency="VND")
    sales = gen_staff(session)
    record = quotes.drafts.create(session, sales, eur_account.id, now=NOW)
    with pytest.raises(OtherCurrency, match="priced in VND, but this quote is in EUR"):
        quotes.lines.add_line(session, sales, record.id, "dong-bike", BIKE, 1, now=NOW)
    record = quotes.lines.add_line(session, sales, record.id, "test-bike", BIKE, 1, now=NOW)
    with pytest.raises(OtherCurrency, match="in EUR and this client's price list is in VND"):
        quotes.drafts.copy(session, sales, record.id, account_id=vnd_account.id, now=NOW)
    session.rollback()
    with second_session() as other:
        numbers = set(other.scalars(sa.select(QuoteRecord.number)))
    assert numbers == {record.number}  # no half-made copy


@reads_back(business.admin.update_account, business.prices.set_line_discount)
def test_a_price_list_holds_only_product_lines_of_its_currency(
        session, second_session, bike, dong_bike):
    manager = gen_staff(session, "manager")
    fields = business.admin.AccountFields(name="Xe Đạp Sài Gòn", country="VN", currency="VND")
    account = business.admin.open_account(session, manager, fields)
    with pytest.raises(InvalidAccountData, match="Test bike is priced in EUR, but this price list"):
        business.prices.set_line_discount(session, manager, account.id, "test-bike", "10")
    with pytest.raises(InvalidAccountData, match="priced in EUR"):
        business.prices.set_fixed_option_price(
            session, manager, account.id, "test-bike", "frame=carbon", "500")
    business.prices.set_line_discount(session, manager, account.id, "dong-bike", "10")
    # Its entries are VND amounts and VND product lines: the currency stays while it has any.
    with pytest.raises(InvalidAccountData, match="remove its entries"):
        business.admin.update_account(session, manager, account.id,
                                      business.admin.AccountFields(
                                          name=account.name, country="VN", currency="EUR"))
    with pytest.raises(InvalidAccountData, match="We do not price in XYZ"):
        business.admin.update_account(session, manager, account.id,
                                      business.admin.AccountFields(
                                          name=account.name, country="VN", currency="xyz"))
    with second_session() as other:
        kept = other.get(BusinessAccount, account.id)
        assert kept.currency == "VND"
        assert [(e.catalog_id, e.percent_off) for e in kept.price_entries] == [
            ("dong-bike", Decimal("10.00"))]


def test_an_empty_price_list_may_change_its_currency(session, second_session, dong_bike):
    manager = gen_staff(session, "manager")
    account = business.admin.open_account(
        session, manager, business.admin.AccountFields(name="Mới", country="VN"))
    assert account.currency == "EUR"  # a new account's default, as before
    business.admin.update_account(session, manager, account.id, business.admin.AccountFields(
        name="Mới", country="VN", currency="VND", approval_threshold="10"))
    with second_session() as other:
        assert other.get(BusinessAccount, account.id).currency == "VND"


@pytest.mark.parametrize(("language", "words"), [
    ("fa", "هرگز تبدیل نمی‌شوند"), ("vi", "không bao giờ được quy đổi")])
def test_the_refusal_is_written_in_the_readers_language(session, bike, hanoi, language, words):
    sales = gen_staff(session)
    record = quotes.drafts.create(session, sales, hanoi[0].id, now=NOW)
    with pytest.raises(OtherCurrency) as refused:
        quotes.lines.add_line(session, sales, record.id, "test-bike", BIKE, 1, now=NOW)
    text = phrase_text(refused.value.args[0], language)
    assert words in text and "EUR" in text and "VND" in text and "is priced" not in text
