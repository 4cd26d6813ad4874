"""Waking the drain: queue a drain job soon after each accepted activity, but not for every one.

At 2,000 activities a second, a job per activity would flood the broker (and the thread
backend's queue) with drains that each find nothing. Instead each process queues at most one
drain per ``GUILDKIT_INGEST_WAKE_SECONDS``, and always one that is due at or after the
activity's commit: if the last drain queued here is due later than now, it will see the new row;
otherwise a new one is queued, due one interval after the last (or now). So no accepted
activity waits for a drain longer than the interval plus the queue's own delay, and a burst
costs one job per interval, not one per activity.

The ``inline`` backend drops delayed jobs, so there every accepted activity drains at once.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: The drain job's name (also the Celery task's).
DRAIN = "guildkit.ingest.drain"
STATE_KEY = "guildkit.ingest"


@dataclass
class WakeState:
    """Per app and process, in ``app.extensions["guildkit.ingest"]``."""

    pid: int = field(default_factory=os.getpid)
    #: ``time.monotonic()`` when the last drain queued by this process is due.
    due: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


def wake(gk: GuildKit) -> None:
    """Make sure a drain will start after now, within the configured interval."""
    if gk.jobs.backend == "inline":
        gk.jobs.enqueue(DRAIN)
        return
    state: WakeState = current_app.extensions.setdefault(STATE_KEY, WakeState())
    interval = float(current_app.config["GUILDKIT_INGEST_WAKE_SECONDS"])
    now = time.monotonic()
    with state.lock:
        if state.pid != os.getpid():
            # A forked child: the drains its parent queued on threads are not in its queue.
            state.pid, state.due = os.getpid(), float("-inf")
        if state.due > now:
            return
        delay = max(0.0, state.due + interval - now)
        state.due = now + delay
    gk.jobs.enqueue(DRAIN, delay=delay)
