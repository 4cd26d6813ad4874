"""Draining the inbox: claim a batch, record it through the pipeline, remove it, in one transaction.

Each batch is one :meth:`GuildKit.transaction`: the claimed rows are recorded in one pass of the
pipeline (``tx.record_inputs``, what ``gk.record_many`` runs) and deleted before the commit, and
the hooks and signals go out after it, as for a synchronous record. So a drain that dies at any
line leaves its rows pending (the transaction rolls back) and the next drain records them;
and an activity recorded twice is impossible, because its key is unique among the recorded
activities (a second delivery there is a duplicate, not a second award).

A batch whose recording raises is split in two and each half tried again, down to single rows;
a single row that still fails is marked ``failed`` with the error, and the others are recorded.
Database errors that say nothing about the rows (a lost connection, a lock timeout) are raised
instead: the job is retried and the rows stay pending.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit.errors import GuildKitError
from guildkit.ingest import inbox

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

log = logging.getLogger("guildkit.ingest")

#: Errors of the database itself, not of the rows: the job is retried, nothing is marked failed.
TRANSIENT = (sa.exc.OperationalError, sa.exc.InterfaceError)


@dataclass
class Drained:
    """What one drain did."""

    recorded: int = 0
    failed: int = 0
    batches: int = 0
    #: It stopped at its time budget with rows still pending.
    more: bool = False

    def out(self) -> dict[str, int | bool]:
        return {"recorded": self.recorded, "failed": self.failed, "batches": self.batches, "more": self.more}


def drain(gk: GuildKit, batch_size: int, budget: float) -> Drained:
    """Record pending rows, batch after batch, until none is left or ``budget`` seconds passed."""
    report = Drained()
    deadline = time.monotonic() + budget
    while True:
        claimed = record_batch(gk, batch_size, None, report)
        if claimed < batch_size:
            return report
        if time.monotonic() >= deadline:
            report.more = True
            return report


def record_batch(gk: GuildKit, limit: int, only: list[int] | None, report: Drained) -> int:
    """Claim up to ``limit`` pending rows (of ``only``), record and remove them; how many were claimed."""
    claimed: list[int] = []

    def body(tx: Transaction) -> None:
        rows = inbox.claim(tx.conn, limit, only)
        claimed[:] = [row.id for row in rows]
        if rows:
            tx.record_inputs([inbox.as_input(row, tx.now) for row in rows])
            inbox.remove(tx.conn, claimed)

    try:
        gk.transaction(body)
    except TRANSIENT:
        raise
    except Exception as exc:
        report.batches += 1
        if len(claimed) == 1:
            _fail(gk, claimed[0], exc, report)
        elif claimed:
            # Bisect: the rows that do record are not held back by the one that does not.
            half = len(claimed) // 2
            for part in (claimed[:half], claimed[half:]):
                record_batch(gk, len(part), part, report)
        return len(claimed)
    report.batches += 1
    report.recorded += len(claimed)
    return len(claimed)


def _fail(gk: GuildKit, row_id: int, exc: Exception, report: Drained) -> None:
    if isinstance(exc, GuildKitError):
        code, message = exc.code, exc.message
        log.info("guildkit ingest: inbox row %s failed: %s", row_id, message)
    else:
        # Not an error guildkit raises on purpose (a bug, a plugin's): logged with its traceback.
        code, message = "internal_error", f"{type(exc).__name__}: {exc}"
        log.error("guildkit ingest: inbox row %s failed", row_id, exc_info=exc)
    if gk.store.run_write(lambda conn: inbox.fail(conn, row_id, code, message)):
        report.failed += 1
