"""Real servers for the messaging tests: an SMTP server (aiosmtpd) that keeps
what it receives, and the local Redis (started here when none answers)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server answers, and everything it accepted.

    `answers` are replies to give to the next DATA commands, in order
    ("451 ..." refuses for now, "550 ..." for good, "stall" hangs until the
    client goes away); when they run out, messages are accepted.
    """

    answers: list[str] = field(default_factory=list)
    received: list[EmailMessage] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        answer = self.answers.pop(0) if self.answers else "250 OK"
        if answer == "stall":
            self.stalled.set()
            await asyncio.sleep(3600)
        if answer.startswith("250"):
            self.received.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return answer

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until `count` messages arrived; return them."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


class SmtpServer:
    """A local SMTP server on a free port."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def redis_answers(port: int) -> bool:
    """True when a Redis server answers PING on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """The machine's Redis on 6379, or one started for the test session."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.directory: str | None = None
        self.port = 6379

    def start(self) -> RedisServer:
        if redis_answers(self.port):
            return self
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("no Redis answers on 6379 and redis-server is not installed "
                               "(make test installs it)")
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="redis-")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.directory],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_answers(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        return self

    def url(self, db: int = 13) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            shutil.rmtree(self.directory, ignore_errors=True)
