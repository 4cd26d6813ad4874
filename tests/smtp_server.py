"""A real SMTP server for the email tests: aiosmtpd on a free local port, keeping what it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd's handler: every message the server accepted, parsed, with its envelope, and
    the session it came in (``authenticated``, and ``ssl`` after STARTTLS)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.raw: list[bytes] = []
        self.sessions: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message))
            self.raw.append(bytes(envelope.content))
            self.sessions.append(session)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message for _, message in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(handler: Inbox, port: int, **options: Any) -> Iterator[Controller]:
    """aiosmtpd on 127.0.0.1:``port`` while the block runs; ``options`` go to its ``Controller``."""
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
