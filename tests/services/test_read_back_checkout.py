"""The checkout read back through a second session: review, address book, VAT by country,
placing with the terms and a confirmation e-mail over real SMTP; order status moved by staff, cancellation."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from configurator.services import checkout, fulfilment, orders
from configurator.services.errors import NotFound, NotOrderable
from configurator.services.messages import delivery
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.store.messages import Message
from configurator.store.models import Address, Interaction, Order, Revision
from tests.helpers import CARBON_BIKE, COMPLETE_BIKE, gen_configuration, gen_user
from tests.services.quote_factories import gen_staff
from tests.services.read_back import reads_back

HOME = checkout.AddressInput("Mia Muster", "Hauptstr. 1", "10115", "Berlin", "DE")


@pytest.fixture
def mia(session, bike):
    return gen_user(session, "mia@example.com", name="Mia")


def test_vat_is_within_the_gross_price_at_the_country_rate():
    germany = checkout.vat_breakdown(Decimal("119.00"), "de", "EUR")
    assert (germany.net, germany.vat, germany.gross) == (Decimal("100.00"), Decimal("19.00"), Decimal("119.00"))
    assert str(germany.rate) == "0.19" and germany.to_json()["rate"] == "0.19"
    finland = checkout.vat_breakdown(Decimal("125.50"), "FI", "EUR")
    assert (finland.net, finland.vat, finland.percent) == (Decimal("100.00"), Decimal("25.50"), "25.5")
    with pytest.raises(checkout.CheckoutRefused, match="do not deliver"):
        checkout.vat_breakdown(Decimal(1), "xx", "EUR")


def test_every_eu_country_has_its_rate_and_every_other_country_none():
    """Issue 14: the checkout delivers to every country; EU VAT within the EU, and
    Vietnam's and Iran's VAT, where the shop sells in VND and IRR."""
    eu = set(checkout.VAT_RATES) - {"vn", "ir"}
    assert len(eu) == 27 and checkout.vat_rate("HU") == Decimal("0.27")
    swiss = checkout.vat_breakdown(Decimal("108.10"), "CH", "CHF")
    assert (swiss.net, swiss.vat, swiss.percent, swiss.charged) == (
        Decimal("108.10"), Decimal("0.00"), "0", False)
    assert checkout.vat_breakdown(Decimal("10"), "jp", "EUR").country_name == "Japan"
    assert checkout.country_name("de", "fa") == "آلمان" and checkout.country_name("de", "vi") == "Đức"
    for not_a_country in ("EU", "ZZ", "", "deu"):
        assert not checkout.delivers_to(not_a_country)


def test_a_delivery_to_vietnam_carries_its_10_percent_vat_in_whole_dong():
    vietnam = checkout.vat_breakdown(Decimal(455000), "VN", "VND")
    # 455,000 / 1.1 = 413,636.36...: the net is whole đồng, the VAT what is left of the gross.
    assert (vietnam.net, vietnam.vat, vietnam.gross) == (Decimal(413636), Decimal(41364), Decimal(455000))
    assert (vietnam.rate, vietnam.percent, vietnam.charged) == (Decimal("0.10"), "10", True)
    assert str(vietnam.label) == "VAT 10%"


def test_a_delivery_to_iran_carries_its_10_percent_vat_in_whole_rials():
    iran = checkout.vat_breakdown(Decimal("1234567"), "ir", "IRR")
    # 1,234,567 / 1.1 = 1,122,333.63...: rounded half up to 1,122,334 rials.
    assert (iran.net, iran.vat, iran.gross) == (Decimal(1122334), Decimal(112233), Decimal(1234567))
    assert iran.vat.as_tuple().exponent == 0 and iran.country == "ir"


def test_the_shop_and_the_quotes_take_vietnams_and_irans_rate_from_one_table():
    from configurator.quoting import tax_rule_for

    for country in ("VN", "IR", "DE", "FI"):
        assert tax_rule_for(country).rate == checkout.vat_rate(country) * 100
    assert checkout.vat_rate("CH") == 0 and tax_rule_for("CH").rate == Decimal("8.1")


def test_the_review_shows_delivery_and_billing_choices_and_vat(session, mia):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    review = checkout.review(session, mia, configuration.id)
    assert [line["feature"] for line in review.choices] == ["delivery", "billing"]
    assert review.vat.country == "de" and review.vat.gross == Decimal("825.00")


def test_an_incomplete_configuration_has_no_review(session, mia):
    configuration = gen_configuration(session, mia, {"frame": "alu"})
    with pytest.raises(NotOrderable):
        checkout.review(session, mia, configuration.id)


@reads_back(checkout.place_order, checkout.add_address)
def test_placing_keeps_address_vat_terms_and_writes_the_confirmation(session, second_session, mia):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    order = checkout.place_order(
        session, mia, configuration.id, 1, terms_accepted=True, new_address=HOME
    )
    with second_session() as other:
        stored = other.scalar(sa.select(Order).where(Order.number == order.number))
        kept = stored.snapshot["checkout"]
        assert kept["address"] == ["Mia Muster", "Hauptstr. 1", "10115 Berlin", "DE"]
        assert kept["vat"]["net"] == "693.28" and kept["vat"]["vat"] == "131.72"
        assert kept["terms"]["version"] == checkout.TERMS_VERSION
        assert other.scalar(sa.select(sa.func.count()).select_from(Address)) == 1
        message = other.scalar(sa.select(Message).where(Message.kind == "order_confirmation"))
        assert message.recipient_id == mia.id and order.number in message.subject


def test_an_order_needs_the_terms_and_an_address_and_writes_nothing_without(session, mia):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    with pytest.raises(checkout.CheckoutRefused, match="terms"):
        checkout.place_order(session, mia, configuration.id, 1, terms_accepted=False, new_address=HOME)
    with pytest.raises(checkout.CheckoutRefused, match="address"):
        checkout.place_order(session, mia, configuration.id, 1, terms_accepted=True)
    with pytest.raises(checkout.CheckoutRefused, match="street"):
        checkout.place_order(
            session, mia, configuration.id, 1, terms_accepted=True,
            new_address=checkout.AddressInput("Mia", "", "1", "B", "de"),
        )
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(Address)) == 0


def test_an_address_outside_the_eu_is_taken_and_ordered_without_vat(session, mia):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    tokyo = checkout.AddressInput("Mia Muster", "1-1 Chiyoda", "100-0001", "Tokyo", "JP")
    order = checkout.place_order(session, mia, configuration.id, 1, terms_accepted=True, new_address=tokyo)
    assert order.snapshot["checkout"]["vat"] == {
        "country": "jp", "rate": "0", "net": "825.00", "vat": "0.00", "gross": "825.00"}


def test_someone_elses_address_is_not_found(session, mia):
    other = gen_user(session, "bob@example.com")
    theirs = checkout.add_address(session, other, HOME)
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    with pytest.raises(NotFound):
        checkout.place_order(
            session, mia, configuration.id, 1, terms_accepted=True, address_id=theirs.id
        )


def test_the_confirmation_arrives_over_smtp(session, mia, smtp_server):
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    order = checkout.place_order(
        session, mia, configuration.id, 1, terms_accepted=True, new_address=HOME
    )
    message = session.scalar(sa.select(Message).where(Message.kind == "order_confirmation"))
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    assert delivery.deliver(session, message.id, transport, TrackingLinks("http://shop.test", "s")) == "sent"
    (received,) = smtp_server.mailbox.wait_for(1)
    text = received.get_body(("plain",)).get_content()
    assert received["To"] == "mia@example.com" and order.number in received["Subject"]
    assert "Hauptstr. 1" in text and "VAT 19% 131.72" in text


@reads_back(orders.save_for_checkout)
def test_saving_for_checkout_keeps_only_an_orderable_revision(session, second_session, mia):
    configuration = gen_configuration(session, mia, COMPLETE_BIKE)
    orders.save_for_checkout(session, mia, configuration.id, 1, CARBON_BIKE)
    with pytest.raises(NotOrderable):
        orders.save_for_checkout(session, mia, configuration.id, 2, {"frame": "alu"})
    with second_session() as other:
        numbers = other.scalars(
            sa.select(Revision.number).where(Revision.configuration_id == configuration.id)
        )
        assert sorted(numbers) == [1, 2]


@reads_back(fulfilment.move, fulfilment.cancel)
def test_staff_move_the_status_and_the_customer_cancels_only_while_allowed(
    session, second_session, mia
):
    staff = gen_staff(session, "staff", "sales@shop.example")
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    first = checkout.place_order(session, mia, configuration.id, 1, terms_accepted=True, new_address=HOME)
    with pytest.raises(fulfilment.StatusRefused):
        fulfilment.move(session, staff, first.number, "shipped")  # not the next step
    with pytest.raises(NotFound):
        fulfilment.move(session, mia, first.number, "confirmed")  # customers do not
    for status in ("confirmed", "in_production"):
        fulfilment.move(session, staff, first.number, status)
    with pytest.raises(fulfilment.StatusRefused, match="no longer be cancelled"):
        fulfilment.cancel(session, mia, first.number)
    # One order per revision: the second order is of another configuration.
    second = orders.place(session, mia, gen_configuration(session, mia, CARBON_BIKE).id)
    fulfilment.cancel(session, mia, second.number)
    with second_session() as other:
        statuses = dict(other.execute(sa.select(Order.number, Order.status)).all())
        assert statuses == {first.number: "in_production", second.number: "cancelled"}
        steps = other.scalars(
            sa.select(Interaction.subject).where(Interaction.kind == "order_status")
            .order_by(Interaction.id)
        )
        assert list(steps) == [
            f"Order {first.number}: confirmed",
            f"Order {first.number}: in production",
            f"Order {second.number}: cancelled",
        ]


def test_the_confirmation_is_written_in_the_customers_saved_language(session, mia):
    mia.locale = "fa"
    session.commit()
    configuration = gen_configuration(session, mia, CARBON_BIKE)
    order = checkout.place_order(session, mia, configuration.id, 1, terms_accepted=True,
                                 new_address=HOME)
    message = session.scalar(sa.select(Message).where(Message.kind == "order_confirmation"))
    assert message.subject == f"سفارش شما {order.number}"
    assert message.body.startswith(f"از سفارش {order.number} سپاسگزاریم.")
    assert "تحویل به:" in message.body and message.action_label == "سفارشتان را ببینید"
