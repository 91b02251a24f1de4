"""`gen_token` and `ApiClient`: what the API tests need in one line."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from configurator.services import api_tokens


def gen_token(session, user, scopes: list[str] | None = None, name: str = "test") -> str:
    """A raw token for `user`, with every scope the role allows unless told."""
    scopes = list(api_tokens.allowed_scopes(user)) if scopes is None else scopes
    return api_tokens.create(session, user, name, scopes)[1]


class ApiClient:
    """Calls the API with a bearer token, like another system would."""

    def __init__(self, app, token: str | None = None) -> None:
        self.client = FlaskClient(app, app.response_class, use_cookies=False)
        self.token = token

    def as_(self, token: str | None) -> ApiClient:
        """The same client with another token (None: no Authorization header)."""
        other = ApiClient.__new__(ApiClient)
        other.client, other.token = self.client, token
        return other

    def open(self, method: str, path: str, json: Any = None, **kwargs: Any):
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if json is not None:
            kwargs["json"] = json
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        return self.open("POST", path, json=json, **kwargs)
