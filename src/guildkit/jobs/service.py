"""``gk.jobs``: enqueue a job by name, run one now, and read what plugins registered.

The registered jobs come from ``guildkit_register_jobs``, gathered per app once for the plugins
registered (and again when that set changes); the schedule from
``guildkit_register_periodic_jobs``, with ``GUILDKIT_JOBS_SCHEDULE`` applied over it. Where a
job runs is the app's ``GUILDKIT_JOBS_BACKEND``; the same :func:`execute` runs it everywhere:
inline in the caller, on a thread, in a Celery worker.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from guildkit.current import current_guildkit
from guildkit.errors import ConfigurationError, DuplicateDefinition, PluginError, ValidationError
from guildkit.jobs import celery_backend
from guildkit.jobs.definitions import Job, PeriodicJob, UnknownJob, check_arguments
from guildkit.jobs.threads import ThreadRunner
from guildkit.plugins import contributions

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

log = logging.getLogger("guildkit.jobs")

STATE_KEY = "guildkit.jobs"


@dataclass
class JobsState:
    """Per-app state, in ``app.extensions["guildkit.jobs"]``."""

    #: The process that set the app up: a job running in another one was forked from it.
    pid: int = field(default_factory=os.getpid)
    #: The registered plugins the jobs below were gathered from.
    plugins: frozenset[str] | None = None
    jobs: dict[str, Job] = field(default_factory=dict)
    runner: ThreadRunner | None = None
    celery: Any = None
    #: The registered plugins the Celery app's tasks and schedule were made from.
    celery_plugins: frozenset[str] | None = None
    #: Re-entrant: making the Celery app (under it) gathers the jobs (under it too).
    lock: threading.RLock = field(default_factory=threading.RLock)


def state_of(app: Flask) -> JobsState:
    state: JobsState = app.extensions[STATE_KEY]
    return state


def execute(app: Flask, name: str, arguments: dict[str, Any]) -> Any:
    """Run the job ``name`` in ``app``'s context: what every backend calls."""
    with app.app_context():
        gk = current_guildkit()
        state = state_of(app)
        if state.pid != os.getpid():
            # A forked Celery worker: connections opened before the fork belong to the parent.
            gk.store.engine.dispose(close=False)
            state.pid = os.getpid()
        result = gk.jobs.job(name).run(gk, **arguments)
        log.debug("guildkit jobs: %s(%s) returned %r", name, arguments, result)
        return result


class Jobs:
    """Background jobs for the current app (``gk.jobs``); see docs/jobs.md."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    @property
    def backend(self) -> str:
        """``"inline"``, ``"thread"`` or ``"celery"`` (``GUILDKIT_JOBS_BACKEND``)."""
        backend: str = current_app.config["GUILDKIT_JOBS_BACKEND"]
        return backend

    def registered(self) -> dict[str, Job]:
        """Every job the registered plugins offer, by name."""
        state = state_of(current_app)
        plugins = frozenset(name for name, _ in self.gk.pm.list_name_plugin())
        if state.plugins != plugins:
            with state.lock:
                state.jobs = self._gather()
                state.plugins = plugins
        return state.jobs

    def _gather(self) -> dict[str, Job]:
        found: dict[str, Job] = {}
        origin: dict[str, str] = {}
        for plugin, contributed in contributions(self.gk.pm, "guildkit_register_jobs", gk=self.gk):
            for job in contributed or ():
                if not isinstance(job, Job):
                    raise PluginError(f"{plugin} returned {job!r} from guildkit_register_jobs, not a Job")
                if job.name in found:
                    raise DuplicateDefinition("job", job.name, origin[job.name], plugin)
                found[job.name], origin[job.name] = job, plugin
        return found

    def job(self, name: str) -> Job:
        """The registered job ``name``, or :class:`~guildkit.jobs.UnknownJob`."""
        if not isinstance(name, str):
            raise ValidationError("a job name is a text", field="name")
        try:
            return self.registered()[name]
        except KeyError:
            raise UnknownJob(name) from None

    def schedule(self) -> list[PeriodicJob]:
        """The periodic jobs, after ``GUILDKIT_JOBS_SCHEDULE``: what Celery beat sends."""
        jobs = self.registered()
        entries: list[PeriodicJob] = []
        for plugin, contributed in contributions(self.gk.pm, "guildkit_register_periodic_jobs", gk=self.gk):
            for periodic in contributed or ():
                if not isinstance(periodic, PeriodicJob):
                    raise PluginError(
                        f"{plugin} returned {periodic!r} from guildkit_register_periodic_jobs, not a PeriodicJob"
                    )
                if periodic.job not in jobs:
                    raise ConfigurationError(f"{plugin} schedules {periodic.job!r}, which no plugin registers")
                entries.append(periodic)
        for name, seconds in current_app.config["GUILDKIT_JOBS_SCHEDULE"].items():
            if name not in jobs:
                raise ConfigurationError(f"GUILDKIT_JOBS_SCHEDULE names {name!r}, which no plugin registers")
            kept = [e for e in entries if e.job != name]
            if seconds is not None:
                every = timedelta(seconds=seconds)
                mine = [PeriodicJob(name, every, e.arguments) for e in entries if e.job == name]
                kept += mine or [PeriodicJob(name, every)]
            entries = kept
        return entries

    def enqueue(self, name: str, /, *, delay: float = 0.0, **arguments: Any) -> None:
        """Have the job ``name`` run in the background, after ``delay`` seconds, with ``arguments``.

        Call it after your transaction committed: the job may start before this returns.
        ``arguments`` must be JSON (ids, not objects). The ``inline`` backend runs the job now, in
        the caller, and leaves a delayed one to the periodic jobs (it has no clock of its own).
        """
        job = self.job(name)
        checked = check_arguments(name, arguments)
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        backend = self.backend
        if backend == "inline":
            if delay > 0:
                log.debug("guildkit jobs: inline backend leaves delayed %s(%s) to the periodic jobs", name, checked)
                return
            job.run(self.gk, **checked)
        elif backend == "thread":
            self._runner(app).submit(name, checked, delay, job.max_retries)
        else:
            celery_backend.send(self.celery(), name, checked, delay)

    def run(self, name: str, /, **arguments: Any) -> Any:
        """Run the job ``name`` here and now (cron, a CLI command, a test); returns what it returned."""
        job = self.job(name)
        return job.run(self.gk, **check_arguments(name, arguments))

    def celery(self) -> Any:
        """The current app's Celery app (made on first use): what ``celery -A`` and the worker run."""
        if self.backend != "celery":
            raise ConfigurationError("the Celery app needs GUILDKIT_JOBS_BACKEND = 'celery'")
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        state = state_of(app)
        plugins = frozenset(name for name, _ in self.gk.pm.list_name_plugin())
        with state.lock:
            if state.celery is None or state.celery_plugins != plugins:
                # Made again when a plugin registered since: its jobs need tasks too.
                state.celery = celery_backend.make_celery(app, self.registered().values(), self.schedule(), execute)
                state.celery_plugins = plugins
            return state.celery

    def _runner(self, app: Flask) -> ThreadRunner:
        state = state_of(app)
        with state.lock:
            if state.runner is None:
                state.runner = ThreadRunner(app, app.config["GUILDKIT_JOBS_THREADS"], execute)
            return state.runner

    def wait(self, timeout: float = 10.0) -> bool:
        """Wait until the ``thread`` backend has no job running or due now (tests, scripts);
        ``False`` on timeout. Other backends have nothing in this process to wait for."""
        runner = state_of(current_app).runner
        return runner is None or runner.idle(timeout)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the ``thread`` backend's threads in this process, dropping what is queued (the
        database keeps the work); a later enqueue starts them again. ``True`` when all ended."""
        runner = state_of(current_app).runner
        return runner is None or runner.stop(timeout)

    def threads(self) -> list[threading.Thread]:
        """The ``thread`` backend's live threads in this process."""
        runner = state_of(current_app).runner
        return [] if runner is None else runner.threads
