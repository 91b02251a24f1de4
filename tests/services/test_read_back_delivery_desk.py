"""The staff's deliveries desk: planned deliveries filtered by due day and status, and
marking one shipped (on the customer's timeline); staff only. Read back through a
second session, on every database."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from configurator.services import delivery_desk, fulfilment
from configurator.services.delivery_desk import DeliveryFilter
from configurator.services.errors import NotFound
from configurator.store.deliveries import Delivery
from configurator.store.models import Interaction
from tests.helpers import gen_order, gen_user
from tests.services.quote_factories import gen_staff
from tests.services.read_back import reads_back


@pytest.fixture
def placed(session, bike):
    mia = gen_user(session, "mia@example.com", name="Mia")
    return mia, gen_order(session, mia), gen_order(session, mia)


def test_the_desk_filters_by_due_day_and_status(session, placed):
    staff = gen_staff(session, "staff", "sales@shop.example")
    _mia, first, second = placed
    planned = delivery_desk.listing(session, staff, DeliveryFilter())
    assert [d.order_id for d in planned] == [first.id, second.id]
    due = planned[0].due_on
    assert delivery_desk.listing(session, staff, DeliveryFilter(end=due - timedelta(days=1))) == []
    assert len(delivery_desk.listing(session, staff, DeliveryFilter(start=due, end=due))) == 2
    assert delivery_desk.listing(session, staff, DeliveryFilter(status="sent")) == []
    assert len(delivery_desk.listing(session, staff, DeliveryFilter(status=None))) == 2
    with pytest.raises(delivery_desk.DeliveryRefused, match="no delivery status"):
        delivery_desk.listing(session, staff, DeliveryFilter(status="lost"))


def test_customers_see_no_desk(session, placed):
    mia, first, _ = placed
    with pytest.raises(NotFound):
        delivery_desk.listing(session, mia, DeliveryFilter())
    delivery_id = session.scalar(sa.select(Delivery.id).where(Delivery.order_id == first.id))
    with pytest.raises(NotFound):
        delivery_desk.mark_shipped(session, mia, delivery_id)


@reads_back(delivery_desk.mark_shipped)
def test_marking_shipped_is_kept_and_told_on_the_timeline(session, second_session, placed):
    staff = gen_staff(session, "staff", "sales@shop.example")
    mia, first, second = placed
    delivery_id = session.scalar(sa.select(Delivery.id).where(Delivery.order_id == first.id))
    delivery_desk.mark_shipped(session, staff, delivery_id)
    with pytest.raises(delivery_desk.DeliveryRefused, match="not planned any more"):
        delivery_desk.mark_shipped(session, staff, delivery_id)  # twice: refused in words
    fulfilment.cancel(session, mia, second.number)
    cancelled = session.scalar(sa.select(Delivery.id).where(Delivery.order_id == second.id))
    with pytest.raises(delivery_desk.DeliveryRefused):
        delivery_desk.mark_shipped(session, staff, cancelled)
    with pytest.raises(NotFound):
        delivery_desk.mark_shipped(session, staff, 10**6)
    with second_session() as other:
        assert other.get(Delivery, delivery_id).status == "sent"
        note = other.scalar(sa.select(Interaction).where(Interaction.kind == "delivery_sent"))
        assert note.customer_id == mia.id and note.actor_id == staff.id and note.channel == "staff"
        assert note.subject == f"Order {first.number}: delivery 1 shipped"
