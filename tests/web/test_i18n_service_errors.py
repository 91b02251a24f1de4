"""Service refusals shown on a page follow the reader's language: a configuration's
name refused in Persian and Vietnamese."""

import pytest


@pytest.mark.parametrize(("language", "name", "words"), [
    ("fa", "   ", "برای پیکربندی نامی بگذارید."),
    ("vi", "x" * 300, "Tên có tối đa"),
])
def test_a_refused_name_is_written_in_the_readers_language(client, auth, anna, language, name,
                                                           words):
    auth.signin()
    url = f"/account/configurations/{anna['configuration']}/rename"
    response = client.post(url, data={"name": name}, headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and words in page
    assert "Give the configuration a name" not in page and "at most" not in page
