"""The inbox's statements: accept (one insert), look up, claim, remove, fail and retry.

Accepting is one statement on the usual path: an ``INSERT … SELECT … WHERE NOT EXISTS (the key
among recorded activities) ON CONFLICT (key) DO NOTHING RETURNING id``. A row back means the key
is new; no row means it was seen before, in the inbox or among the recorded activities, and the
slower path reads which, to answer a replay (same fingerprint) or raise a conflict.

Claiming takes the oldest pending rows; on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so drains in
several processes take disjoint batches and never wait for each other. On SQLite the drain's
transaction holds the database's one write lock (``BEGIN IMMEDIATE``), which serializes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from guildkit.activity import Accepted, ActivityInput
from guildkit.errors import IdempotencyConflict
from guildkit.ingest.models import InboxEntry
from guildkit.models import Activity, Member, table_of
from guildkit.results import stored_result

INBOX = table_of(InboxEntry)
ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)

#: The columns an accepted activity fills, in the order of the insert's ``SELECT``.
COLUMNS = (
    "key",
    "type",
    "actor",
    "target",
    "subject",
    "payload",
    "occurred_at",
    "fingerprint",
    "accepted_at",
    "status",
    "attempts",
)

_ACCEPT: dict[str, sa.Insert] = {}


def _accept_statement(dialect: str) -> sa.Insert:
    """Built once per dialect: SQLAlchemy then finds it compiled in its cache on every call."""
    if dialect not in _ACCEPT:
        params = {name: sa.bindparam(name, type_=INBOX.c[name].type) for name in COLUMNS}
        unrecorded = ~sa.exists().where(ACTIVITIES.c.key == params["key"])
        rows = sa.select(*(params[name] for name in COLUMNS)).where(unrecorded)
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(INBOX)
        _ACCEPT[dialect] = (
            insert.from_select(list(COLUMNS), rows).on_conflict_do_nothing(index_elements=["key"]).returning(INBOX.c.id)
        )
    return _ACCEPT[dialect]


def accept(conn: sa.Connection, item: ActivityInput, now: datetime) -> tuple[Accepted, bool]:
    """Store ``item`` unless its key is known; returns where it stands and whether it is new."""
    values = {
        **item.stored_fields(),
        "accepted_at": now,
        "status": "pending",
        "attempts": 0,
    }
    if conn.execute(_accept_statement(conn.dialect.name), values).first() is not None:
        return Accepted(item.key, "pending", accepted_at=now), True
    # Seen before: waiting or failed in the inbox, or recorded.
    row = conn.execute(sa.select(INBOX).where(INBOX.c.key == item.key)).first()
    if row is not None:
        if row.fingerprint != item.fingerprint:
            raise IdempotencyConflict(item.key, item.differences(dict(row._mapping)) or ["content"])
        return _accepted(row), False
    return _recorded(conn, item), False


def _recorded(conn: sa.Connection, item: ActivityInput) -> Accepted:
    actor, target = MEMBERS.alias("actor"), MEMBERS.alias("target")
    row = conn.execute(
        sa.select(
            ACTIVITIES.c.fingerprint,
            ACTIVITIES.c.type,
            ACTIVITIES.c.subject,
            ACTIVITIES.c.payload,
            actor.c.user_id.label("actor"),
            target.c.user_id.label("target"),
        )
        .outerjoin(actor, actor.c.id == ACTIVITIES.c.actor_id)
        .outerjoin(target, target.c.id == ACTIVITIES.c.target_id)
        .where(ACTIVITIES.c.key == item.key)
    ).first()
    result = stored_result(conn, item.key)
    if row is None or result is None:
        # Neither here nor there: only a row dropped by hand between the two reads. The insert
        # will not have stored anything either, so the caller may simply send it again.
        raise IdempotencyConflict(item.key, ["removed while being accepted"])
    if row.fingerprint != item.fingerprint:
        raise IdempotencyConflict(item.key, item.differences(dict(row._mapping)) or ["content"])
    return Accepted(item.key, "recorded", result=replace(result, duplicate=True))


def _accepted(row: Any) -> Accepted:
    return Accepted(row.key, row.status, accepted_at=row.accepted_at, error_code=row.error_code, error=row.error)


def lookup(conn: sa.Connection, key: str) -> Accepted | None:
    """The inbox row of ``key`` (pending or failed), or ``None``."""
    row = conn.execute(sa.select(INBOX).where(INBOX.c.key == key)).first()
    return None if row is None else _accepted(row)


def claim(conn: sa.Connection, limit: int, only: Sequence[int] | None = None) -> list[Any]:
    """The oldest pending rows (of ``only``, when given), locked for this transaction."""
    query = sa.select(INBOX).where(INBOX.c.status == "pending").order_by(INBOX.c.id).limit(limit)
    if only is not None:
        query = query.where(INBOX.c.id.in_(only))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(conn.execute(query))


def as_input(row: Any, now: datetime) -> ActivityInput:
    """A claimed row as the pipeline takes it: built (and checked) again from what was stored."""
    return ActivityInput.build(
        row.type,
        key=row.key,
        actor=row.actor,
        target=row.target,
        subject=row.subject,
        payload=row.payload,
        occurred_at=row.occurred_at,
        now=now,
    )


def remove(conn: sa.Connection, ids: Sequence[int]) -> None:
    conn.execute(sa.delete(INBOX).where(INBOX.c.id.in_(ids)))


def fail(conn: sa.Connection, row_id: int, code: str, message: str) -> bool:
    """Mark a pending row failed; ``False`` if another drain got to it first."""
    done = conn.execute(
        sa.update(INBOX)
        .where(INBOX.c.id == row_id, INBOX.c.status == "pending")
        .values(status="failed", error_code=code[:64], error=message[:4000], attempts=INBOX.c.attempts + 1)
    )
    return bool(done.rowcount)


def retry(conn: sa.Connection, keys: Sequence[str] | None) -> int:
    """Put failed rows (those of ``keys``, or all) back to pending; how many."""
    query = sa.update(INBOX).where(INBOX.c.status == "failed")
    if keys is not None:
        query = query.where(INBOX.c.key.in_(keys))
    return int(conn.execute(query.values(status="pending", error_code=None, error=None)).rowcount)


def counts(conn: sa.Connection) -> dict[str, int]:
    """How many rows are pending and failed."""
    found: dict[str, int] = dict(
        conn.execute(sa.select(INBOX.c.status, sa.func.count()).group_by(INBOX.c.status)).all()
    )
    return {status: int(found.get(status, 0)) for status in ("pending", "failed")}
