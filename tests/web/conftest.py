"""Web fixtures: a signed-in customer with a saved configuration and an order."""

import pytest

from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_order, gen_user


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
