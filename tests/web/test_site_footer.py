"""The site footer speaks to customers (prices, help from staff): shop pages carry it,
staff pages do not."""

import pytest

from configurator.web.database import db
from tests.helpers import PASSWORD, gen_user

CUSTOMER_FOOTER = "Our staff sees your timeline and can help."


@pytest.fixture
def staff(app):
    with app.app_context():
        return gen_user(db.session, "seller@example.com", role="staff", name="Sam Seller").id


def test_shop_page_keeps_the_customer_footer(client):
    page = client.get("/shop/").get_data(as_text=True)
    assert CUSTOMER_FOOTER in page
    assert '<footer class="site">' in page


@pytest.mark.parametrize("path", ["/staff/quotes", "/staff/insights/"])
def test_staff_page_has_no_customer_footer(client, auth, staff, path):
    auth.signin("seller@example.com", PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sam Seller" in page  # the staff page itself, not a sign-in redirect
    assert CUSTOMER_FOOTER not in page
