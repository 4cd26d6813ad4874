"""Deliveries run as guildkit jobs (``gk.jobs``), on whichever backend the host chose: threads in
the web process by default, Celery workers with ``GUILDKIT_JOBS_BACKEND = "celery"``.

* ``guildkit_webhooks.deliver(delivery=<delivery id>)`` — queued for each row as it is written
  (after the commit). It claims that row if it is due, sends it and records the attempt, then
  queues itself again for when the row is next due (a retry's backoff, or the end of another
  worker's lease) until the row has succeeded or failed. Running it twice is harmless: the claim
  lets one run send, and a finished row makes it a no-op.
* ``guildkit_webhooks.deliver_due()`` — drains every due row: the periodic job (every
  ``GUILDKIT_WEBHOOKS_POLL_SECONDS`` on Celery beat) that picks up what no message is coming
  for (the lease of a worker that died, rows queued while the broker was down), and what
  :func:`wake` queues when it is given no ids.

The rows are the truth and a message only says "look now": a worker killed mid-send leaves a
``delivering`` row whose lease ends, and the redelivered message (``acks_late``) or the next
periodic run sends it again (at least once; receivers de-duplicate by ``webhook-id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from guildkit import GuildKit, hookimpl
from guildkit.jobs import Job, PeriodicJob

from . import settings as settings_module
from .delivery import claim_next, deliver_due, finish, seconds_until_due, send

DELIVER = "guildkit_webhooks.deliver"
DELIVER_DUE = "guildkit_webhooks.deliver_due"
#: The shortest wait before looking at a row again, so a row held by another worker is not spun on.
MIN_WAIT = 0.05


def deliver(gk: GuildKit, delivery: str) -> float | None:
    """Send delivery ``delivery`` if it is due; returns the seconds until it is next due (``None``
    once it succeeded or failed)."""
    settings = settings_module.current()
    claimed = claim_next(gk, settings, delivery)
    if claimed is not None:
        finish(gk, settings, claimed, send(claimed, settings.timeout))
    wait = seconds_until_due(gk, delivery)
    if wait is not None and settings.worker:
        gk.jobs.enqueue(DELIVER, delivery=delivery, delay=max(MIN_WAIT, wait))
    return wait


def drain(gk: GuildKit) -> int:
    """Send every delivery that is due; returns how many attempts were made."""
    return deliver_due(gk)


def wake(gk: GuildKit, delivery_ids: Iterable[str] = ()) -> None:
    """Queue a job for each delivery in ``delivery_ids`` (or, with none, one that drains what is
    due), unless ``GUILDKIT_WEBHOOKS_WORKER`` is off. Call it after the rows committed."""
    if not settings_module.read(current_app.config).worker:
        return
    ids = list(delivery_ids)
    for delivery_id in ids:
        gk.jobs.enqueue(DELIVER, delivery=delivery_id)
    if not ids:
        gk.jobs.enqueue(DELIVER_DUE)


@hookimpl
def guildkit_register_jobs(gk: GuildKit) -> list[Job]:
    return [
        Job(DELIVER, deliver, "Send one webhook or raw delivery when it is due, and see it through its retries."),
        Job(DELIVER_DUE, drain, "Send every due delivery: retries, expired leases, rows no message is coming for."),
    ]


@hookimpl
def guildkit_register_periodic_jobs(gk: GuildKit) -> list[PeriodicJob]:
    settings = settings_module.current()
    if not settings.worker:
        return []  # the host drains with `flask webhooks deliver` instead
    return [PeriodicJob(DELIVER_DUE, timedelta(seconds=settings.poll_seconds))]
