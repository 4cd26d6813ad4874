"""One write transaction shared by a feature's own tables and the activities it records.

Mentorship and events change their own rows (a mentorship accepted, an RSVP moved off the
waitlist) and, in the same transaction, record the activities the rule engine rewards
(``mentorship.completed``, ``event.attended``). Either both are stored or neither is; the
announcements (hooks, signals) go out only after the commit.

.. code-block:: python

    def accept(tx: Transaction) -> None:
        tx.conn.execute(...)  # the feature's own write
        tx.record("mentorship.accepted", key=f"mentorship.accepted:{id}", actor=mentor, target=mentee)

    gk.transaction(accept)

The body may run more than once (the store retries deadlocks and lock timeouts), so it must
not have side effects outside the database; everything it collects is rebuilt on each attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Unpack

import sqlalchemy as sa

from guildkit.activity import ActivityFields, ActivityInput, ActivityResult
from guildkit.announcements import Announcement, MemberJoined
from guildkit.errors import MemberInactive
from guildkit.models import Notification, table_of
from guildkit.notes import Said, stored
from guildkit.unit import Unit

if TYPE_CHECKING:
    from guildkit.pipeline import Pipeline
    from guildkit.registry import Registry

NOTIFICATIONS = table_of(Notification)


class Transaction:
    """What a transaction body gets: the connection, the time, and ways to record and tell."""

    def __init__(self, conn: sa.Connection, pipeline: Pipeline, now: datetime, unit: Unit | None = None) -> None:
        self.conn = conn
        self.now = now
        self.dialect = conn.dialect.name
        self._pipeline = pipeline
        #: The recording pass this transaction follows (``guildkit_activities_applied``): its counters.
        self._unit = unit
        self.announcements: list[Announcement] = []
        self.failures: list[dict[str, Any]] = []

    @property
    def registry(self) -> Registry:
        """The definitions this transaction records under (cheaper than ``gk.registry``, which
        checks the app's state on every read, and right during a replay of other rules)."""
        return self._pipeline.registry

    def counter(self, member_id: int, name: str) -> int | None:
        """A counter's value as the recording pass left it (``guildkit_activities_applied``),
        when the pass read or wrote it, at no query; ``None`` otherwise: read it with ``conn``
        (and always after ``tx.record``, whose own pass may have moved it)."""
        return None if self._unit is None else self._unit.known_counter(member_id, name)

    def record(self, type: str, *, key: str, **fields: Unpack[ActivityFields]) -> ActivityResult:
        """Record an activity in this transaction (same contract as :meth:`GuildKit.record`)."""
        item = ActivityInput.build(type, key=key, now=self.now, **fields)
        return self.record_inputs([item])[0]

    def record_inputs(self, items: Sequence[ActivityInput]) -> list[ActivityResult]:
        """Record validated activities in this transaction, in one pass of the pipeline (as
        :meth:`GuildKit.record_many` does): the ingest feature drains its inbox with it."""
        self._unit = None  # the new pass writes counters the one this followed holds stale
        results, notes, failures = self._pipeline.record(self.conn, items, self.now)
        self.announcements += notes
        self.failures += failures
        return results

    def retract(self, key: str, *, reason: str = "") -> ActivityResult:
        """Retract an activity in this transaction (same contract as :meth:`GuildKit.retract`)."""
        result, notes, failures = self._pipeline.retract(self.conn, key, reason, self.now)
        self.announcements += notes
        self.failures += failures
        return result

    def members(self, *user_ids: str | int, active: bool = True, at: datetime | None = None) -> dict[str, int]:
        """Member ids for host users, making members of those who are not yet (joined ``at``,
        default now).

        With ``active`` (the default), a suspended or banned member raises
        :class:`~guildkit.errors.MemberInactive`: they may not take part.
        """
        unit = Unit(self.conn, self.now)
        ids, joined = unit.ensure_members({str(u): at or self.now for u in user_ids})
        for user_id in joined:
            self.announce("member_joined", member=MemberJoined(user_id, ids[user_id]))
        if active:
            for user_id, member_id in ids.items():
                status = unit.status_of.get(member_id, "active")
                if status != "active":
                    raise MemberInactive(user_id, status)
        return ids

    def lock(self, table: sa.Table, row_id: int) -> None:
        """Serialize writers on one row: ``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN
        IMMEDIATE`` already serializes every writer."""
        if self.dialect == "postgresql":
            self.conn.execute(sa.select(table.c.id).where(table.c.id == row_id).with_for_update()).all()

    def tell(self, member_id: int, kind: str, text: str | Said, **data: object) -> None:
        """An in-app notification for a member, stored with this transaction. Tell it as a
        :class:`~guildkit.notes.Said` for each reader to read it in their language."""
        text, data = stored(text, data)
        self.conn.execute(
            sa.insert(NOTIFICATIONS).values(member_id=member_id, kind=kind, text=text, data=data, created_at=self.now)
        )

    def announce(self, name: str, **kwargs: object) -> None:
        """Tell plugins and signal receivers ``guildkit_<name>`` after the commit."""
        self.announcements.append(Announcement(name, kwargs))
