"""Retracting an activity: reverse exactly what it gave, and what no longer holds without it.

1. its ledger rows get reversal rows of the opposite amount (cap room they used comes back);
2. badges and roles it awarded itself (event outcomes) are revoked;
3. its metric counters move back;
4. threshold badges and roles whose criteria no longer hold are revoked;
5. levels are recomputed.

Retracting twice returns the first retraction's result and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

import sqlalchemy as sa

from guildkit.activity import ActivityInput, ActivityResult, ActivityView
from guildkit.announcements import Announcement
from guildkit.awards import Awarder, Step, prefetch, wanted
from guildkit.caps import caps_for
from guildkit.errors import ActivityCompacted, UnknownActivity
from guildkit.models import Activity, BadgeAward, LedgerEntry, Member, RoleGrant, table_of
from guildkit.registry import Registry
from guildkit.results import load_result
from guildkit.rules.base import HoldBadge, HoldRole
from guildkit.store import Prepared, pipelined, submit, tag
from guildkit.store import rows as fetched_rows
from guildkit.unit import Unit

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
GRANTS = table_of(RoleGrant)

_REVERSAL = LEDGER.alias("reversal")


def _user_of(column: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    return sa.select(MEMBERS.c.user_id).where(MEMBERS.c.id == column).correlate(ACTIVITIES).scalar_subquery()


#: Marks the activity retracted and returns it (with its members' user ids) in one statement;
#: on PostgreSQL the update locks the row as ``SELECT … FOR NO KEY UPDATE`` did. Nothing comes
#: back for an unknown key or one already retracted (told apart by :data:`SELECT_ACTIVITY`).
MARK_RETRACTED = (
    ACTIVITIES.update()
    .where(ACTIVITIES.c.key == sa.bindparam("a_key"), ACTIVITIES.c.retracted_at.is_(None))
    .values(retracted_at=sa.bindparam("now"), retract_reason=sa.bindparam("reason"))
    .returning(
        *ACTIVITIES.c,
        _user_of(ACTIVITIES.c.actor_id).label("actor"),
        _user_of(ACTIVITIES.c.target_id).label("target"),
    )
)
SELECT_ACTIVITY = sa.select(ACTIVITIES).where(ACTIVITIES.c.key == sa.bindparam("key"))


def _given(dialect: str) -> sa.CompoundSelect[Any]:
    """What the activity gave that is still standing, in one statement: ``l`` ledger rows not
    reversed yet (id, member, point type, rule, amount, capped), ``a`` event awards (id, member,
    badge, rule, level, once), ``g`` event grants (id, member, role, rule)."""
    activity = sa.bindparam("activity", type_=sa.BigInteger)
    number = sa.null().cast(sa.BigInteger)
    return sa.union_all(
        sa.select(
            tag("l"),
            LEDGER.c.id,
            LEDGER.c.member_id,
            LEDGER.c.point_type,
            LEDGER.c.rule,
            LEDGER.c.amount,
            sa.cast(LEDGER.c.capped, sa.Integer),
        ).where(
            LEDGER.c.activity_id == activity,
            LEDGER.c.reverses_id.is_(None),
            ~sa.exists().where(_REVERSAL.c.reverses_id == LEDGER.c.id),
        ),
        sa.select(
            tag("a"),
            AWARDS.c.id,
            AWARDS.c.member_id,
            AWARDS.c.badge_slug,
            AWARDS.c.rule,
            AWARDS.c.level,
            sa.cast(AWARDS.c.once, sa.Integer),
        ).where(AWARDS.c.activity_id == activity, AWARDS.c.mode != "threshold", AWARDS.c.revoked_at.is_(None)),
        sa.select(tag("g"), GRANTS.c.id, GRANTS.c.member_id, GRANTS.c.role_slug, GRANTS.c.rule, number, number).where(
            GRANTS.c.activity_id == activity, GRANTS.c.mode != "threshold", GRANTS.c.revoked_at.is_(None)
        ),
    )


SELECT_GIVEN = Prepared(_given)


class Retraction:
    def __init__(self, registry: Registry, awarder: Awarder, zone: tzinfo, heard: Callable[[str], bool]) -> None:
        self.heard = heard
        self.registry = registry
        self.awarder = awarder
        self.zone = zone

    def retract(
        self, conn: sa.Connection, key: str, reason: str, now: datetime
    ) -> tuple[ActivityResult, list[Announcement], list[dict[str, Any]]]:
        unit = Unit(conn, now, heard=self.heard, zone=self.zone)
        unit.streak_gap = self.awarder.calls.streak_gap(unit)
        row = conn.execute(MARK_RETRACTED, {"a_key": key, "now": now, "reason": reason}).first()
        if row is None:
            stored = conn.execute(SELECT_ACTIVITY, {"key": key}).first()
            if stored is None:
                raise UnknownActivity(key)
            first = load_result(conn, stored.id, stored.key, stored.type, reversals=True)
            return replace(first, duplicate=True, retracted=True), [], []
        if row.compacted_at is not None:
            # Metrics' and rules' filters may read the payload compaction dropped: undoing the
            # activity exactly is no longer possible, and an inexact undo would corrupt counters.
            # (Raising rolls back the update above.)
            raise ActivityCompacted(key, row.compacted_at)
        members = [m for m in (row.actor_id, row.target_id) if m is not None]
        names, pairs = wanted(
            self.registry,
            [ActivityInput(row.type, row.key, row.actor, row.target, row.subject, row.payload, row.occurred_at, "")],
            self.zone,
        )
        with pipelined(conn):  # one round trip on PostgreSQL; the lock is taken before the read runs
            locked = unit.lock_members(members)
            loaded = unit.load((), names, pairs, member_ids=members)
            giving = submit(conn, SELECT_GIVEN, {"activity": row.id})
        locked()
        loaded()
        given = sorted(fetched_rows(giving), key=lambda r: (r[0], r[1]))
        view = ActivityView(
            id=row.id,
            key=row.key,
            type=row.type,
            actor_id=row.actor_id,
            target_id=row.target_id,
            actor_user_id=row.actor,
            target_user_id=row.target,
            subject=row.subject,
            payload=row.payload,
            occurred_at=row.occurred_at,
            day_ordinal=ActivityView.day_of(row.occurred_at, self.zone),
        )
        prefetch(self.registry, unit, [view], loaded=True)
        step = Step(unit, view, retracting=True)
        why = f"retracted: {reason}" if reason else "retracted"
        self._reverse_ledger(step, [r for r in given if r[0] == "l"], why)
        self._reverse_event_awards(step, [r for r in given if r[0] != "l"], why)
        for metric in self.registry.metrics_by_trigger.get(view.type, ()):
            metric.apply(unit, view, -1)
        self._reconsider(step, why)
        self.awarder.update_levels(step)
        result = step.result(retracted=True)
        unit.notify("activity_retracted", activity=view, result=result)
        unit.flush()
        return result, unit.notifications, unit.failures

    def _reverse_ledger(self, step: Step, entries: list[Any], why: str) -> None:
        unit, day = step.unit, step.activity.day_ordinal
        for _, entry_id, member, point_type_slug, rule, given, capped in entries:
            amount, reason = -given, why
            point_type = self.registry.point_types.get(point_type_slug)
            floor = point_type.floor if point_type else None
            balance = unit.balance(member, point_type_slug)
            if amount < 0 and floor is not None and balance + amount < floor:
                # The floor outranks exactness: undoing a vote never takes reputation below 1.
                amount = min(0, floor - balance)
                reason += f" (floor of {floor})"
            if given > 0:  # a gain taken back gives its room under the caps back
                caps = caps_for(
                    point_type,
                    rule,
                    self.registry.rules.get(rule),
                    type_caps=bool(capped),
                    day=day,
                    week=step.activity.week_ordinal,
                    actor=step.activity.actor_id,
                    member=member,
                )
                for cap in caps:
                    # Never below zero: a cap configured after the gain never counted it.
                    unit.set_counter(member, cap.counter, max(0, unit.counter(member, cap.counter) - given))
            self.awarder.write_points(
                step, rule, member, point_type_slug, amount, reason, capped=False, reverses=entry_id
            )

    def _reverse_event_awards(self, step: Step, given: list[Any], why: str) -> None:
        for kind, given_id, member, slug, rule, level, once in given:
            if kind == "g":
                self.awarder.revoke_role(step, rule, member, slug, why)
            elif once:
                self.awarder.revoke_badge(step, rule, member, slug, level, why)
            else:
                self.awarder.revoke_award_row(step, given_id, rule, member, slug, level, why)

    def _reconsider(self, step: Step, why: str) -> None:
        """Revoke threshold badges and roles whose criteria no longer hold."""
        unit = step.unit
        changed = sorted({p.point_type for p in step.points if p.amount})
        seen: set[str] = set()
        for trigger in [step.activity.type, *(f"points:{t}" for t in changed)]:
            for rule in self.registry.rules_by_trigger.get(trigger, ()):
                if rule.name in seen:
                    continue
                seen.add(rule.name)
                for outcome in self.awarder.evaluate(step, rule):
                    member = outcome.member_id
                    if isinstance(outcome, HoldBadge):
                        held = unit.badge_levels(member, outcome.badge)
                        for level in sorted(held, reverse=True):
                            if level > outcome.level and held[level][1] == "threshold":
                                self.awarder.revoke_badge(step, rule.name, member, outcome.badge, level, why)
                    elif isinstance(outcome, HoldRole) and not outcome.holds:
                        grant = unit.roles(member).get(outcome.role)
                        if grant is not None and grant[1] == "threshold":
                            self.awarder.revoke_role(step, rule.name, member, outcome.role, why)
