"""Web fixtures: a signed-in customer with a saved configuration and an order; the staff
and business accounts of the quote pages."""

import pytest

from configurator.services import quotes
from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_order, gen_user
from tests.services.quote_factories import BIKE, CARBON, gen_account, gen_breaks, gen_staff


@pytest.fixture
def anna(app):
    """A customer with one configuration and one order (not signed in yet)."""
    with app.app_context():
        user = gen_user(db.session, "anna@example.com", name="Anna")
        configuration = gen_configuration(db.session, user, COMPLETE_BIKE, name="Anna's bike")
        order = gen_order(db.session, user)
        return {"id": user.id, "configuration": configuration.id, "order": order.number}


@pytest.fixture
def mallory(app):
    """Another customer, who must never see Anna's records."""
    with app.app_context():
        user = gen_user(db.session, "mallory@example.com", name="Mallory")
        return {"id": user.id}


@pytest.fixture
def world(app):
    """Sales, manager, admin, a plain customer, ACME (contact) and Other (contact),
    and for ACME a draft and a sent quote."""
    with app.app_context():
        session = db.session
        people = {role: gen_staff(session, role, f"{role}@shop.example")
                  for role in ("staff", "manager", "admin")}
        people["customer"] = gen_staff(session, "customer", "plain@example.com")
        acme, _ = gen_account(session, contact_email="buyer@acme.example")
        other, _ = gen_account(session, "Other GmbH", contact_email="buyer@other.example")
        gen_breaks(session, (1, "0"), (10, "5"))
        sales = people["staff"]
        draft = quotes.drafts.create(session, sales, acme.id)
        quotes.lines.add_line(session, sales, draft.id, "test-bike", BIKE, 12)
        sent = quotes.drafts.create(session, sales, acme.id)
        quotes.lines.add_line(session, sales, sent.id, "test-bike", CARBON, 1)
        quotes.sending.send(session, sales, sent.id)
        return {"draft": draft.id, "sent": sent.id, "acme": acme.id, "other": other.id}
