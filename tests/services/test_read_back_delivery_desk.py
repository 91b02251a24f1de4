"""The staff's deliveries desk: planned deliveries filtered by due day and status, paged
beyond a page's worth, and marking one shipped (on the customer's timeline, and an
e-mail in their language through the outbox, read back from the local SMTP server);
staff only. Read back through a second session, on every database."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from configurator.services import delivery_desk, fulfilment
from configurator.services.delivery_desk import DeliveryFilter
from configurator.services.errors import NotFound
from configurator.services.messages import delivery as mail
from configurator.services.messages.links import TrackingLinks
from configurator.services.messages.transport import SmtpTransport
from configurator.services.paging import InvalidCursor
from configurator.store.deliveries import Delivery
from configurator.store.messages import Message
from configurator.store.models import Interaction
from tests.helpers import gen_order, gen_user
from tests.services.quote_factories import gen_staff
from tests.services.read_back import reads_back


@pytest.fixture
def placed(session, bike):
    mia = gen_user(session, "mia@example.com", name="Mia")
    return mia, gen_order(session, mia), gen_order(session, mia)


def listed(session, staff, wanted):
    return delivery_desk.listing(session, staff, wanted).items


def test_the_desk_filters_by_due_day_and_status(session, placed):
    staff = gen_staff(session, "staff", "sales@shop.example")
    _mia, first, second = placed
    planned = listed(session, staff, DeliveryFilter())
    assert [d.order_id for d in planned] == [first.id, second.id]
    due = planned[0].due_on
    assert listed(session, staff, DeliveryFilter(end=due - timedelta(days=1))) == []
    assert len(listed(session, staff, DeliveryFilter(start=due, end=due))) == 2
    assert listed(session, staff, DeliveryFilter(status="sent")) == []
    assert len(listed(session, staff, DeliveryFilter(status=None))) == 2
    with pytest.raises(delivery_desk.DeliveryRefused, match="no delivery status"):
        delivery_desk.listing(session, staff, DeliveryFilter(status="lost"))


def test_the_desk_pages_soonest_due_first_beyond_a_page(session, placed):
    """Five deliveries on three days, two a page: every one once, in due order, and
    back again; an edited cursor is refused in words."""
    staff = gen_staff(session, "staff", "sales@shop.example")
    mia, _, _ = placed
    for _ in range(3):
        gen_order(session, mia)
    days = session.scalars(sa.select(Delivery).order_by(Delivery.id)).all()
    start = days[0].due_on
    for number, row in enumerate(days):  # due on three days, not in id order
        row.due_on = start + timedelta(days=(2 - number % 3))
    session.commit()
    expected = [d.id for d in sorted(days, key=lambda d: (d.due_on, d.id))]
    seen, cursor, pages = [], None, []
    while True:
        page = delivery_desk.listing(session, staff, DeliveryFilter(), cursor=cursor, size=2)
        pages.append(page)
        seen += [d.id for d in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected and [len(p.items) for p in pages] == [2, 2, 1]
    back = delivery_desk.listing(session, staff, DeliveryFilter(),
                                 cursor=pages[2].previous_cursor, size=2)
    assert [d.id for d in back.items] == expected[2:4]
    with pytest.raises(InvalidCursor):
        delivery_desk.listing(session, staff, DeliveryFilter(), cursor="not-ours")


def test_customers_see_no_desk(session, placed):
    mia, first, _ = placed
    with pytest.raises(NotFound):
        delivery_desk.listing(session, mia, DeliveryFilter())
    delivery_id = session.scalar(sa.select(Delivery.id).where(Delivery.order_id == first.id))
    with pytest.raises(NotFound):
        delivery_desk.mark_shipped(session, mia, delivery_id)


@reads_back(delivery_desk.mark_shipped)
def test_marking_shipped_is_kept_and_told_on_the_timeline(session, second_session, placed,
                                                          smtp_server):
    staff = gen_staff(session, "staff", "sales@shop.example")
    mia, first, second = placed
    mia.locale = "vi"
    session.commit()
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
    with second_session() as other:
        [message] = other.scalars(sa.select(Message).where(Message.kind == "delivery_shipped"))
        assert message.to_address == "mia@example.com"
        # In Mia's language (Vietnamese), with the order's link.
        assert first.number in message.subject and "đang trên đường" in message.subject
        assert message.action_url == f"/account/orders/{first.number}"
    transport = SmtpTransport("127.0.0.1", smtp_server.port, sender="Shop <shop@shop.test>")
    assert mail.deliver(session, message.id, transport, TrackingLinks("http://shop.test", "s")) == "sent"
    [email] = smtp_server.mailbox.wait_for(1)
    assert email["To"] == "mia@example.com" and first.number in email["Subject"]
