"""Retracting an activity: reverse exactly what it gave, and what no longer holds without it.

1. its ledger rows get reversal rows of the opposite amount (cap room they used comes back);
2. badges and roles it awarded itself (event outcomes) are revoked;
3. its metric counters move back;
4. threshold badges and roles whose criteria no longer hold are revoked;
5. levels are recomputed.

Retracting twice returns the first retraction's result and changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

import sqlalchemy as sa

from guildkit.activity import ActivityResult, ActivityView
from guildkit.announcements import Announcement
from guildkit.awards import Awarder, Step, prefetch
from guildkit.caps import caps_for
from guildkit.errors import UnknownActivity
from guildkit.models import Activity, BadgeAward, LedgerEntry, Member, RoleGrant, table_of
from guildkit.registry import Registry
from guildkit.results import load_result
from guildkit.rules.base import HoldBadge, HoldRole
from guildkit.unit import Unit

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
GRANTS = table_of(RoleGrant)

_REVERSAL = sa.orm.aliased(LedgerEntry)
UNREVERSED_ROWS = (
    sa.select(LEDGER)
    .where(
        LEDGER.c.activity_id == sa.bindparam("activity"),
        LEDGER.c.reverses_id.is_(None),
        ~sa.exists().where(_REVERSAL.reverses_id == LEDGER.c.id),
    )
    .order_by(LEDGER.c.id)
)
LIVE_EVENT_AWARDS = sa.select(
    AWARDS.c.id, AWARDS.c.member_id, AWARDS.c.badge_slug, AWARDS.c.level, AWARDS.c.once, AWARDS.c.rule
).where(AWARDS.c.activity_id == sa.bindparam("activity"), AWARDS.c.mode != "threshold", AWARDS.c.revoked_at.is_(None))
LIVE_EVENT_GRANTS = sa.select(GRANTS.c.member_id, GRANTS.c.role_slug, GRANTS.c.rule).where(
    GRANTS.c.activity_id == sa.bindparam("activity"), GRANTS.c.mode != "threshold", GRANTS.c.revoked_at.is_(None)
)


class Retraction:
    def __init__(self, registry: Registry, awarder: Awarder, zone: tzinfo) -> None:
        self.registry = registry
        self.awarder = awarder
        self.zone = zone

    def retract(
        self, conn: sa.Connection, key: str, reason: str, now: datetime
    ) -> tuple[ActivityResult, list[Announcement], list[dict[str, Any]]]:
        unit = Unit(conn, now)
        query = sa.select(ACTIVITIES).where(ACTIVITIES.c.key == key)
        if unit.dialect == "postgresql":
            query = query.with_for_update(key_share=True)
        row = conn.execute(query).first()
        if row is None:
            raise UnknownActivity(key)
        if row.retracted_at is not None:
            first = load_result(conn, row.id, row.key, row.type, reversals=True)
            return replace(first, duplicate=True, retracted=True), [], []
        conn.execute(
            ACTIVITIES.update().where(ACTIVITIES.c.id == row.id).values(retracted_at=now, retract_reason=reason)
        )
        members = [m for m in (row.actor_id, row.target_id) if m is not None]
        for member_id, user_id, status in conn.execute(
            sa.select(MEMBERS.c.id, MEMBERS.c.user_id, MEMBERS.c.status).where(MEMBERS.c.id.in_(members))
        ):
            unit.user_of[member_id] = user_id
            unit.member_of[user_id] = member_id
            unit.status_of[member_id] = status
        unit.lock_members(members)
        view = ActivityView(
            id=row.id,
            key=row.key,
            type=row.type,
            actor_id=row.actor_id,
            target_id=row.target_id,
            actor_user_id=unit.user_of.get(row.actor_id) if row.actor_id else None,
            target_user_id=unit.user_of.get(row.target_id) if row.target_id else None,
            subject=row.subject,
            payload=row.payload,
            occurred_at=row.occurred_at,
            day_ordinal=ActivityView.day_of(row.occurred_at, self.zone),
        )
        prefetch(self.registry, unit, [view])
        step = Step(unit, view, retracting=True)
        why = f"retracted: {reason}" if reason else "retracted"
        self._reverse_ledger(step, why)
        self._reverse_event_awards(step, why)
        for metric in self.registry.metrics_by_trigger.get(view.type, ()):
            metric.apply(unit, view, -1)
        self._reconsider(step, why)
        self.awarder.update_levels(step)
        result = step.result(retracted=True)
        unit.notify("activity_retracted", activity=view, result=result)
        unit.flush()
        return result, unit.notifications, unit.failures

    def _reverse_ledger(self, step: Step, why: str) -> None:
        unit, day = step.unit, step.activity.day_ordinal
        for entry in unit.conn.execute(UNREVERSED_ROWS, {"activity": step.activity.id}).all():
            member, amount, reason = entry.member_id, -entry.amount, why
            point_type = self.registry.point_types.get(entry.point_type)
            floor = point_type.floor if point_type else None
            balance = unit.balance(member, entry.point_type)
            if amount < 0 and floor is not None and balance + amount < floor:
                # The floor outranks exactness: undoing a vote never takes reputation below 1.
                amount = min(0, floor - balance)
                reason += f" (floor of {floor})"
            if entry.amount > 0:  # a gain taken back gives its room under the caps back
                caps = caps_for(
                    point_type,
                    entry.rule,
                    self.registry.rules.get(entry.rule),
                    type_caps=entry.capped,
                    day=day,
                    week=step.activity.week_ordinal,
                    actor=step.activity.actor_id,
                    member=member,
                )
                for cap in caps:
                    # Never below zero: a cap configured after the gain never counted it.
                    unit.set_counter(member, cap.counter, max(0, unit.counter(member, cap.counter) - entry.amount))
            self.awarder.write_points(
                step, entry.rule, member, entry.point_type, amount, reason, capped=False, reverses=entry.id
            )

    def _reverse_event_awards(self, step: Step, why: str) -> None:
        conn, activity = step.unit.conn, {"activity": step.activity.id}
        for award_id, member, badge, level, once, rule in conn.execute(LIVE_EVENT_AWARDS, activity):
            if once:
                self.awarder.revoke_badge(step, rule, member, badge, level, why)
            else:
                self.awarder.revoke_award_row(step, award_id, rule, member, badge, level, why)
        for member, role, rule in conn.execute(LIVE_EVENT_GRANTS, activity):
            self.awarder.revoke_role(step, rule, member, role, why)

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
