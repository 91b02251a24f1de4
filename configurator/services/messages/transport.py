"""How an e-mail leaves: SMTP (any real server), or files for a demo without one.

Both take an `email.message.EmailMessage`. SMTP is the standard library's
client; the settings come from the environment (see `config.py`).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol


class Transport(Protocol):
    """Something that sends one e-mail or raises."""

    sender: str

    def send(self, email: EmailMessage) -> None:
        """Hand the e-mail over; raise on failure (smtplib.SMTPException or OSError)."""


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx answer): do not retry."""


@dataclass
class SmtpTransport:
    """An SMTP server: plain, STARTTLS or implicit TLS, with optional login."""

    host: str
    port: int = 25
    sender: str = "shop@localhost"
    username: str | None = None
    password: str | None = None
    security: str = "none"  # none | starttls | tls
    timeout: float = 30.0

    def send(self, email: EmailMessage) -> None:
        """Send one e-mail in its own connection."""
        context = ssl.create_default_context()
        client_class = smtplib.SMTP_SSL if self.security == "tls" else smtplib.SMTP
        kwargs = {"context": context} if self.security == "tls" else {}
        try:
            with client_class(self.host, self.port, timeout=self.timeout, **kwargs) as client:
                if self.security == "starttls":
                    client.starttls(context=context)
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = {code for code, _ in error.recipients.values()}
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(f"recipient refused: {_first(error.recipients)}") from None
            raise
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                raise PermanentFailure(f"{error.smtp_code} {_text(error.smtp_error)}") from None
            raise


@dataclass
class FileTransport:
    """Writes each e-mail as an .eml file: for `make run` when no SMTP server is set."""

    directory: Path
    sender: str = "shop@localhost"

    def send(self, email: EmailMessage) -> None:
        """Write the e-mail to `directory`, named after its Message-ID."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = (email["Message-ID"] or "message").strip("<>").replace("/", "_")
        (self.directory / f"{name}.eml").write_bytes(bytes(email))


def _first(recipients: dict) -> str:
    address, (code, text) = next(iter(recipients.items()))
    return f"{address}: {code} {_text(text)}"


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
