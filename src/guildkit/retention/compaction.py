"""Compacting old activities in bounded batches, each its own short transaction.

A run walks ``guildkit_activities`` by primary key, a window of ids at a time. For each window
it first finds, on a plain read that takes no lock, the activities due: occurred before the
cutoff, not compacted yet, of a type the policy covers. Only when there are some does it open a
write transaction (``Store.run_write``: ``BEGIN IMMEDIATE`` on SQLite) that reads them again
under their row locks with the same conditions, and compacts them: the payload becomes ``{}``
(or the fields kept for its type) and ``compacted_at`` is set. Reading them again is what makes
a concurrent retraction, erasure or second run safe: whatever committed first is what this
transaction sees and keeps.

Each batch commits alone, so a run killed at any line has lost nothing: what committed is
compacted, and the next run finds the rest. A second run finds nothing due and writes nothing.
Keys, fingerprints, subjects, the ledger and every other table are never touched.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guildkit.models import Activity, table_of
from guildkit.retention.policy import Policy
from guildkit.store import Store

log = logging.getLogger("guildkit.retention")

ACTIVITIES = table_of(Activity)

#: Ids examined per read, in batches: reading is cheap (a primary-key range), and a wider window
#: keeps a run over an already compacted table to a few hundred queries per million rows.
SCAN_FACTOR = 10


@dataclass(frozen=True)
class Compaction:
    """What one run did (or, with ``dry_run``, would do)."""

    policy: Policy
    dry_run: bool
    #: Activities that occurred before this were due (``None``: the policy is off).
    cutoff: datetime | None = None
    #: Activities compacted by this run; on a dry run, those it would compact.
    compacted: int = 0
    #: Write transactions committed (none on a dry run).
    batches: int = 0
    seconds: float = 0.0

    def out(self) -> dict[str, Any]:
        return {
            "active": self.policy.active,
            "dry_run": self.dry_run,
            "cutoff": None if self.cutoff is None else self.cutoff.isoformat(),
            "compacted": self.compacted,
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
            "policy": self.policy.out(),
        }


def _conditions(policy: Policy) -> list[sa.ColumnElement[bool]]:
    """What makes an activity due: checked on the read, and again under the lock."""
    where = [ACTIVITIES.c.compacted_at.is_(None), ACTIVITIES.c.occurred_at < sa.bindparam("cutoff")]
    if policy.types is not None:
        where.append(ACTIVITIES.c.type.in_(sorted(policy.types)))
    return where


def compact(store: Store, policy: Policy, now: datetime, *, dry_run: bool = False) -> Compaction:
    """Compact the activities ``policy`` makes due at ``now``; see the module's docstring."""
    if not policy.active:
        return Compaction(policy, dry_run)
    started = time.perf_counter()
    cutoff = policy.cutoff(now)
    due = (
        sa.select(ACTIVITIES.c.id)
        .where(ACTIVITIES.c.id > sa.bindparam("low"), ACTIVITIES.c.id <= sa.bindparam("high"), *_conditions(policy))
        .order_by(ACTIVITIES.c.id)
        .limit(policy.batch_size)
    )
    with store.engine.connect() as conn:
        first, last = conn.execute(sa.select(sa.func.min(ACTIVITIES.c.id), sa.func.max(ACTIVITIES.c.id))).one()
    compacted = batches = 0
    low = (first or 0) - 1
    window = policy.batch_size * SCAN_FACTOR
    while last is not None and low < last:
        high = min(low + window, last)
        with store.engine.connect() as conn:
            ids = list(conn.scalars(due, {"low": low, "high": high, "cutoff": cutoff}))
        # A full batch may have left due rows in the window: the next read starts after it.
        low = ids[-1] if len(ids) == policy.batch_size else high
        if not ids:
            continue
        if dry_run:
            compacted += len(ids)
            continue
        compacted += store.run_write(lambda conn, ids=ids: _compact_batch(conn, policy, ids, cutoff, now))
        batches += 1
    seconds = time.perf_counter() - started
    if not dry_run:
        log.info("guildkit retention: %d activities compacted in %d batches (%.1f s)", compacted, batches, seconds)
    return Compaction(policy, dry_run, cutoff, compacted, batches, seconds)


def _compact_batch(conn: sa.Connection, policy: Policy, ids: list[int], cutoff: datetime, now: datetime) -> int:
    """Compact those of ``ids`` still due, under their row locks; returns how many."""
    if not policy.keep:
        # Nothing to keep: one UPDATE, which locks each row and checks the conditions again itself.
        emptying = (
            ACTIVITIES.update()
            .where(ACTIVITIES.c.id.in_(ids), *_conditions(policy))
            .values(payload={}, compacted_at=now)
        )
        return conn.execute(emptying, {"cutoff": cutoff}).rowcount
    query = sa.select(ACTIVITIES.c.id, ACTIVITIES.c.type, ACTIVITIES.c.payload).where(
        ACTIVITIES.c.id.in_(ids), *_conditions(policy)
    )
    if conn.dialect.name == "postgresql":
        # The lock a retraction takes too: whichever commits first, the other sees its result.
        query = query.with_for_update(key_share=True)
    rows = conn.execute(query, {"cutoff": cutoff}).all()
    emptied: list[int] = []
    trimmed: list[dict[str, Any]] = []
    for row in rows:
        kept = policy.kept(row.type, row.payload)
        if kept:
            trimmed.append({"row": row.id, "kept": kept})
        else:
            emptied.append(row.id)
    if emptied:
        conn.execute(
            ACTIVITIES.update().where(ACTIVITIES.c.id.in_(emptied)).values(payload={}, compacted_at=now),
        )
    if trimmed:
        conn.execute(
            ACTIVITIES.update()
            .where(ACTIVITIES.c.id == sa.bindparam("row"))
            .values(payload=sa.bindparam("kept", type_=ACTIVITIES.c.payload.type), compacted_at=now),
            trimmed,
        )
    return len(rows)
