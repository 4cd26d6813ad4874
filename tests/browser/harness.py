"""Plain helpers behind the browser-test fixtures in ``conftest.py``: the live server, the Chromium path and flags.

Kept out of ``conftest.py`` so tests can import them (``from tests.browser.harness import LiveServer``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import make_server

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DEFAULT_CHROMIUM = "/usr/bin/chromium"

# Debian's Chromium, run as root on a machine whose only network is localhost.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# How long stop() waits for the serving thread and each request thread.
STOP_TIMEOUT = 5.0


def chromium_path() -> str:
    """The browser Playwright drives: $GUILDKIT_CHROMIUM (set by scripts/chromium.sh), else Debian's."""
    return os.environ.get("GUILDKIT_CHROMIUM") or DEFAULT_CHROMIUM


def chromium_missing_reason(path: str) -> str | None:
    """Why ``path`` cannot be used as the browser, or None when it can."""
    if not Path(path).is_file():
        return f"Chromium not found at {path}: run ./scripts/chromium.sh (installs Debian's chromium)"
    if not os.access(path, os.X_OK):
        return f"Chromium at {path} is not executable"
    return None


def in_ci() -> bool:
    """Same rule as guildkit.testing: any non-empty $CI means a missing dependency fails instead of skipping."""
    return bool(os.environ.get("CI"))


class LiveServer:
    """Serve a WSGI app on 127.0.0.1 (a free port) from a background thread; use as a context manager.

    ``stop()`` leaves nothing behind: it stops the accept loop, cuts the connections still open (a browser
    may open a socket ahead of a request that never comes, and its request thread would block in ``recv``
    forever), joins every thread and closes every socket. Exceptions the app raised while serving are kept
    in ``errors``.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server = make_server("127.0.0.1", 0, self._record_errors, threaded=True)
        self._track_connections()
        self.port: int = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"live-server-{self.port}",
            daemon=True,
        )
        self._started = False
        self._stopped = False

    def _record_errors(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except BaseException:
            with self._lock:
                self.errors.append(traceback.format_exc())
            raise

    def _track_connections(self) -> None:
        # make_server picks the server class, so wrap this instance's accept and close calls to
        # know which client sockets are open.
        server = self._server
        accept = server.get_request
        release = server.shutdown_request

        def get_request() -> tuple[socket.socket, Any]:
            conn, address = accept()
            with self._lock:
                self._connections.add(conn)
            return conn, address

        def shutdown_request(request: Any) -> None:
            with self._lock:
                self._connections.discard(request)
            release(request)

        server.get_request = get_request  # type: ignore[method-assign]
        server.shutdown_request = shutdown_request  # type: ignore[method-assign]

    @property
    def open_connections(self) -> int:
        """Client connections accepted and not yet closed (werkzeug closes each after one response)."""
        with self._lock:
            return len(self._connections)

    def start(self) -> LiveServer:
        self._thread.start()
        self._started = True
        return self

    def _request_threads(self) -> list[threading.Thread]:
        # socketserver.ThreadingMixIn keeps its request threads here (block_on_close is True).
        threads = getattr(self._server, "_threads", None)
        return list(threads) if isinstance(threads, list) else []  # not a list: ThreadingMixIn keeps none

    def stop(self) -> None:
        """Stop serving and release every thread and socket; raises RuntimeError if a thread will not end."""
        if self._stopped:
            return
        self._stopped = True
        if self._started:
            self._server.shutdown()  # returns once serve_forever has left its loop
            self._thread.join(STOP_TIMEOUT)
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            # Wakes a request thread still waiting for a request line: it reads EOF, ends, and closes
            # the socket itself (shutdown_request above).
            with contextlib.suppress(OSError):  # the client already hung up
                conn.shutdown(socket.SHUT_RDWR)
        stuck = []
        for thread in self._request_threads():
            thread.join(STOP_TIMEOUT)
            if thread.is_alive():
                stuck.append(thread.name)
        if stuck or self._thread.is_alive():
            # ThreadingMixIn.server_close would join them without a timeout: close only the listening socket.
            socketserver.TCPServer.server_close(self._server)
            raise RuntimeError(f"live server {self.url}: threads still running after {STOP_TIMEOUT}s: {stuck}")
        self._server.server_close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
