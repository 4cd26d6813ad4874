"""The jobs seam's ``GUILDKIT_JOBS_*`` keys: defaults and checks (documented in docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.errors import ConfigurationError

BACKENDS = ("inline", "thread", "celery")

DEFAULTS: dict[str, Any] = {
    # Where background jobs run: "thread" (daemon threads in this process), "inline" (at once, in
    # the caller) or "celery" (Celery workers, through GUILDKIT_JOBS_BROKER_URL).
    "GUILDKIT_JOBS_BACKEND": "thread",
    # How many threads the "thread" backend runs jobs on, per app and process.
    "GUILDKIT_JOBS_THREADS": 2,
    # The Celery broker ("redis://localhost:6379/0"); the "celery" backend needs it.
    "GUILDKIT_JOBS_BROKER_URL": None,
    # More Celery settings (lower-case names), applied over guildkit's own.
    "GUILDKIT_JOBS_CELERY": {},
    # The periodic jobs' schedule changed by the host: {job name: seconds, or None for never}.
    "GUILDKIT_JOBS_SCHEDULE": {},
}


def check(config: Any) -> None:
    backend = config["GUILDKIT_JOBS_BACKEND"]
    if backend not in BACKENDS:
        raise ConfigurationError(f"GUILDKIT_JOBS_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}")
    threads = config["GUILDKIT_JOBS_THREADS"]
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ConfigurationError(f"GUILDKIT_JOBS_THREADS must be a positive integer, got {threads!r}")
    broker = config["GUILDKIT_JOBS_BROKER_URL"]
    if broker is not None and (not isinstance(broker, str) or not broker):
        raise ConfigurationError("GUILDKIT_JOBS_BROKER_URL must be None or a broker URL")
    if backend == "celery" and broker is None:
        raise ConfigurationError("GUILDKIT_JOBS_BACKEND 'celery' needs GUILDKIT_JOBS_BROKER_URL (redis://…)")
    settings = config["GUILDKIT_JOBS_CELERY"]
    if not isinstance(settings, dict) or not all(isinstance(k, str) and k.islower() for k in settings):
        raise ConfigurationError("GUILDKIT_JOBS_CELERY must be a dict of lower-case Celery setting names")
    schedule = config["GUILDKIT_JOBS_SCHEDULE"]
    if not isinstance(schedule, dict):
        raise ConfigurationError("GUILDKIT_JOBS_SCHEDULE must be a dict of job names to seconds (or None)")
    for name, seconds in schedule.items():
        wrong = isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0
        if not isinstance(name, str) or (seconds is not None and wrong):
            raise ConfigurationError(
                f"GUILDKIT_JOBS_SCHEDULE[{name!r}] must be a positive number of seconds or None, got {seconds!r}"
            )
