"""API fixtures: customers with records and tokens, and a client that sends a
bearer token and nothing else (no cookie, no CSRF header)."""

from __future__ import annotations

from typing import Any

import pytest
from api_factories import ApiClient, gen_token

from configurator.web.database import db
from tests.helpers import COMPLETE_BIKE, gen_configuration, gen_order, gen_user


@pytest.fixture
def anna(app) -> dict[str, Any]:
    """A consumer with a configuration, an order and a token with every customer scope."""
    with app.app_context():
        user = gen_user(db.session, "anna@example.com", name="Anna")
        configuration = gen_configuration(db.session, user, COMPLETE_BIKE, name="Anna's bike")
        order = gen_order(db.session, user)
        return {
            "id": user.id,
            "configuration": configuration.id,
            "order": order.number,
            "token": gen_token(db.session, user),
        }


@pytest.fixture
def mallory(app) -> dict[str, Any]:
    """Another customer with a full token, who must never see Anna's records."""
    with app.app_context():
        user = gen_user(db.session, "mallory@example.com", name="Mallory")
        return {"id": user.id, "token": gen_token(db.session, user)}


@pytest.fixture
def api(app, anna) -> ApiClient:
    """Anna's API client."""
    return ApiClient(app, anna["token"])
