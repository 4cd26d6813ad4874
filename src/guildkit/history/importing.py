"""The import's second pass: the spooled activities through a quiet pipeline, a chunk per transaction.

Each chunk is one ``store.run_write``: recorded as ``record_many`` records (same idempotency
keys, rules, caps and floors, points and awards dated when they were earned), but by a quiet
:class:`~guildkit.pipeline.Pipeline` with no rate limiter: nothing announced, no member told,
no earning gate. A crash leaves whole chunks; running the import again skips what is stored
(its keys are duplicates) and goes on. A member is made by the first chunk naming them, joined
at their earliest activity there; a later chunk with an earlier activity moves that date back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.activity import ActivityInput, ActivityResult
from guildkit.errors import IdempotencyConflict
from guildkit.history.errors import ImportFileError, Problem
from guildkit.history.reading import Progress, unspool
from guildkit.models import Member, UTCDateTime, table_of
from guildkit.pipeline import Pipeline

if TYPE_CHECKING:
    from guildkit.extension import GuildKit

MEMBERS = table_of(Member)
#: Move a member's join date back to an earlier activity of theirs.
BACKDATE_JOIN = (
    MEMBERS.update()
    .where(MEMBERS.c.user_id == sa.bindparam("user"), MEMBERS.c.joined_at > sa.bindparam("at"))
    .values(joined_at=sa.bindparam("at"))
)


def _backdate(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Move join dates back, in one statement on PostgreSQL (an UPDATE per member costs a round trip)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(BACKDATE_JOIN, rows)
        return
    earliest = sa.values(sa.column("u", sa.String), sa.column("at", UTCDateTime()), name="earliest").data(
        [(r["user"], r["at"]) for r in rows]
    )
    conn.execute(
        MEMBERS.update()
        .where(MEMBERS.c.user_id == earliest.c.u, MEMBERS.c.joined_at > earliest.c.at)
        .values(joined_at=earliest.c.at)
    )


@dataclass
class Recorded:
    """What the chunks recorded."""

    imported: int = 0
    duplicates: int = 0
    points: int = 0
    badges: int = 0
    chunks: int = 0

    def add(self, results: list[ActivityResult]) -> None:
        for result in results:
            if result.duplicate:
                self.duplicates += 1
                continue
            self.imported += 1
            self.points += sum(p.amount for p in result.points)
            self.badges += sum(1 for b in result.badges if b.granted)
        self.chunks += 1


def _chunks(spool: IO[str], size: int) -> Iterator[list[tuple[int, ActivityInput]]]:
    chunk: list[tuple[int, ActivityInput]] = []
    for text in spool:
        chunk.append(unspool(text))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _earliest(items: list[ActivityInput]) -> list[dict[str, Any]]:
    first: dict[str, datetime] = {}
    for item in items:
        for user in (item.actor, item.target):
            if user is not None and (user not in first or item.occurred_at < first[user]):
                first[user] = item.occurred_at
    return [{"user": user, "at": at} for user, at in sorted(first.items())]


def record(
    gk: GuildKit,
    spool: IO[str],
    total: int,
    size: int,
    progress: Callable[[Progress], None] | None,
) -> Recorded:
    """Record the spooled activities, ``size`` to a transaction."""
    # The definitions are written to their tables first, as record() does (gk._sync).
    pipeline = Pipeline(gk._sync(), gk.calls, gk.state.zone, quiet=True)
    now = gk.clock()
    done = Recorded()
    count = 0
    for chunk in _chunks(spool, size):
        items = [item for _, item in chunk]

        def body(conn: sa.Connection, items: list[ActivityInput] = items) -> tuple[list[ActivityResult], list[Any]]:
            results, _, failures = pipeline.record(conn, items, now)
            _backdate(conn, _earliest(items))
            return results, failures

        try:
            results, failures = gk.store.run_write(body)
        except IdempotencyConflict as exc:  # stored by another writer since the first pass looked
            line = next(n for n, item in chunk if item.key == exc.key)
            raise ImportFileError([Problem(line, "key", exc.message)], 1) from exc
        if failures:
            gk.record_failures(failures)
        done.add(results)
        count += len(chunk)
        if progress is not None:
            progress(Progress("import", count, total, "activities"))
    return done
