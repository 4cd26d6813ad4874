"""The pipeline: activity in, points, badges and roles out, exactly once, and reversibly.

``record`` (for one activity or a batch) runs in one write transaction:

1. look up the keys: a key seen before with the same content is a replay and returns the first
   result; with different content it is an :class:`~guildkit.errors.IdempotencyConflict`;
2. make sure actor and target are members, store the activities, lock the members;
3. move the metric counters subscribed to each activity's type;
4. run the rules subscribed to it (points rules first), pass every outcome through the deciding
   hooks, apply caps and floors, and write ledger rows, balances, badge awards and role grants;
5. commit; only then tell plugins and signal receivers (see :mod:`guildkit.plugins`).

``retract`` reverses one activity: its ledger rows get reversal rows, its own badges and roles
are revoked, its counters move back, and threshold badges and roles that no longer hold go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .activity import ActivityInput, ActivityResult, ActivityView, BadgeChange, PointsChange, RoleChange
from .errors import IdempotencyConflict, UnknownActivity
from .events import LevelChange, MemberJoined, Notification
from .metrics import Metric
from .models import Activity, BadgeAward, LedgerEntry, Member, RoleGrant, table_of
from .rules.base import (
    AwardBadge,
    AwardPoints,
    GrantRole,
    HoldBadge,
    HoldRole,
    Outcome,
    RevokeBadge,
    RevokeRole,
    Rule,
    Veto,
)
from .store import upsert
from .unit import Unit

if TYPE_CHECKING:
    from .plugins import PluginCalls
    from .registry import Registry

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
GRANTS = table_of(RoleGrant)

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

#: Statuses that earn nothing (see the trust and safety docs).
NON_EARNING = frozenset({"suspended", "banned", "deleted"})


@dataclass
class Context:
    """What a rule reads (implements :class:`guildkit.rules.RuleContext`)."""

    unit: Unit
    activity: ActivityView
    retracting: bool = False

    def value(self, metric: Metric, member_id: int) -> int:
        return metric.read(self.unit, member_id)

    def balance(self, member_id: int, point_type: str) -> int:
        return self.unit.balance(member_id, point_type)

    def badge_level(self, member_id: int, badge: str) -> int:
        return self.unit.badge_level(member_id, badge)

    def has_role(self, member_id: int, role: str) -> bool:
        return role in self.unit.roles(member_id)

    def is_retraction(self) -> bool:
        return self.retracting


class Outcomes:
    """Collects what one activity did, for its result and for the after-commit notifications."""

    def __init__(self) -> None:
        self.points: list[PointsChange] = []
        self.badges: list[BadgeChange] = []
        self.roles: list[RoleChange] = []

    def result(self, activity: ActivityView, **flags: bool) -> ActivityResult:
        return ActivityResult(
            key=activity.key,
            activity_id=activity.id,
            type=activity.type,
            points=tuple(self.points),
            badges=tuple(self.badges),
            roles=tuple(self.roles),
            **flags,
        )


class Pipeline:
    def __init__(self, registry: Registry, calls: PluginCalls, zone: tzinfo) -> None:
        self.registry = registry
        self.calls = calls
        self.zone = zone

    # -- recording -------------------------------------------------------------------------

    def record(
        self, conn: sa.Connection, inputs: Sequence[ActivityInput], now: datetime
    ) -> tuple[list[ActivityResult], list[Notification], list[dict[str, Any]]]:
        unit = Unit(conn, now)
        results: dict[str, ActivityResult] = {}
        first_by_key: dict[str, ActivityInput] = {}
        for item in inputs:
            seen = first_by_key.setdefault(item.key, item)
            if seen.fingerprint != item.fingerprint:
                raise IdempotencyConflict(item.key, item.differences(_as_stored(seen)))
        fresh = list(first_by_key.values())
        member_ids, joined = unit.ensure_members(u for i in fresh for u in (i.actor, i.target) if u)
        stored = self._insert_activities(unit, fresh, member_ids, now)
        # Keys that did not insert were seen before (maybe by a concurrent writer): replays or conflicts.
        known = [i for i in fresh if i.key not in stored]
        if known:
            self._replay(unit, known, results)
            fresh = [i for i in fresh if i.key in stored]
        for user_id in joined:
            unit.notify("member_joined", member=MemberJoined(user_id, member_ids[user_id]))
        unit.lock_members(member_ids.values())
        views = [self._view(i, stored[i.key], member_ids) for i in fresh]
        self._prefetch(unit, views)
        for view in views:
            outcomes = Outcomes()
            self._apply_activity(unit, view, outcomes)
            result = outcomes.result(view)
            results[view.key] = result
            unit.notify("activity_recorded", activity=view, result=result)
        unit.flush()
        return (
            [results[i.key] if i is first_by_key[i.key] else replace(results[i.key], duplicate=True) for i in inputs],
            unit.notifications,
            unit.failures,
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

    def _prefetch(self, unit: Unit, views: Sequence[ActivityView]) -> None:
        members: set[int] = set()
        names: set[str] = set()
        caps: set[str] = set()
        for view in views:
            members.update(m for m in (view.actor_id, view.target_id) if m is not None)
            names.update(self.registry.counters_for(view.type, view.day_ordinal))
            caps.update(f"cap:{t}:{view.day_ordinal}" for t in self.registry.point_types)
        unit.prefetch_counters(members, names | caps)
        unit.prefetch_balances(members)

    def _apply_activity(self, unit: Unit, view: ActivityView, outcomes: Outcomes) -> None:
        for metric in self.registry.metrics_by_trigger.get(view.type, ()):
            metric.apply(unit, view, +1)
        ctx = Context(unit, view)
        ran: set[str] = set()
        changed = self._run_rules(ctx, view.type, ran, outcomes)
        for point_type in sorted(changed):
            self._run_rules(ctx, f"points:{point_type}", ran, outcomes)
        self._update_levels(unit, view, {(c.user_id, c.point_type) for c in outcomes.points})

    def _run_rules(self, ctx: Context, trigger: str, ran: set[str], outcomes: Outcomes) -> set[str]:
        """Run the rules listening to ``trigger`` (once each); returns point types changed."""
        changed: set[str] = set()
        for rule in self.registry.rules_by_trigger.get(trigger, ()):
            if rule.name in ran:
                continue
            ran.add(rule.name)
            try:
                proposed = list(rule.evaluate(ctx))
            except Exception as exc:  # a broken plugin rule must not break the host's request
                self.calls.rule_failed(ctx.unit, rule, ctx.activity, exc)
                continue
            for outcome in proposed:
                if not self._would_change(ctx.unit, outcome):
                    continue
                reviewed = self.calls.review(ctx.unit, ctx.activity, rule.name, outcome)
                if reviewed is None or isinstance(reviewed, Veto):
                    continue
                if self._apply(ctx, rule, reviewed, outcomes):
                    changed.add(getattr(reviewed, "point_type", ""))
        changed.discard("")
        return changed

    @staticmethod
    def _would_change(unit: Unit, outcome: Outcome) -> bool:
        """False for state outcomes that are already true (reviewing those is noise)."""
        if isinstance(outcome, HoldBadge):
            return outcome.level > unit.badge_level(outcome.member_id, outcome.badge)
        if isinstance(outcome, HoldRole):
            return outcome.holds and outcome.role not in unit.roles(outcome.member_id)
        return True

    def _apply(self, ctx: Context, rule: Rule, outcome: Outcome, outcomes: Outcomes) -> bool:
        unit, view = ctx.unit, ctx.activity
        if unit.status_of.get(outcome.member_id) in NON_EARNING and not isinstance(outcome, RevokeBadge | RevokeRole):
            return False
        if isinstance(outcome, AwardPoints):
            return self._apply_points(unit, view, rule.name, outcome, outcomes)
        if isinstance(outcome, AwardBadge):
            self._grant_badge(
                unit,
                view,
                rule.name,
                outcome.member_id,
                outcome.badge,
                outcome.level,
                outcome.reason,
                "event",
                outcomes,
            )
        elif isinstance(outcome, HoldBadge):
            held = unit.badge_levels(outcome.member_id, outcome.badge)
            for level in range(1, outcome.level + 1):
                if level not in held:
                    self._grant_badge(
                        unit,
                        view,
                        rule.name,
                        outcome.member_id,
                        outcome.badge,
                        level,
                        outcome.reason,
                        "threshold",
                        outcomes,
                    )
        elif isinstance(outcome, GrantRole) or (isinstance(outcome, HoldRole) and outcome.holds):
            if outcome.role not in unit.roles(outcome.member_id):
                mode = "event" if isinstance(outcome, GrantRole) else "threshold"
                unit.add_grant(
                    {
                        "member_id": outcome.member_id,
                        "role_slug": outcome.role,
                        "activity_id": view.id,
                        "rule": rule.name,
                        "mode": mode,
                        "reason": outcome.reason,
                        "granted_at": view.occurred_at,
                    }
                )
                change = RoleChange(unit.user_of[outcome.member_id], outcome.role, rule.name)
                outcomes.roles.append(change)
                unit.notify("role_granted", change=change, activity_key=view.key)
        elif isinstance(outcome, RevokeBadge):
            for level in sorted(unit.badge_levels(outcome.member_id, outcome.badge), reverse=True):
                if outcome.level is None or level == outcome.level:
                    self._revoke_badge(
                        unit, view, rule.name, outcome.member_id, outcome.badge, level, outcome.reason, outcomes
                    )
        elif isinstance(outcome, RevokeRole) and outcome.role in unit.roles(outcome.member_id):
            self._revoke_role(unit, view, rule.name, outcome.member_id, outcome.role, outcome.reason, outcomes)
        return False

    def _apply_points(self, unit: Unit, view: ActivityView, rule: str, award: AwardPoints, outcomes: Outcomes) -> bool:
        point_type = self.registry.point_types[award.point_type]
        amount = self.calls.compute_points(unit, view, rule, award)
        member, day = award.member_id, view.day_ordinal
        reason = award.reason
        if amount > 0 and award.capped and point_type.daily_cap is not None:
            used = unit.counter(member, f"cap:{point_type.slug}:{day}")
            allowed = max(0, min(amount, point_type.daily_cap - used))
            if allowed < amount:
                reason += " (daily cap reached)"
            amount = allowed
            unit.add_counter(member, f"cap:{point_type.slug}:{day}", amount)
        if amount > 0 and award.daily_cap is not None:
            used = unit.counter(member, f"rulecap:{rule}:{day}")
            allowed = max(0, min(amount, award.daily_cap - used))
            if allowed < amount:
                reason += " (rule's daily cap reached)"
            amount = allowed
            unit.add_counter(member, f"rulecap:{rule}:{day}", amount)
        balance = unit.balance(member, point_type.slug)
        if amount < 0 and point_type.floor is not None and balance + amount < point_type.floor:
            amount = min(0, point_type.floor - balance)
            reason += f" (floor of {point_type.floor})"
        self._write_points(
            unit,
            view,
            rule,
            member,
            point_type.slug,
            amount,
            reason,
            capped=award.capped and point_type.daily_cap is not None,
            outcomes=outcomes,
        )
        return amount != 0

    def _write_points(
        self,
        unit: Unit,
        view: ActivityView,
        rule: str,
        member: int,
        point_type: str,
        amount: int,
        reason: str,
        *,
        capped: bool,
        outcomes: Outcomes,
        reverses: int | None = None,
    ) -> None:
        balance = unit.add_points(member, point_type, amount)
        unit.ledger_rows.append(
            {
                "member_id": member,
                "point_type": point_type,
                "amount": amount,
                "balance_after": balance,
                "activity_id": view.id,
                "rule": rule,
                "reason": reason,
                "capped": capped,
                "reverses_id": reverses,
                "created_at": unit.now if reverses else view.occurred_at,
            }
        )
        change = PointsChange(unit.user_of[member], point_type, amount, balance, rule, reason)
        outcomes.points.append(change)
        if amount:
            unit.notify("points_changed", change=change, activity_key=view.key)

    def _grant_badge(
        self,
        unit: Unit,
        view: ActivityView,
        rule: str,
        member: int,
        badge: str,
        level: int,
        reason: str,
        mode: str,
        outcomes: Outcomes,
    ) -> None:
        definition = self.registry.badges.get(badge)
        if definition is None or not 1 <= level <= len(definition.levels):
            return
        once = not definition.repeatable
        if once and level in unit.badge_levels(member, badge):
            return
        unit.add_award(
            {
                "member_id": member,
                "badge_slug": badge,
                "level": level,
                "once": once,
                "activity_id": view.id,
                "rule": rule,
                "mode": mode,
                "reason": reason,
                "awarded_at": view.occurred_at,
            }
        )
        change = BadgeChange(unit.user_of[member], badge, level, rule)
        outcomes.badges.append(change)
        unit.notify("badge_awarded", change=change, activity_key=view.key)

    def _revoke_badge(
        self,
        unit: Unit,
        view: ActivityView,
        rule: str,
        member: int,
        badge: str,
        level: int,
        reason: str,
        outcomes: Outcomes,
    ) -> None:
        unit.revoke_award(member, badge, level, reason, view.id)
        change = BadgeChange(unit.user_of[member], badge, level, rule, granted=False)
        outcomes.badges.append(change)
        unit.notify("badge_revoked", change=change, activity_key=view.key)

    def _revoke_role(
        self,
        unit: Unit,
        view: ActivityView,
        rule: str,
        member: int,
        role: str,
        reason: str,
        outcomes: Outcomes,
    ) -> None:
        unit.revoke_grant(member, role, reason, view.id)
        change = RoleChange(unit.user_of[member], role, rule, granted=False)
        outcomes.roles.append(change)
        unit.notify("role_revoked", change=change, activity_key=view.key)

    def _update_levels(self, unit: Unit, view: ActivityView, touched: set[tuple[str, str]]) -> None:
        for user_id, point_type in sorted(touched):
            levels = self.registry.levels.get(point_type)
            if levels is None:
                continue
            member = unit.member_of[user_id]
            old = unit.level(member, point_type)
            new = levels.level_for(unit.balance(member, point_type))
            if new != old:
                unit.set_level(member, point_type, new)
                change = LevelChange(user_id, point_type, old, new, levels.name_of(new))
                unit.notify("level_changed", change=change, activity_key=view.key)

    # -- retracting ------------------------------------------------------------------------

    def retract(
        self, conn: sa.Connection, key: str, reason: str, now: datetime
    ) -> tuple[ActivityResult, list[Notification], list[dict[str, Any]]]:
        unit = Unit(conn, now)
        query = sa.select(ACTIVITIES).where(ACTIVITIES.c.key == key)
        if unit.dialect == "postgresql":
            query = query.with_for_update(key_share=True)
        row = conn.execute(query).first()
        if row is None:
            raise UnknownActivity(key)
        if row.retracted_at is not None:
            return (
                replace(load_result(conn, row.id, row.key, row.type, reversals=True), duplicate=True, retracted=True),
                [],
                [],
            )
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
        self._prefetch(unit, [view])
        outcomes = Outcomes()
        why = f"retracted: {reason}" if reason else "retracted"
        self._reverse_ledger(unit, view, why, outcomes)
        self._reverse_event_awards(unit, view, why, outcomes)
        for metric in self.registry.metrics_by_trigger.get(view.type, ()):
            metric.apply(unit, view, -1)
        self._reconsider(unit, view, why, {p.point_type for p in outcomes.points if p.amount}, outcomes)
        self._update_levels(unit, view, {(c.user_id, c.point_type) for c in outcomes.points})
        result = outcomes.result(view, retracted=True)
        unit.notify("activity_retracted", activity=view, result=result)
        unit.flush()
        return result, unit.notifications, unit.failures

    def _reverse_ledger(self, unit: Unit, view: ActivityView, why: str, outcomes: Outcomes) -> None:
        reversal = sa.orm.aliased(LedgerEntry)
        rows = unit.conn.execute(
            sa.select(LEDGER)
            .where(
                LEDGER.c.activity_id == view.id,
                LEDGER.c.reverses_id.is_(None),
                ~sa.exists().where(reversal.reverses_id == LEDGER.c.id),
            )
            .order_by(LEDGER.c.id)
        ).all()
        for entry in rows:
            if entry.capped and entry.amount > 0:
                unit.add_counter(entry.member_id, f"cap:{entry.point_type}:{view.day_ordinal}", -entry.amount)
            rule = self.registry.rules.get(entry.rule)
            if entry.amount > 0 and getattr(rule, "daily_cap", None) is not None:
                unit.add_counter(entry.member_id, f"rulecap:{entry.rule}:{view.day_ordinal}", -entry.amount)
            self._write_points(
                unit,
                view,
                entry.rule,
                entry.member_id,
                entry.point_type,
                -entry.amount,
                why,
                capped=False,
                outcomes=outcomes,
                reverses=entry.id,
            )

    def _reverse_event_awards(self, unit: Unit, view: ActivityView, why: str, outcomes: Outcomes) -> None:
        for award_id, member, badge, level, once, rule in unit.conn.execute(
            sa.select(
                AWARDS.c.id, AWARDS.c.member_id, AWARDS.c.badge_slug, AWARDS.c.level, AWARDS.c.once, AWARDS.c.rule
            ).where(AWARDS.c.activity_id == view.id, AWARDS.c.mode != "threshold", AWARDS.c.revoked_at.is_(None))
        ):
            if once:
                self._revoke_badge(unit, view, rule, member, badge, level, why, outcomes)
            else:  # repeatable awards are not cached by level: revoke the row itself
                unit.award_revocations.append(
                    {"b_id": award_id, "revoked_at": unit.now, "revoke_reason": why, "by": view.id}
                )
                change = BadgeChange(unit.user_of[member], badge, level, rule, granted=False)
                outcomes.badges.append(change)
                unit.notify("badge_revoked", change=change, activity_key=view.key)
        for member, role, rule in unit.conn.execute(
            sa.select(GRANTS.c.member_id, GRANTS.c.role_slug, GRANTS.c.rule).where(
                GRANTS.c.activity_id == view.id, GRANTS.c.mode != "threshold", GRANTS.c.revoked_at.is_(None)
            )
        ):
            self._revoke_role(unit, view, rule, member, role, why, outcomes)

    def _reconsider(self, unit: Unit, view: ActivityView, why: str, changed: set[str], outcomes: Outcomes) -> None:
        """After a retraction, revoke threshold badges and roles whose criteria no longer hold."""
        ctx = Context(unit, view, retracting=True)
        triggers = [view.type, *(f"points:{t}" for t in sorted(changed))]
        seen: set[str] = set()
        for trigger in triggers:
            for rule in self.registry.rules_by_trigger.get(trigger, ()):
                if rule.name in seen:
                    continue
                seen.add(rule.name)
                try:
                    proposed = list(rule.evaluate(ctx))
                except Exception as exc:
                    self.calls.rule_failed(unit, rule, view, exc)
                    continue
                for outcome in proposed:
                    if isinstance(outcome, HoldBadge):
                        held = unit.badge_levels(outcome.member_id, outcome.badge)
                        for level in sorted(held, reverse=True):
                            if level > outcome.level and held[level][1] == "threshold":
                                self._revoke_badge(
                                    unit, view, rule.name, outcome.member_id, outcome.badge, level, why, outcomes
                                )
                    elif isinstance(outcome, HoldRole) and not outcome.holds:
                        grant = unit.roles(outcome.member_id).get(outcome.role)
                        if grant is not None and grant[1] == "threshold":
                            self._revoke_role(unit, view, rule.name, outcome.member_id, outcome.role, why, outcomes)


def _as_stored(item: ActivityInput) -> dict[str, Any]:
    return {
        "type": item.type,
        "actor": item.actor,
        "target": item.target,
        "subject": item.subject,
        "payload": dict(item.payload),
    }


def load_result(
    conn: sa.Connection, activity_id: int, key: str, type_: str, *, reversals: bool = False
) -> ActivityResult:
    """Rebuild what an activity did from the ledger, awards and grants (for replays)."""
    user = MEMBERS.c.user_id
    ledger_filter = LEDGER.c.reverses_id.is_not(None) if reversals else LEDGER.c.reverses_id.is_(None)
    points = tuple(
        PointsChange(u, t, a, b, r, why)
        for u, t, a, b, r, why in conn.execute(
            sa.select(
                user, LEDGER.c.point_type, LEDGER.c.amount, LEDGER.c.balance_after, LEDGER.c.rule, LEDGER.c.reason
            )
            .join(MEMBERS, MEMBERS.c.id == LEDGER.c.member_id)
            .where(LEDGER.c.activity_id == activity_id, ledger_filter)
            .order_by(LEDGER.c.id)
        )
    )
    award_filter = AWARDS.c.revoked_by_activity_id == activity_id if reversals else AWARDS.c.activity_id == activity_id
    badges = tuple(
        BadgeChange(u, b, lv, r, granted=not reversals)
        for u, b, lv, r in conn.execute(
            sa.select(user, AWARDS.c.badge_slug, AWARDS.c.level, AWARDS.c.rule)
            .join(MEMBERS, MEMBERS.c.id == AWARDS.c.member_id)
            .where(award_filter)
            .order_by(AWARDS.c.id)
        )
    )
    grant_filter = GRANTS.c.revoked_by_activity_id == activity_id if reversals else GRANTS.c.activity_id == activity_id
    roles = tuple(
        RoleChange(u, r, rule, granted=not reversals)
        for u, r, rule in conn.execute(
            sa.select(user, GRANTS.c.role_slug, GRANTS.c.rule)
            .join(MEMBERS, MEMBERS.c.id == GRANTS.c.member_id)
            .where(grant_filter)
            .order_by(GRANTS.c.id)
        )
    )
    return ActivityResult(key=key, activity_id=activity_id, type=type_, points=points, badges=badges, roles=roles)
