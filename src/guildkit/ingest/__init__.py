"""Async ingestion: ``gk.record(..., wait=False)`` and ``POST /activities`` with ``Prefer:
respond-async`` store the activity in one insert and answer at once; a job records it soon after.

``gk.ingest`` (:class:`Ingest`) is the feature's service: :meth:`~Ingest.accept` (what the
``guildkit_accept_activity`` hook runs), :meth:`~Ingest.status`, :meth:`~Ingest.drain` (what the
``guildkit.ingest.drain`` job runs), :meth:`~Ingest.retry` and :meth:`~Ingest.counts`. The
statements are in :mod:`.inbox`, the drain in :mod:`.draining`, waking it in :mod:`.wakeup`;
docs/ingest.md explains the design and what is guaranteed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask import current_app

from guildkit.activity import Accepted, ActivityInput
from guildkit.errors import ValidationError
from guildkit.ingest import inbox
from guildkit.ingest.draining import Drained, drain
from guildkit.ingest.wakeup import wake
from guildkit.results import stored_result
from guildkit.text import check_text

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

__all__ = ["Drained", "Ingest"]


class Ingest:
    """Activities accepted for later, for the current app (``gk.ingest``)."""

    def __init__(self, gk: GuildKit) -> None:
        self.gk = gk

    def accept(self, activity: ActivityInput) -> Accepted:
        """Store a validated activity (one insert) and wake the drain; see ``gk.record(..., wait=False)``."""
        if not isinstance(activity, ActivityInput):
            raise ValidationError(
                "activity must be an ActivityInput (use gk.record(..., wait=False))", field="activity"
            )
        now = self.gk.clock()
        accepted, _ = self.gk.store.run_write(lambda conn: inbox.accept(conn, activity, now))
        if accepted.pending:
            # After the commit: a drain that starts now must see the row.
            wake(self.gk)
        return accepted  # type: ignore[no-any-return]

    def status(self, key: str) -> Accepted | None:
        """Where ``key`` stands: pending or failed here, recorded, or ``None`` if unknown."""
        check_text(key, "key", one_line=True)
        with self.gk.store.engine.connect() as conn:
            # The inbox first: the drain deletes a row in the transaction that records it.
            found = inbox.lookup(conn, key)
            if found is not None:
                return found
            result = stored_result(conn, key)
        return None if result is None else Accepted(key, "recorded", result=result)

    def drain(self, *, batch_size: int | None = None, budget: float | None = None) -> Drained:
        """Record pending activities now, in batches, until none is left or ``budget`` seconds passed."""
        config = current_app.config
        size = batch_size or config["GUILDKIT_INGEST_BATCH_SIZE"]
        seconds = config["GUILDKIT_INGEST_DRAIN_SECONDS"] if budget is None else budget
        return drain(self.gk, size, seconds)

    def retry(self, keys: Sequence[str] | None = None) -> int:
        """Put failed activities (those of ``keys``, or all) back in line; returns how many."""
        if keys is not None:
            if isinstance(keys, str) or not isinstance(keys, Sequence):
                raise ValidationError("keys must be a list of activity keys", field="keys")
            for key in keys:
                check_text(key, "keys", one_line=True)
        count = int(self.gk.store.run_write(lambda conn: inbox.retry(conn, keys)))
        if count:
            wake(self.gk)
        return count

    def counts(self) -> dict[str, int]:
        """How many accepted activities are pending and how many failed."""
        with self.gk.store.engine.connect() as conn:
            return inbox.counts(conn)
