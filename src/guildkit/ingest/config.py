"""The ingest feature's ``GUILDKIT_INGEST_*`` keys: defaults and checks (documented in docs/config.md)."""

from __future__ import annotations

from typing import Any

from guildkit.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    # Activities the drain records per transaction (one pass of the pipeline, like record_many).
    "GUILDKIT_INGEST_BATCH_SIZE": 200,
    # At most one drain is queued per process in this many seconds; every accepted activity has
    # one queued at or after it, so this bounds how long it waits for the drain to start.
    "GUILDKIT_INGEST_WAKE_SECONDS": 0.05,
    # How long one run of the drain job keeps draining before it queues another run and returns
    # (so a backlog never holds a job thread or a worker for long).
    "GUILDKIT_INGEST_DRAIN_SECONDS": 10.0,
}


def check(config: Any) -> None:
    size = config["GUILDKIT_INGEST_BATCH_SIZE"]
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 10_000:
        raise ConfigurationError(f"GUILDKIT_INGEST_BATCH_SIZE must be an integer from 1 to 10000, got {size!r}")
    for name in ("GUILDKIT_INGEST_WAKE_SECONDS", "GUILDKIT_INGEST_DRAIN_SECONDS"):
        value = config[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigurationError(f"{name} must be a number of seconds (0 or more), got {value!r}")
