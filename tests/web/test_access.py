"""Nobody sees or changes what is not theirs; guests are sent to sign in."""

import pytest

from tests.helpers import COMPLETE_BIKE

ROUTES = [
    ("GET", "/account/configurations/{configuration}"),
    ("POST", "/account/configurations/{configuration}"),
    ("POST", "/account/configurations/{configuration}/save"),
    ("POST", "/account/configurations/{configuration}/order"),
    ("GET", "/account/configurations/{configuration}/diff?a=1&b=1"),
    ("GET", "/account/orders/{order}"),
    ("GET", "/account/orders/{order}/reorder"),
    ("POST", "/account/orders/{order}/reorder"),
]
FORM = dict({f"f.{k}": v for k, v in COMPLETE_BIKE.items()}, base_revision="1")


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_another_customer_gets_a_404(client, auth, anna, mallory, method, path):
    auth.signin("mallory@example.com")
    url = path.format(**anna)
    response = client.open(url, method=method, data=FORM if method == "POST" else None)
    assert response.status_code == 404
    assert "Anna" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    ROUTES
    + [
        ("GET", "/account/configurations"),
        ("GET", "/account/orders"),
        ("GET", "/account/timeline"),
    ],
)
def test_guests_must_sign_in(client, anna, method, path):
    response = client.open(
        path.format(**anna), method=method, data=FORM if method == "POST" else None
    )
    assert response.status_code == 302 and "/auth/signin" in response.headers["Location"]


def test_other_customers_lists_stay_empty(client, auth, anna, mallory):
    auth.signin("mallory@example.com")
    assert anna["order"] not in client.get("/account/orders").get_data(as_text=True)
    assert "Anna" not in client.get("/account/configurations").get_data(as_text=True)
    assert "Anna" not in client.get("/account/timeline").get_data(as_text=True)


def test_starting_from_someone_elses_configuration_is_refused(client, auth, anna, mallory):
    auth.signin("mallory@example.com")
    page = client.get(f"/shop/test-bike?from={anna['configuration']}").get_data(as_text=True)
    assert "no such configuration" in page
    page = client.get(f"/shop/test-bike?order={anna['order']}").get_data(as_text=True)
    assert "no such configuration or order" in page
