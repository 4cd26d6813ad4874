"""Test helpers for this plugin and for code built on it (such as guildkit-chat): a real HTTP
receiver on 127.0.0.1 that records what it is sent, and a poll-with-deadline.

.. code-block:: python

    with serve_receiver(fail_first=2) as receiver:
        ...  # queue deliveries to receiver.url, drain them
        [first, *_] = receiver.wait_for(1)
        verify_signature(secret, first.headers, first.body)  # returns first's webhook-id
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Received:
    """One request as the receiver got it: the exact body bytes, for checking signatures."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What :func:`serve_receiver` yields. Answers 200, except the first ``fail_first`` requests
    (``fail_status``); with ``hang`` set, holds every request until ``release`` is set."""

    url: str = ""
    fail_first: int = 0
    fail_status: int = 500
    hang: bool = False
    requests: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait (with a deadline) until ``count`` requests have arrived; returns them all."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} requests arrived within {timeout}s, expected {count}")
            return list(self.requests)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.changed:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                number = len(receiver.requests)
                receiver.changed.notify_all()
            receiver.arrived.set()
            if receiver.hang:
                receiver.release.wait(60)
            status = receiver.fail_status if number <= receiver.fail_first else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"receiver failing on purpose" if status >= 300 else b"ok")
            receiver.answered.set()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output clean."""

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that timed out and went away is expected here."""


@contextmanager
def serve_receiver(*, fail_first: int = 0, fail_status: int = 500, hang: bool = False) -> Iterator[Receiver]:
    """A receiver listening on ``127.0.0.1`` (a free port) until the block ends."""
    receiver = Receiver(fail_first=fail_first, fail_status=fail_status, hang=hang)
    server = _QuietServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


def poll(check: Callable[[], T], timeout: float = 10.0, interval: float = 0.02) -> T:
    """Call ``check()`` until it returns something truthy (returned), or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: an interruptible wait between looks
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {result!r})")
        pause.wait(interval)
