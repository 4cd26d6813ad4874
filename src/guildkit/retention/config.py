"""The retention policy's ``GUILDKIT_RETENTION_*`` keys: defaults and checks (docs/config.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guildkit.errors import ConfigurationError

#: A batch is one short write transaction: large enough to amortise a commit, small enough that
#: writers waiting for SQLite's lock (or a PostgreSQL row lock) wait milliseconds, not seconds.
MAX_BATCH_SIZE = 50_000

DEFAULTS: dict[str, Any] = {
    # Compact activities that occurred more than this many days ago (None: never compact).
    "GUILDKIT_RETENTION_DAYS": None,
    # Only these activity types are compacted (None: every type).
    "GUILDKIT_RETENTION_TYPES": None,
    # Payload fields kept when an activity is compacted: {activity type: [field, ...]}, added to
    # those plugins ask for (guildkit_register_retained_payload).
    "GUILDKIT_RETENTION_KEEP_PAYLOAD": {},
    # How many activities one compaction transaction changes at most.
    "GUILDKIT_RETENTION_BATCH_SIZE": 1000,
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _names(value: object) -> bool:
    """A list, tuple or set of non-empty strings (a lone string is a common slip, refused)."""
    return isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str) and v for v in value)


def check_keep(key: str, keep: object) -> None:
    if not isinstance(keep, Mapping) or not all(
        isinstance(type_, str) and type_ and _names(fields) for type_, fields in keep.items()
    ):
        raise ConfigurationError(f"{key} must map activity types to lists of payload field names, got {keep!r}")


def check(config: Any) -> None:
    days = config["GUILDKIT_RETENTION_DAYS"]
    if days is not None and (not _is_int(days) or days < 1):
        raise ConfigurationError(
            f"GUILDKIT_RETENTION_DAYS must be None (never compact) or a positive number of days, got {days!r}"
        )
    types = config["GUILDKIT_RETENTION_TYPES"]
    if types is not None and (not _names(types) or not types):
        raise ConfigurationError(
            f"GUILDKIT_RETENTION_TYPES must be None (every type) or a non-empty list of activity types, got {types!r}"
        )
    check_keep("GUILDKIT_RETENTION_KEEP_PAYLOAD", config["GUILDKIT_RETENTION_KEEP_PAYLOAD"])
    size = config["GUILDKIT_RETENTION_BATCH_SIZE"]
    if not _is_int(size) or not 1 <= size <= MAX_BATCH_SIZE:
        raise ConfigurationError(
            f"GUILDKIT_RETENTION_BATCH_SIZE must be an integer from 1 to {MAX_BATCH_SIZE}, got {size!r}"
        )
