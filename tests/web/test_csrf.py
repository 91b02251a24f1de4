"""CSRF: every form and htmx request needs the token; a missing one is explained."""

import pytest


@pytest.mark.parametrize(
    "path", ["/shop/test-bike", "/shop/test-bike/save", "/auth/signin", "/auth/signup"]
)
def test_posts_without_a_token_are_refused_with_a_message(raw_client, path):
    response = raw_client.post(path, data={"f.frame": "alu"})
    assert response.status_code == 400
    assert "Your page had expired, so nothing was changed." in response.get_data(as_text=True)


def test_htmx_csrf_failure_goes_to_the_message_area(raw_client):
    response = raw_client.post(
        "/shop/test-bike", data={"f.frame": "alu"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.get_data(as_text=True)


def test_a_wrong_token_is_refused(raw_client):
    response = raw_client.post(
        "/shop/test-bike", data={"f.frame": "alu"}, headers={"X-CSRFToken": "forged"}
    )
    assert response.status_code == 400


def test_forms_carry_the_token(client):
    for path in ("/auth/signin", "/auth/signup", "/shop/test-bike"):
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)
