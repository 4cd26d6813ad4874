"""Claiming a queued email for one worker, and recording how it went: at most once.

The deliveries and the digests share one life: ``pending`` (due at ``next_attempt_at``) →
``sending`` (claimed) → ``sent``, ``skipped``, ``failed``, or ``pending`` again later.

* **Claim**: in one short write transaction, pick the oldest due ``pending`` row and move it to
  ``sending`` with ``UPDATE … WHERE id = :id AND state = 'pending' AND attempts = :seen`` (on
  PostgreSQL the pick is ``FOR UPDATE SKIP LOCKED``; SQLite's ``BEGIN IMMEDIATE`` serializes
  claimers). Two workers, threads or processes, never hold the same row.
* **Finish**: record the outcome only if the row is still this claim's (``state = 'sending'``
  and the same ``attempts``). A failure the SMTP server reported goes back to ``pending`` with an
  exponential backoff, until ``GUILDKIT_NOTIFICATIONS_MAX_ATTEMPTS``.
* **At most once**: a worker that dies between claiming and finishing leaves a ``sending`` row
  whose lease ends; the next run marks it ``failed`` rather than sending it again, since the
  email may well have gone. An email is never sent twice by guildkit; it can be lost that way,
  and the row says so.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

#: Backoff after failed attempt n: ``BASE * 2**(n-1)`` up to ``CAP``, with "equal jitter".
BASE = timedelta(minutes=1)
CAP = timedelta(hours=6)
INTERRUPTED = "a worker stopped while sending it: not sent again, so that no email goes twice"
ERROR_CHARS = 500


@dataclass(frozen=True)
class Claimed:
    """A row this worker holds: its id and which attempt this is (1 for the first)."""

    id: int
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """How a claimed email went: ``sent``, ``skipped`` (with why), or a failure that may be ``final``."""

    state: str
    error: str | None = None
    final: bool = False
    #: The server is down: the run stops here, leaving the rest queued for a later one.
    stop: bool = False


def backoff(attempt: int) -> timedelta:
    delay = min(CAP, BASE * 2 ** (attempt - 1)).total_seconds()
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


def claim_next(
    gk: GuildKit, table: sa.Table, *where: sa.ColumnElement[bool], now: datetime, lease: timedelta
) -> Claimed | None:
    """Take the oldest due ``pending`` row of ``table`` (matching ``where``), or ``None``."""

    def body(conn: sa.Connection) -> Claimed | None:
        for _ in range(20):
            pick = (
                sa.select(table.c.id, table.c.attempts)
                .where(table.c.state == "pending", table.c.next_attempt_at <= now, *where)
                .order_by(table.c.next_attempt_at, table.c.id)
                .limit(1)
            )
            if conn.dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            seen = conn.execute(pick).first()
            if seen is None:
                return None
            taken = conn.execute(
                sa.update(table)
                .where(table.c.id == seen.id, table.c.state == "pending", table.c.attempts == seen.attempts)
                .values(state="sending", attempts=seen.attempts + 1, next_attempt_at=now + lease)
            )
            if taken.rowcount == 1:
                return Claimed(seen.id, seen.attempts + 1)
        return None

    claimed: Claimed | None = gk.store.run_write(body)
    return claimed


def expire(gk: GuildKit, table: sa.Table, now: datetime) -> int:
    """Mark ``failed`` the rows whose worker's lease ended while sending; returns how many."""

    def body(conn: sa.Connection) -> int:
        ended = sa.update(table).where(table.c.state == "sending", table.c.next_attempt_at < now)
        return int(conn.execute(ended.values(state="failed", error=INTERRUPTED)).rowcount or 0)

    done: int = gk.store.run_write(body)
    return done


def outcome_values(claimed: Claimed, outcome: Outcome, now: datetime, max_attempts: int) -> dict[str, Any]:
    """The columns to write for ``outcome``."""
    error = outcome.error[:ERROR_CHARS] if outcome.error else None
    if outcome.state == "sent":
        return {"state": "sent", "sent_at": now, "error": None}
    if outcome.state == "skipped":
        return {"state": "skipped", "error": error}
    if outcome.final or claimed.attempts >= max_attempts:
        return {"state": "failed", "error": error}
    return {"state": "pending", "next_attempt_at": now + backoff(claimed.attempts), "error": error}


def finish(conn: sa.Connection, table: sa.Table, claimed: Claimed, values: dict[str, Any]) -> bool:
    """Write ``values`` if the row is still this claim's; whether it was."""
    mine = sa.update(table).where(
        table.c.id == claimed.id, table.c.state == "sending", table.c.attempts == claimed.attempts
    )
    return bool(conn.execute(mine.values(**values)).rowcount == 1)
