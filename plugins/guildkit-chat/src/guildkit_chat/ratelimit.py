"""Rate limiting per target: a token bucket kept **in the database**, so every process and
worker of the host shares one budget per target.

A target with ``per_minute = n`` holds up to ``n`` tokens and regains ``n`` per minute (by
``gk.clock()``). Sending takes one token. Without a token the message is not queued; the bucket
counts it in ``suppressed``, and the next message that does go out says "(and N more…)".
The bucket row is read and written in the same transaction as the queued delivery, locked on
PostgreSQL (``FOR UPDATE``) and serialized on SQLite (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from guildkit.models import UTCDateTime
from sqlalchemy.dialects import postgresql, sqlite

metadata = sa.MetaData()

BUCKETS = sa.Table(
    "guildkit_chat_buckets",
    metadata,
    # A hash of the target's platform and URL: the URL itself is a secret.
    sa.Column("target", sa.String(64), primary_key=True),
    sa.Column("tokens", sa.Float, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("suppressed", sa.Integer, nullable=False, default=0),
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Messages dropped since the last one sent (to mention in this one when allowed).
    suppressed: int


def take(conn: sa.Connection, target: str, per_minute: int, now: datetime) -> Decision:
    """Take a token from ``target``'s bucket in the caller's transaction."""
    insert = postgresql.insert(BUCKETS) if conn.dialect.name == "postgresql" else sqlite.insert(BUCKETS)
    conn.execute(
        insert.values(target=target, tokens=float(per_minute), updated_at=now, suppressed=0).on_conflict_do_nothing(
            index_elements=["target"]
        )
    )
    query = sa.select(BUCKETS).where(BUCKETS.c.target == target)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).one()
    elapsed = max(0.0, (now - row.updated_at).total_seconds())
    tokens = min(float(per_minute), row.tokens + elapsed * per_minute / 60.0)
    if tokens >= 1.0:
        values = {"tokens": tokens - 1.0, "updated_at": now, "suppressed": 0}
        decision = Decision(True, row.suppressed)
    else:
        values = {"tokens": tokens, "updated_at": now, "suppressed": row.suppressed + 1}
        decision = Decision(False, row.suppressed + 1)
    conn.execute(sa.update(BUCKETS).where(BUCKETS.c.target == target).values(**values))
    return decision
