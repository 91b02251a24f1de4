"""Links in e-mails that tell us the e-mail was opened or its action followed.

A link carries the message id signed with the app's secret key, so nobody can
mark someone else's message as opened by guessing ids. The links never expire:
an e-mail read a month later still opens its action.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "message-tracking"


@dataclass(frozen=True)
class TrackingLinks:
    """Builds and reads the open/click links of messages."""

    base_url: str
    secret_key: str

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret_key, salt=_SALT)

    def token(self, message_id: int) -> str:
        """The signed, URL-safe token of a message."""
        return self._serializer().dumps(message_id)

    def message_id(self, token: str) -> int | None:
        """The message a token names, or None when it was not made by us."""
        try:
            value = self._serializer().loads(token)
        except BadSignature:
            return None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def open_url(self, message_id: int) -> str:
        """An image URL: loading it marks the e-mail opened."""
        return f"{self.base_url.rstrip('/')}/m/{self.token(message_id)}/open.gif"

    def click_url(self, message_id: int) -> str:
        """The action link: following it marks the e-mail clicked, then redirects."""
        return f"{self.base_url.rstrip('/')}/m/{self.token(message_id)}/go"
