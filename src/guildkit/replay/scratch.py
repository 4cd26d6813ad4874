"""Replaying the stored history under a rule set, into a scratch database.

What a rule set *would* have made of the history is found by running it: the live (not
retracted) activities are streamed from the live
database in id order, a chunk at a time, and recorded through the ordinary pipeline into a
throwaway SQLite file. Nothing is written to the live database, nobody is told, and memory
holds one chunk of activities at a time: the scratch file holds the rest, on disk.

Members are copied first, with their ids, so the replay numbers them as the live database does.
Plugins' tables are created empty in the scratch database: a hook that decides from its own
state (the guidelines gate, say) sees none there, so the replay applies the rules alone.

A replay may be continued (:meth:`Scratch.catch_up`): activities recorded since, and
retractions made since, are carried over. An apply does so under the member locks it holds,
so what it compares is the history up to that moment.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.activity import ActivityInput
from guildkit.models import Activity, Member, table_of, utcnow
from guildkit.pipeline import Pipeline
from guildkit.store import OwnStore

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.registry import Registry

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
#: Activities this far below the last one replayed are read again on a catch-up: on PostgreSQL a
#: transaction may commit after one that took a later id. Those already replayed are duplicates.
LATE_WINDOW = 500

_ACTOR = MEMBERS.alias("actor")
_TARGET = MEMBERS.alias("target")
_HISTORY = (
    sa.select(
        ACTIVITIES.c.id,
        ACTIVITIES.c.type,
        ACTIVITIES.c.key,
        _ACTOR.c.user_id.label("actor"),
        _TARGET.c.user_id.label("target"),
        ACTIVITIES.c.subject,
        ACTIVITIES.c.payload,
        ACTIVITIES.c.occurred_at,
        ACTIVITIES.c.fingerprint,
    )
    .outerjoin(_ACTOR, _ACTOR.c.id == ACTIVITIES.c.actor_id)
    .outerjoin(_TARGET, _TARGET.c.id == ACTIVITIES.c.target_id)
    .where(
        ACTIVITIES.c.id > sa.bindparam("after"),
        ACTIVITIES.c.retracted_at.is_(None),
    )
    .order_by(ACTIVITIES.c.id)
    .limit(sa.bindparam("size"))
)
_RETRACTED_SINCE = sa.select(ACTIVITIES.c.key).where(
    ACTIVITIES.c.retracted_at >= sa.bindparam("since"),
    ACTIVITIES.c.id <= sa.bindparam("upto"),
)


class Scratch:
    """A scratch database holding the history replayed under ``registry``."""

    def __init__(self, gk: GuildKit, registry: Registry, *, chunk: int = 2000, directory: str | None = None) -> None:
        self.gk = gk
        self.registry = registry
        self.chunk = chunk
        self.started = utcnow()
        self._dir = tempfile.mkdtemp(prefix="guildkit-replay-", dir=directory)
        self.store = OwnStore(f"sqlite:///{self._dir}/replay.db")
        self.store.create_all()
        for contributed in gk.pm.hook.guildkit_register_tables(gk=gk):
            for item in contributed or ():
                metadata = item if isinstance(item, sa.MetaData) else item.metadata
                tables = None if isinstance(item, sa.MetaData) else [item]
                metadata.create_all(self.store.engine, tables=tables)
        version = registry.version  # syncing into the scratch must not renumber the live registry
        self.store.run_write(registry.sync)
        registry.version = version
        # Quiet: nothing replayed is announced or told, and no plugin gate withholds earning.
        self.pipeline = Pipeline(registry, gk.calls, gk.state.zone, quiet=True)
        #: The last activity id replayed, and how many were.
        self.last_id = 0
        self.replayed = 0
        self._members_copied = 0

    def close(self) -> None:
        self.store.dispose()
        shutil.rmtree(self._dir, ignore_errors=True)

    def catch_up(self, live: sa.Connection, now: datetime | None = None) -> int:
        """Carry over what the live database holds that the replay has not seen yet; returns how
        many activities were replayed. ``live`` is read only."""
        now = now or utcnow()
        self._copy_members(live)
        # Streaks keep the gaps the live database bridged (freezes spent, absences), spending none.
        self.pipeline.bridged_as_recorded = lambda unit: self.gk.calls.streak_gap_as_recorded(unit, live)
        after = max(0, self.last_id - LATE_WINDOW)
        replayed = 0
        while True:
            rows = live.execute(_HISTORY, {"after": after, "size": self.chunk}).all()
            if not rows:
                break
            late = [r.key for r in rows if r.id <= self.last_id]
            seen = self._stored(late) if late else set()
            items = [_input(r) for r in rows if r.key not in seen]
            if items:
                self.store.run_write(lambda conn, items=items: self.pipeline.record(conn, items, now))
            fresh = sum(1 for r in rows if r.id > self.last_id)
            after = rows[-1].id
            self.last_id = max(self.last_id, after)
            replayed += fresh
            self.replayed += fresh
        if self.replayed:
            self._retract_since(live, now)
        return replayed

    def _stored(self, keys: list[str]) -> set[str]:
        """Which of these keys the replay holds already (re-read below the last id: skipped)."""
        with self.store.engine.connect() as conn:
            return set(conn.scalars(sa.select(ACTIVITIES.c.key).where(ACTIVITIES.c.key.in_(keys))))

    def _copy_members(self, live: sa.Connection) -> None:
        """Copy members the replay has not got yet, with their ids (statuses come from activities)
        and their time zones (a streak counts the member's own days)."""
        rows = live.execute(
            sa.select(MEMBERS.c.id, MEMBERS.c.user_id, MEMBERS.c.display_name, MEMBERS.c.joined_at, MEMBERS.c.time_zone)
            .where(MEMBERS.c.id > self._members_copied)
            .order_by(MEMBERS.c.id)
        ).all()
        if not rows:
            return

        def copy(conn: sa.Connection) -> None:
            users = [r.user_id for r in rows]
            known = set(conn.scalars(sa.select(MEMBERS.c.user_id).where(MEMBERS.c.user_id.in_(users))))
            taken = set(conn.scalars(sa.select(MEMBERS.c.id).where(MEMBERS.c.id.in_([r.id for r in rows]))))
            fresh = [{**r._asdict(), "status": "active"} for r in rows if r.user_id not in known]
            # The replay may have made a member of another user under one of these ids.
            for group in ([r for r in fresh if r["id"] not in taken], [r for r in fresh if r["id"] in taken]):
                if group:
                    conn.execute(MEMBERS.insert(), [r if r["id"] not in taken else r | {"id": None} for r in group])

        self.store.run_write(copy)
        self._members_copied = rows[-1].id

    def _retract_since(self, live: sa.Connection, now: datetime) -> None:
        keys = list(live.scalars(_RETRACTED_SINCE, {"since": self.started, "upto": self.last_id}))
        for key in keys:
            self.store.run_write(lambda conn, key=key: self.pipeline.retract(conn, key, "retracted", now))

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        with self.store.engine.connect() as conn:
            yield conn


def _input(row: Any) -> ActivityInput:
    return ActivityInput(
        type=row.type,
        key=row.key,
        actor=row.actor,
        target=row.target,
        subject=row.subject,
        payload=row.payload or {},
        occurred_at=row.occurred_at,
        fingerprint=row.fingerprint,
    )


@contextmanager
def scratch(gk: GuildKit, registry: Registry, **options: Any) -> Iterator[Scratch]:
    """A :class:`Scratch` for the length of a ``with`` block, removed afterwards."""
    made = Scratch(gk, registry, **options)
    try:
        yield made
    finally:
        made.close()
