"""The "thread" backend: daemon threads in the web process, per app, off the request path.

Nothing starts at import or in ``init_app``: the first job enqueued in a process starts
``GUILDKIT_JOBS_THREADS`` threads (``guildkit-jobs-1`` …), and after a ``fork`` the child starts
its own. Jobs wait in one heap ordered by when they are due, so a delayed job (a webhook's
retry) costs no thread while it waits. A job that raises is tried again after 1, 2, 4 … seconds,
up to its ``max_retries``.

What is queued here lives in memory only: a process that dies loses it. That is why jobs keep
their work in the database (an outbox row, a sweep's marker) and a periodic job or cron picks
up what was left; Celery (``celery_backend.py``) is the backend for hosts that want more.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

log = logging.getLogger("guildkit.jobs")

#: ``execute(app, name, arguments)``: runs one job in the app's context, raising what it raised.
Execute = Callable[[Flask, str, dict[str, Any]], Any]
#: The longest wait between two retries of a failing job.
RETRY_MAX_SECONDS = 600.0


@dataclass(order=True)
class _Queued:
    due: float
    seq: int
    name: str = field(compare=False)
    arguments: dict[str, Any] = field(compare=False)
    max_retries: int = field(compare=False, default=0)
    attempt: int = field(compare=False, default=0)


class ThreadRunner:
    """The queue and threads of one app in one process."""

    def __init__(self, app: Flask, count: int, execute: Execute) -> None:
        self._app = app
        self._count = count
        self._execute = execute
        self._heap: list[_Queued] = []
        self._seq = itertools.count()
        self._running = 0
        self._changed = threading.Condition()
        self._stopping = False
        self._threads: list[threading.Thread] = []
        self._pid = 0

    def submit(
        self, name: str, arguments: dict[str, Any], delay: float = 0.0, max_retries: int = 0, attempt: int = 0
    ) -> None:
        with self._changed:
            if self._pid != os.getpid() or not any(t.is_alive() for t in self._threads):
                self._start()
            due = time.monotonic() + delay
            heapq.heappush(self._heap, _Queued(due, next(self._seq), name, arguments, max_retries, attempt))
            self._changed.notify()

    def _start(self) -> None:
        if self._pid != os.getpid():
            # A forked child inherits the parent's queue but none of its threads: start afresh.
            self._heap.clear()
            self._running = 0
        self._pid = os.getpid()
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._work, name=f"guildkit-jobs-{n + 1}", daemon=True) for n in range(self._count)
        ]
        for thread in self._threads:
            thread.start()

    def _next(self) -> _Queued | None:
        with self._changed:
            while not self._stopping:
                now = time.monotonic()
                if self._heap and self._heap[0].due <= now:
                    self._running += 1
                    return heapq.heappop(self._heap)
                self._changed.wait(self._heap[0].due - now if self._heap else None)
            return None

    def _work(self) -> None:
        while (item := self._next()) is not None:
            try:
                self._execute(self._app, item.name, item.arguments)
            except Exception:
                if item.attempt < item.max_retries:
                    wait = min(RETRY_MAX_SECONDS, 2.0**item.attempt)
                    log.exception("guildkit jobs: %s failed; retrying in %gs", item.name, wait)
                    self.submit(item.name, item.arguments, wait, item.max_retries, item.attempt + 1)
                else:
                    log.exception("guildkit jobs: %s failed for the last time", item.name)
            finally:
                with self._changed:
                    self._running -= 1
                    self._changed.notify_all()

    def idle(self, timeout: float) -> bool:
        """Wait until no job is running or due now; ``False`` if that took longer than ``timeout``."""

        def quiet() -> bool:
            return self._running == 0 and not (self._heap and self._heap[0].due <= time.monotonic())

        deadline = time.monotonic() + timeout
        with self._changed:
            while not quiet():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                # Woken by each finished job; the short cap notices a delayed job falling due.
                self._changed.wait(min(left, 0.05))
            return True

    def stop(self, timeout: float) -> bool:
        """Drop what is queued, let running jobs finish, end the threads; ``True`` when all ended."""
        with self._changed:
            self._stopping = True
            self._heap.clear()
            threads, self._threads = self._threads, []
            self._changed.notify_all()
        for thread in threads:
            thread.join(timeout)
        return not any(t.is_alive() for t in threads)

    @property
    def threads(self) -> list[threading.Thread]:
        return [t for t in self._threads if t.is_alive()] if self._pid == os.getpid() else []
