"""The retention policy in force: what the config says, with what plugins ask to keep.

Read again at each run (it is cheap), so a changed setting or a plugin switched on takes effect
at the next run without a restart of workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from guildkit.errors import ConfigurationError
from guildkit.plugins import contributions
from guildkit.retention.config import check_keep

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

HOOK = "guildkit_register_retained_payload"


@dataclass(frozen=True)
class Policy:
    """Compact activities older than ``days`` (``None``: never), of ``types`` (``None``: all)."""

    days: int | None
    types: frozenset[str] | None = None
    #: Payload fields kept per activity type: the config's and the plugins'.
    keep: Mapping[str, frozenset[str]] = field(default_factory=dict)
    batch_size: int = 1000

    @property
    def active(self) -> bool:
        return self.days is not None

    def cutoff(self, now: datetime) -> datetime:
        """Activities that occurred before this moment are compacted."""
        if self.days is None:
            raise ConfigurationError("the retention policy is off (GUILDKIT_RETENTION_DAYS is None): nothing is due")
        return now - timedelta(days=self.days)

    def kept(self, type_: str, payload: object) -> dict[str, Any]:
        """What is left of ``payload`` once compacted: the fields kept for ``type_``, if present."""
        fields = self.keep.get(type_, ())
        if not fields or not isinstance(payload, dict):
            return {}
        return {name: payload[name] for name in sorted(fields) if name in payload}

    def out(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "types": None if self.types is None else sorted(self.types),
            "keep_payload": {type_: sorted(fields) for type_, fields in sorted(self.keep.items())},
            "batch_size": self.batch_size,
        }


def policy_of(gk: GuildKit, config: Mapping[str, Any]) -> Policy:
    """The app's policy (``config`` is its ``app.config``, checked at start-up)."""
    days = config["GUILDKIT_RETENTION_DAYS"]
    types = config["GUILDKIT_RETENTION_TYPES"]
    keep: dict[str, set[str]] = {}
    wanted = [("config", config["GUILDKIT_RETENTION_KEEP_PAYLOAD"])]
    if days is not None:  # plugins are asked only when something will be compacted
        wanted += [(plugin, asked) for plugin, asked in contributions(gk.pm, HOOK, gk=gk) if asked is not None]
    for source, asked in wanted:
        check_keep(f"{HOOK} of {source}" if source != "config" else "GUILDKIT_RETENTION_KEEP_PAYLOAD", asked)
        for type_, fields in asked.items():
            keep.setdefault(type_, set()).update(fields)
    return Policy(
        days=days,
        types=None if types is None else frozenset(types),
        keep={type_: frozenset(fields) for type_, fields in keep.items()},
        batch_size=config["GUILDKIT_RETENTION_BATCH_SIZE"],
    )
