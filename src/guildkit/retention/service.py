"""``gk.retention``: the policy in force, and compacting by hand or from the periodic job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

from guildkit.retention.compaction import Compaction, compact
from guildkit.retention.policy import Policy, policy_of

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


class Retention:
    """The retention policy of the app in hand (``GUILDKIT_RETENTION_*``, docs/retention.md)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def policy(self) -> Policy:
        """The policy in force: the config, with the payload fields plugins ask to keep."""
        return policy_of(self.gk, current_app.config)

    def compact(self, *, dry_run: bool = False) -> Compaction:
        """Compact the activities that are due now (none while ``GUILDKIT_RETENTION_DAYS`` is None).

        Idempotent and resumable: each batch commits alone, and a second run finds nothing due.
        With ``dry_run``, counts what it would compact and writes nothing.
        """
        return compact(self.gk.store, self.policy(), self.gk.clock(), dry_run=dry_run)
