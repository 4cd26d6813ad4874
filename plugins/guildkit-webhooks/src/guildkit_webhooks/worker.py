"""The background worker: daemon threads per app that run :func:`.delivery.deliver_due`.

Nothing starts at import or in ``init_app``. The first enqueue in a process (with
``GUILDKIT_WEBHOOKS_WORKER`` on) starts ``GUILDKIT_WEBHOOKS_WORKER_THREADS`` daemon threads;
each enqueue sets a ``threading.Event`` that wakes them. Between wake-ups an idle thread sleeps
until the next retry is due (by ``gk.clock()``), at most ``GUILDKIT_WEBHOOKS_POLL_SECONDS``, so
retries, deliveries queued by other processes and expired leases are picked up too. After a
``fork`` the threads are started again in the child. :func:`stop_worker` stops and joins them.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app
from guildkit import GuildKit

from . import settings as settings_module
from .delivery import deliver_due
from .tables import DELIVERIES

log = logging.getLogger("guildkit.webhooks")

STATE_KEY = "guildkit_webhooks"
#: The shortest idle wait, so a row due "now" but held by another worker is not spun on.
MIN_WAIT = 0.05


@dataclass
class WorkerState:
    """Per-app worker state, in ``app.extensions["guildkit_webhooks"]``."""

    wake: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    pid: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def state_of(app: Flask) -> WorkerState:
    state = app.extensions.get(STATE_KEY)
    if state is None:
        state = app.extensions.setdefault(STATE_KEY, WorkerState())
    assert isinstance(state, WorkerState)
    return state


def wake() -> None:
    """Tell the current app's worker there is work, starting it if it is on and not running."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = settings_module.read(app.config)
    if not settings.worker:
        return
    state = state_of(app)
    with state.lock:
        alive = state.pid == os.getpid() and any(t.is_alive() for t in state.threads)
        if not alive:
            _start(app, state, settings.worker_threads)
    state.wake.set()


def _start(app: Flask, state: WorkerState, count: int) -> None:
    state.stop.clear()
    state.pid = os.getpid()
    state.threads = [
        threading.Thread(target=_run, args=(app, state), name=f"guildkit-webhooks-{n + 1}", daemon=True)
        for n in range(count)
    ]
    for thread in state.threads:
        thread.start()


def _run(app: Flask, state: WorkerState) -> None:
    gk: GuildKit = app.extensions["guildkit"].gk
    while not state.stop.is_set():
        # Cleared before looking, so an enqueue that lands after the look still wakes us.
        state.wake.clear()
        wait = None
        try:
            with app.app_context():
                deliver_due(gk, stop=state.stop)
                wait = _seconds_until_due(gk, settings_module.read(app.config).poll_seconds)
        except Exception:
            log.exception("guildkit webhooks: the worker failed; trying again later")
        state.wake.wait(wait if wait is not None else settings_module.read(app.config).poll_seconds)


def _seconds_until_due(gk: GuildKit, poll: float) -> float:
    with gk.store.engine.connect() as conn:
        due: datetime | None = conn.execute(
            sa.select(sa.func.min(DELIVERIES.c.next_attempt_at)).where(
                DELIVERIES.c.status.in_(("pending", "delivering"))
            )
        ).scalar()
    if due is None:
        return poll
    return max(MIN_WAIT, min(poll, (due - gk.clock()).total_seconds()))


def stop_worker(app: Flask, timeout: float = 10.0) -> bool:
    """Stop the app's worker threads and wait for them (up to ``timeout`` seconds each).

    Returns ``True`` when every thread has ended. A delivery being sent finishes first (at most
    ``GUILDKIT_WEBHOOKS_TIMEOUT``). Later enqueues start the worker again.
    """
    state = state_of(app)
    with state.lock:
        state.stop.set()
        state.wake.set()
        threads, state.threads = state.threads, []
    for thread in threads:
        thread.join(timeout)
    return not any(t.is_alive() for t in threads)


def is_running(app: Flask) -> bool:
    state = state_of(app)
    return state.pid == os.getpid() and any(t.is_alive() for t in state.threads)
