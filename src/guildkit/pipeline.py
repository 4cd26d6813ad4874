"""The pipeline: activity in, points, badges and roles out, exactly once, and reversibly.

``record`` (for one activity or a batch) runs in one write transaction:

1. lock the members (PostgreSQL, ``FOR NO KEY UPDATE`` in id order), make members of new users,
   store the activities (``ON CONFLICT DO NOTHING``: a key that is already stored is a replay,
   which returns the first result, or with different content an
   :class:`~guildkit.errors.IdempotencyConflict`) and read, in one statement, everything of the
   members the rules may need (:meth:`Unit.load`); for one activity on PostgreSQL, the lock, the
   insert and the read go in one round trip (:meth:`Pipeline._store_one`);
2. move the metric counters subscribed to each activity's type;
3. run the rules subscribed to it (points rules first, then rules on ``points:<type>`` for each
   balance that changed), pass every outcome through the deciding hooks, and apply it
   (:mod:`guildkit.awards`: caps, floors, ledger rows, grants);
4. write everything (:meth:`Unit.flush`), let plugins count the activities in the same
   transaction (``guildkit_activities_applied``) and commit; only then tell plugins and signal
   receivers.

``GuildKit.record_many`` runs a large batch through here in chunks, all in its one transaction.

A *quiet* pipeline (``quiet=True``) is for importing history (docs/import.md): the same writes,
but nothing is announced (no hooks, signals or webhooks after the commit), no member is told
(no in-app notification rows) and no plugin withholds earning (``guildkit_earning_withheld``,
the guidelines gate); build it without a rate limiter too. Years of history are not news.

``retract`` lives in :mod:`guildkit.retraction`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit import signals
from guildkit.activity import ActivityInput, ActivityResult, ActivityView
from guildkit.announcements import Announcement, MemberJoined
from guildkit.awards import Awarder, Step, prefetch, wanted
from guildkit.definitions import as_written
from guildkit.errors import IdempotencyConflict
from guildkit.models import Activity, Member, table_of
from guildkit.ratelimit import RateLimiter
from guildkit.results import load_result
from guildkit.retraction import Retraction
from guildkit.rules.base import Veto
from guildkit.store import Prepared, fetch, pipelined, submit, upsert
from guildkit.store import rows as fetched_rows
from guildkit.transaction import Transaction
from guildkit.unit import StreakGap, Unit
from guildkit.unit_sql import LOCK_MEMBERS
from guildkit.words import Words

if TYPE_CHECKING:
    from guildkit.plugins import PluginCalls
    from guildkit.registry import Registry

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
_COLUMNS = ("key", "type", "subject", "payload", "occurred_at", "recorded_at", "fingerprint")
_ACTOR = sa.orm.aliased(Member)
_TARGET = sa.orm.aliased(Member)
SELECT_KNOWN = (
    sa.select(
        Activity.id,
        Activity.key,
        Activity.type,
        Activity.fingerprint,
        Activity.subject,
        Activity.payload,
        Activity.retracted_at,
        _ACTOR.user_id.label("actor"),
        _TARGET.user_id.label("target"),
    )
    .outerjoin(_ACTOR, _ACTOR.id == Activity.actor_id)
    .outerjoin(_TARGET, _TARGET.id == Activity.target_id)
    .where(Activity.key.in_(sa.bindparam("keys", expanding=True)))
)


def _member_of(name: str) -> sa.ScalarSelect[Any]:
    return (
        sa.select(MEMBERS.c.id)
        .where(MEMBERS.c.user_id == sa.bindparam(name, type_=MEMBERS.c.user_id.type))
        .scalar_subquery()
    )


#: One activity (``record()``), its members found by user id; returns (key, id, actor, target).
INSERT_ACTIVITY = Prepared(
    lambda dialect: upsert(dialect, ACTIVITIES, ("key",), returning=("key", "id", "actor_id", "target_id")).values(
        {
            **{c: sa.bindparam(c, type_=ACTIVITIES.c[c].type) for c in _COLUMNS},
            "actor_id": _member_of("actor"),
            "target_id": _member_of("target"),
        }
    )
)


def _nobody(name: str) -> bool:
    return False


class Pipeline:
    def __init__(
        self,
        registry: Registry,
        calls: PluginCalls,
        zone: tzinfo,
        *,
        limiter: RateLimiter | None = None,
        quiet: bool = False,
    ) -> None:
        #: For a quiet pipeline replaying history recorded elsewhere: the gaps in streaks that the
        #: live database bridged, asked read only (:meth:`PluginCalls.streak_gap_as_recorded`).
        self.bridged_as_recorded: Callable[[Unit], StreakGap | None] | None = None
        self.registry = registry
        self.limiter = limiter
        #: Import mode: nothing announced, no one told, no earning gate (see the module's docstring).
        self.quiet = quiet
        self.calls = calls
        self.zone = zone
        self.awarder = Awarder(registry, calls)
        self._heard: dict[str, bool] = {}

    def retract(
        self, conn: sa.Connection, key: str, reason: str, now: datetime
    ) -> tuple[ActivityResult, list[Announcement], list[dict[str, Any]]]:
        return Retraction(self.registry, self.awarder, self.zone, self.heard).retract(conn, key, reason, now)

    def heard(self, name: str) -> bool:
        """Whether a hook implementation or a signal receiver hears the announcement ``name``
        (what :meth:`PluginCalls.notify` will call after the commit); asked once per call."""
        found = self._heard.get(name)
        if found is None:
            hook = getattr(self.calls.pm.hook, f"guildkit_{name}")
            found = self._heard[name] = bool(hook.get_hookimpls()) or bool(signals.signal_for(name).receivers)
        return found

    # -- recording -------------------------------------------------------------------------

    def record(
        self, conn: sa.Connection, inputs: Sequence[ActivityInput], now: datetime
    ) -> tuple[list[ActivityResult], list[Announcement], list[dict[str, Any]]]:
        unit = Unit(conn, now, heard=_nobody if self.quiet else self.heard, zone=self.zone)
        if not self.quiet:  # an import or a replay spends no member's freezes
            unit.streak_gap = self.calls.streak_gap(unit)
        elif self.bridged_as_recorded is not None:
            unit.streak_gap = self.bridged_as_recorded(unit)
        results: dict[str, ActivityResult] = {}
        first_by_key: dict[str, ActivityInput] = {}
        for item in inputs:
            seen = first_by_key.setdefault(item.key, item)
            if seen.fingerprint != item.fingerprint:
                raise IdempotencyConflict(item.key, item.differences(seen.content()))
        fresh = list(first_by_key.values())
        first_seen: dict[str, datetime] = {}
        for item in fresh:
            for user in (item.actor, item.target):
                if user and (user not in first_seen or item.occurred_at < first_seen[user]):
                    first_seen[user] = item.occurred_at
        names, pairs = wanted(self.registry, fresh, self.zone)
        if self.limiter is not None:
            names.update(self.limiter.counter_names({i.type for i in fresh}))
        if len(fresh) == 1:
            member_ids, joined, stored = self._store_one(unit, fresh[0], first_seen, names, pairs, now)
        else:
            # SQLite: BEGIN IMMEDIATE already holds the write lock; PostgreSQL: lock the members
            # before reading anything of theirs (values are written back as absolutes).
            member_ids, joined = unit.ensure_members(first_seen, lock=True)
            stored = self._insert_activities(unit, fresh, member_ids, now)
            unit.load(first_seen, names, pairs)()
        # Keys that did not insert were seen before (maybe by a concurrent writer): replays or conflicts.
        known = [i for i in fresh if i.key not in stored]
        if known:
            self._replay(unit, known, results)
            fresh = [i for i in fresh if i.key in stored]
        for user_id in joined:
            unit.notify("member_joined", member=MemberJoined(user_id, member_ids[user_id]))
        if self.limiter is not None:
            self.limiter.check(unit, [(i.type, member_ids.get(i.actor or ""), i.actor) for i in fresh], now)
        if not self.quiet:
            unit.withheld = self.calls.earning_withheld(unit, member_ids.values())
        views = [self._view(i, stored[i.key], member_ids) for i in fresh]
        prefetch(self.registry, unit, views, loaded=True)
        for view in views:
            step = Step(unit, view)
            self._apply_activity(step)
            results[view.key] = result = step.result()
            unit.notify("activity_recorded", activity=view, result=result)
        if self.quiet:
            unit.notification_rows.clear()
        unit.flush()
        notes, failures = unit.notifications, unit.failures
        if not self.quiet and views:
            # After the flush: plugins count what is written, and may record (their awards) in turn.
            tx = Transaction(unit.conn, self, now, unit=unit)
            self.calls.activities_applied(tx, views)
            notes, failures = notes + tx.announcements, failures + tx.failures
        return (
            [results[i.key] if i is first_by_key[i.key] else replace(results[i.key], duplicate=True) for i in inputs],
            notes,
            failures,
        )

    def _replay(self, unit: Unit, items: list[ActivityInput], results: dict[str, ActivityResult]) -> None:
        """Put the first result of each stored key into ``results``; a changed content is a conflict."""
        known = {row.key: row for row in unit.conn.execute(SELECT_KNOWN, {"keys": [i.key for i in items]})}
        for item in items:
            row = known[item.key]
            if row.fingerprint != item.fingerprint:
                stored = {
                    "type": row.type,
                    "actor": row.actor,
                    "target": row.target,
                    "subject": row.subject,
                    "payload": row.payload,
                }
                raise IdempotencyConflict(item.key, item.differences(stored) or ["content"])
            results[item.key] = replace(
                load_result(unit.conn, row.id, row.key, row.type),
                duplicate=True,
                retracted=row.retracted_at is not None,
            )

    def _store_one(
        self,
        unit: Unit,
        item: ActivityInput,
        first_seen: dict[str, datetime],
        names: set[str],
        pairs: set[tuple[str, str]],
        now: datetime,
    ) -> tuple[dict[str, int], list[str], dict[str, int]]:
        """``record()``'s way in: store one activity and read its members' state, in as few
        statements (SQLite) and round trips (PostgreSQL) as the locking allows.

        The activity finds its members' ids by user id, in the insert itself, so on PostgreSQL
        the lock, the insert and the read go in one round trip. A member who did not exist yet
        is made afterwards and written into the activity (a user's first activity only).
        """
        conn = unit.conn
        values = {**item.stored_fields(), "recorded_at": now}
        if unit.dialect == "postgresql":
            with pipelined(conn):  # sent together; read after
                locking = submit(conn, LOCK_MEMBERS, {"users": sorted(first_seen)})
                inserting = submit(conn, INSERT_ACTIVITY, values)
                loaded = unit.load(first_seen, names, pairs)
            locked = fetched_rows(locking)
            stored = {key: activity_id for key, activity_id, _, _ in fetched_rows(inserting)}
            loaded()
            missing = len(locked) < len(first_seen)
            if missing:  # a member made since the lock was read unlocked: read them again later
                unit.forget(unit.member_of[u] for u in first_seen if u in unit.member_of)
            unit.take_members(locked, locked=True)
            member_ids, joined = unit.ensure_members(first_seen, lock=True)
        else:  # BEGIN IMMEDIATE holds the write lock: read first, members included
            unit.load(first_seen, names, pairs)()
            member_ids, joined = unit.ensure_members(first_seen)
            missing = False
            stored = {key: activity_id for key, activity_id, _, _ in fetch(conn, INSERT_ACTIVITY, values)}
        if missing and stored:
            conn.execute(
                ACTIVITIES.update()
                .where(ACTIVITIES.c.id == stored[item.key])
                .values(
                    actor_id=member_ids.get(item.actor) if item.actor else None,
                    target_id=member_ids.get(item.target) if item.target else None,
                )
            )
        return member_ids, joined, stored

    def _insert_activities(
        self, unit: Unit, items: list[ActivityInput], member_ids: dict[str, int], now: datetime
    ) -> dict[str, int]:
        if not items:
            return {}
        rows = [
            {
                "key": i.key,
                "type": i.type,
                "actor_id": member_ids.get(i.actor) if i.actor else None,
                "target_id": member_ids.get(i.target) if i.target else None,
                "subject": i.subject,
                "payload": dict(i.payload),
                "occurred_at": i.occurred_at,
                "recorded_at": now,
                "fingerprint": i.fingerprint,
            }
            for i in items
        ]
        stmt = upsert(unit.dialect, ACTIVITIES, ("key",), returning=("key", "id"))
        return dict(unit.conn.execute(stmt, rows).all())

    def _view(self, item: ActivityInput, activity_id: int, member_ids: dict[str, int]) -> ActivityView:
        return ActivityView(
            id=activity_id,
            key=item.key,
            type=item.type,
            actor_id=member_ids.get(item.actor) if item.actor else None,
            target_id=member_ids.get(item.target) if item.target else None,
            actor_user_id=item.actor,
            target_user_id=item.target,
            subject=item.subject,
            payload=item.payload,
            occurred_at=item.occurred_at,
            day_ordinal=ActivityView.day_of(item.occurred_at, self.zone),
        )

    def _apply_activity(self, step: Step) -> None:
        for metric in self.registry.metrics_by_trigger.get(step.activity.type, ()):
            metric.apply(step.unit, step.activity, +1)
        ran: set[str] = set()
        changed = self._run_rules(step, step.activity.type, ran)
        for point_type in sorted(changed):
            self._run_rules(step, f"points:{point_type}", ran)
        self.awarder.update_levels(step)
        self._tell_target(step)

    def _tell_target(self, step: Step) -> None:
        """Tell the member an activity was done to, when its type asks (``notify="target"``):
        "Ada upvoted your answer". The text is the sentence without names or titles; pages
        and emails make it again from ``data`` with both."""
        activity = step.activity
        words = self.registry.activity_types.get(activity.type)
        if words is None or words.notify != "target" or activity.target_id in (None, activity.actor_id):
            return
        assert activity.target_id is not None
        with as_written():  # stored: each reader reads it in their language from ``data``
            text = Words(self.registry).sentence(activity.type, "target", subject_key=activity.subject)
        step.tell_member(
            activity.target_id, activity.type, text,
            activity_type=activity.type, subject=activity.subject, actor=activity.actor_user_id,
        )  # fmt: skip

    def _run_rules(self, step: Step, trigger: str, ran: set[str]) -> set[str]:
        """Run the rules listening to ``trigger`` (once each); returns the point types changed."""
        changed: set[str] = set()
        for rule in self.registry.rules_by_trigger.get(trigger, ()):
            if rule.name in ran:
                continue
            ran.add(rule.name)
            for outcome in self.awarder.evaluate(step, rule):
                if not self.awarder.would_change(step.unit, outcome):
                    continue
                reviewed = self.calls.review(step.unit, step.activity, rule.name, outcome)
                if (
                    reviewed is not None
                    and not isinstance(reviewed, Veto)
                    and self.awarder.apply(step, rule.name, reviewed)
                ):
                    changed.add(getattr(reviewed, "point_type", ""))
        changed.discard("")
        return changed
