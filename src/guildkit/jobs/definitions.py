"""What a plugin contributes to the jobs seam: a :class:`Job` (a named function run in the
background) and a :class:`PeriodicJob` (when to run one on its own).

Arguments cross a broker, so they are JSON: ids and plain values, never ORM objects or
datetimes (:func:`check_arguments`). A job must be idempotent and safe to retry: it can run
twice (a retry, a redelivered message) and can die at any line, so the database, not the
message, says what is left to do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from guildkit.errors import ConfigurationError, NotFound, ValidationError

#: ``owner.name``: lower-case dotted words, the first naming the plugin (``guildkit.trust.sweep``,
#: ``guildkit_webhooks.deliver``). The name is the Celery task's name too.
JOB_NAME = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")


class UnknownJob(NotFound):
    """No registered plugin offers a job of this name."""

    code = "unknown_job"

    def __init__(self, name: str) -> None:
        super().__init__(f"no job named {name!r} is registered (flask guildkit jobs list)", name=name)
        self.name = name


@dataclass(frozen=True)
class Job:
    """A named function that runs in the background: ``run(gk, **arguments)``.

    It runs in the app's context, in whatever process the backend chose (the caller's, a
    thread, a Celery worker), and may return a JSON value (logged, and printed by
    ``flask guildkit jobs run``). An exception retries it with exponential backoff, at most
    ``max_retries`` times.
    """

    name: str
    run: Callable[..., Any]
    description: str = ""
    max_retries: int = 3

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not JOB_NAME.match(self.name):
            raise ConfigurationError(f"job name {self.name!r} must be dotted lower-case words: 'myplugin.sync'")
        if not callable(self.run):
            raise ConfigurationError(f"job {self.name!r}: run must be callable as run(gk, **arguments)")
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ConfigurationError(f"job {self.name!r}: max_retries must be a non-negative integer")


@dataclass(frozen=True)
class PeriodicJob:
    """Run the registered job ``job`` every ``every``, with ``arguments``.

    On Celery, beat sends it; a run not started within one period is dropped (``expires``), so
    a backlog never piles up while workers are down. In-process backends never run it on their
    own: cron runs ``flask guildkit jobs run NAME`` instead (docs/jobs.md). The host can change
    the period or switch it off with ``GUILDKIT_JOBS_SCHEDULE``.
    """

    job: str
    every: timedelta
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.every, timedelta) or self.every <= timedelta(0):
            raise ConfigurationError(f"periodic job {self.job!r}: every must be a positive timedelta")
        check_arguments(self.job, self.arguments)

    @property
    def seconds(self) -> float:
        return self.every.total_seconds()


def check_arguments(name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """``arguments`` as they will arrive in the job: JSON round-tripped, or a ValidationError."""
    try:
        decoded: dict[str, Any] = json.loads(json.dumps(dict(arguments), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"job {name!r}: arguments must be JSON (pass ids, not objects): {exc}", field="arguments"
        ) from None
    if decoded != dict(arguments):
        raise ValidationError(f"job {name!r}: arguments change on the way through JSON (tuples?)", field="arguments")
    return decoded
