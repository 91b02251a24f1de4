"""A request body beyond MAX_CONTENT_LENGTH is refused with 413 and a clear page."""


def test_an_oversized_body_is_refused_with_413(app, client):
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/auth/signin", data={"email": too_big, "password": "x"})
    assert response.status_code == 413
    assert b"Traceback" not in response.data
