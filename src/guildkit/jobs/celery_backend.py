"""The "celery" backend: one Celery app per Flask app, a task per job, beat for periodic jobs.

Celery's own Flask pattern: the app factory makes the Celery app (:func:`make_celery`) and each
task runs in the Flask app's context. Every task is declared to survive a worker that dies:

* ``acks_late`` — the message is acknowledged after the job ran, not when it was received, so a
  worker killed mid-job leaves it with the broker, which hands it out again (Redis: after the
  ``visibility_timeout`` in ``broker_transport_options``).
* ``reject_on_worker_lost`` — a pool process killed mid-job (OOM, ``kill -9``) gives the message
  back at once instead of acknowledging it as failed.
* ``autoretry_for=(Exception,)`` with exponential backoff and jitter, up to the job's
  ``max_retries``; ``worker_prefetch_multiplier = 1`` so a busy worker does not sit on messages
  others could run.

Messages are JSON, and results are not kept (no result backend is needed). A message is a
wake-up call, not the work: jobs keep their work in the database, so a lost or doubled message
costs a delay or a no-op, never a lost or doubled effect.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask

from guildkit.jobs.definitions import Job, PeriodicJob
from guildkit.jobs.threads import Execute

#: guildkit's Celery settings; ``GUILDKIT_JOBS_CELERY`` is applied over them.
SETTINGS: dict[str, Any] = {
    "task_serializer": "json",
    "accept_content": ["json"],
    "task_ignore_result": True,
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "broker_connection_retry_on_startup": True,
    "enable_utc": True,
    "timezone": "UTC",
}
#: The longest wait between two automatic retries of a failing task.
RETRY_BACKOFF_MAX = 600


def make_celery(app: Flask, jobs: Iterable[Job], schedule: Iterable[PeriodicJob], execute: Execute) -> Any:
    """The Celery app of ``app``: its broker, a task for each job, beat's schedule."""
    from celery import Celery  # type: ignore[import-untyped] # an optional dependency: guildkit[celery]

    celery = Celery(app.import_name, set_as_current=False)
    celery.conf.update(
        SETTINGS,
        broker_url=app.config["GUILDKIT_JOBS_BROKER_URL"],
        beat_schedule=beat_schedule(schedule),
        # Beat's record of when each entry last ran: next to the app's other instance files.
        beat_schedule_filename=os.path.join(app.instance_path, "guildkit-celerybeat-schedule"),
    )
    celery.conf.update(app.config["GUILDKIT_JOBS_CELERY"])
    for job in jobs:
        _declare(celery, app, job, execute)
    return celery


def _declare(celery: Any, app: Flask, job: Job, execute: Execute) -> None:
    def run(**arguments: Any) -> Any:
        return execute(app, job.name, arguments)

    run.__name__ = run.__qualname__ = job.name.replace(".", "_")
    celery.task(
        name=job.name,
        # shared=False: the task belongs to this Celery app only, not to every app made later.
        shared=False,
        acks_late=True,
        reject_on_worker_lost=True,
        autoretry_for=(Exception,),
        max_retries=job.max_retries,
        retry_backoff=True,
        retry_backoff_max=RETRY_BACKOFF_MAX,
        retry_jitter=True,
        ignore_result=True,
    )(run)


def beat_schedule(schedule: Iterable[PeriodicJob]) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for periodic in schedule:
        key, n = periodic.job, 1
        while key in entries:
            n += 1
            key = f"{periodic.job}#{n}"
        entries[key] = {
            "task": periodic.job,
            "schedule": periodic.seconds,
            "kwargs": dict(periodic.arguments),
            # A run that could not start within its period is dropped: the next one does its work.
            "options": {"expires": periodic.seconds},
        }
    return entries


def send(celery: Any, name: str, arguments: Mapping[str, Any], delay: float) -> None:
    celery.tasks[name].apply_async(kwargs=dict(arguments), countdown=delay if delay > 0 else None)
