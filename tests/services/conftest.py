"""Service fixtures: the people of the quote tests."""

import pytest

from tests.services.quote_factories import gen_account, gen_staff


@pytest.fixture
def people(session, bike):
    """Sales, a manager, and ACME (10 % off the test bike) with its contact."""
    account, contact = gen_account(session)
    return {
        "sales": gen_staff(session, "staff"),
        "manager": gen_staff(session, "manager"),
        "account": account,
        "contact": contact,
    }
