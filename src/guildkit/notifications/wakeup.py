"""Waking the send job soon after something was recorded, so emails go out without waiting for cron.

Notifications are written by the core and the features in their own transactions, mostly with
an activity; the plugin hears of each recorded activity after its commit
(``guildkit_activity_recorded``) and queues the send job, due when a notification made now will
be due (``GUILDKIT_NOTIFICATIONS_EMAIL_DELAY``). Not for every activity: each process queues at
most one run per ``GUILDKIT_NOTIFICATIONS_WAKE_SECONDS``, and always one due at or after what
was just written (``None``: never, leaving it all to the periodic run and cron). A lost wake-up
costs a delay until the periodic run, never an email.

The listener, :class:`Waker`, is registered only on a GuildKit whose app sends email and wakes
the job (:func:`listen`): a plugin hearing every recorded activity makes the pipeline keep
and announce each one, which a site without email should not pay for.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app

from guildkit.markers import hookimpl
from guildkit.notifications.mailer import MailSettings

if TYPE_CHECKING:
    from guildkit.activity import ActivityResult, ActivityView
    from guildkit.extension import GuildKit

#: The send job's name (also the Celery task's).
SEND = "guildkit.notifications.send"
STATE_KEY = "guildkit.notifications.wake"
#: The listener's plugin name.
WAKER = "guildkit.notifications.wake"


@dataclass
class WakeState:
    """Per app and process, in ``app.extensions["guildkit.notifications.wake"]``."""

    pid: int = field(default_factory=os.getpid)
    #: ``time.monotonic()`` when the last run queued by this process is due.
    due: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


def wake(gk: GuildKit) -> None:
    """Queue a send run unless one was queued here within the interval (or email is off)."""
    config = current_app.config
    interval = config["GUILDKIT_NOTIFICATIONS_WAKE_SECONDS"]
    if interval is None or not MailSettings.of(config).enabled:
        return
    delay = float(config["GUILDKIT_NOTIFICATIONS_EMAIL_DELAY"])
    if gk.jobs.backend == "inline":  # it runs the job now (and drops a delayed one): no queue to spare
        gk.jobs.enqueue(SEND, delay=delay)
        return
    state: WakeState = current_app.extensions.setdefault(STATE_KEY, WakeState())
    now = time.monotonic()
    with state.lock:
        if state.pid != os.getpid():
            state.pid, state.due = os.getpid(), float("-inf")  # a forked child: its parent's queue is not its own
        if state.due >= now + delay:
            return  # a run already queued here will find what was just written
        state.due = max(now + delay, state.due + float(interval))
        wait = state.due - now
    gk.jobs.enqueue(SEND, delay=wait)


class Waker:
    """Hears every recorded activity, after its commit, and wakes the send job."""

    @hookimpl
    def guildkit_activity_recorded(self, gk: GuildKit, activity: ActivityView, result: ActivityResult) -> None:
        wake(gk)


def listen(gk: GuildKit, app: Flask) -> None:
    """Register the :class:`Waker` (once per GuildKit) when ``app`` sends email and wakes the job."""
    wanted = app.config["GUILDKIT_NOTIFICATIONS_WAKE_SECONDS"] is not None and MailSettings.of(app.config).enabled
    if wanted and gk.pm.get_plugin(WAKER) is None:
        gk.register(Waker(), name=WAKER)
