"""Applying outcomes: caps and floors, ledger rows, badge and role grants and revocations, levels.

A :class:`Step` is one activity being recorded or retracted. Rules read through it (it is the
:class:`~guildkit.rules.RuleContext`), and everything the :class:`Awarder` does for it lands in
two places: the step's unit of work (written at flush) and the step's change lists (its result,
and the after-commit notifications).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

from guildkit.activity import ActivityInput, ActivityResult, ActivityView, BadgeChange, PointsChange, RoleChange
from guildkit.announcements import LevelChange
from guildkit.caps import caps_for, counter_names, pair_capped, type_capped
from guildkit.definitions import source
from guildkit.metrics import Distinct, Metric
from guildkit.notes import Said, became, earned, now_status, reached, stored, taken_back
from guildkit.rules.base import (
    AwardBadge,
    AwardPoints,
    GrantRole,
    HoldBadge,
    HoldRole,
    Outcome,
    RevokeBadge,
    RevokeRole,
    Rule,
    SetStatus,
)
from guildkit.unit import Unit

if TYPE_CHECKING:
    from guildkit.plugins import PluginCalls
    from guildkit.registry import Registry


@dataclass
class Step:
    """One activity in the works: what rules read, and what it changed so far."""

    unit: Unit
    activity: ActivityView
    retracting: bool = False
    points: list[PointsChange] = field(default_factory=list)
    badges: list[BadgeChange] = field(default_factory=list)
    roles: list[RoleChange] = field(default_factory=list)

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

    def result(self, **flags: bool) -> ActivityResult:
        return ActivityResult(
            key=self.activity.key,
            activity_id=self.activity.id,
            type=self.activity.type,
            points=tuple(self.points),
            badges=tuple(self.badges),
            roles=tuple(self.roles),
            **flags,
        )

    def notify(self, name: str, change: object) -> None:
        self.unit.notify(name, change=change, activity_key=self.activity.key)

    def tell_member(self, member: int, kind: str, text: str | Said, **data: object) -> None:
        """An in-app notification for ``member`` ("You earned Gold Answerer")."""
        text, data = stored(text, data)
        self.unit.notification_rows.append(
            {
                "member_id": member,
                "kind": kind,
                "text": text,
                "data": data,
                "activity_id": self.activity.id,
                "created_at": self.unit.now,
            }
        )


def wanted(registry: Registry, items: Iterable[ActivityInput], zone: tzinfo) -> tuple[set[str], set[tuple[str, str]]]:
    """The counters and the Distinct (name, value) pairs activities not yet stored may read, for
    :meth:`Unit.load`, which reads them with the members before any member id is known. Caps
    counted per actor name the actor's member id: :func:`prefetch` reads those, where they exist."""
    names: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    seen: set[tuple[str, int]] = set()
    for item in items:
        day = ActivityView.day_of(item.occurred_at, zone)
        if (item.type, day) not in seen:  # a batch has many of each
            seen.add((item.type, day))
            names.update(registry.counters_for(item.type, day))
            rules = registry.rules_by_trigger.get(item.type, ())
            names.update(counter_names(registry.point_types, rules, day=day, week=(day - 1) // 7, actor=None))
        for metric in registry.metrics_by_trigger.get(item.type, ()):
            if isinstance(metric, Distinct):
                value = {"actor": item.actor, "target": item.target, "subject": item.subject}[metric.of]
                if value is not None:
                    pairs.add((metric.name, value))
    return names, pairs


def prefetch(registry: Registry, unit: Unit, views: Sequence[ActivityView], *, loaded: bool = False) -> None:
    """Load, in two queries, every counter and balance these activities may read that is not loaded yet.

    ``loaded``: :meth:`Unit.load` read what :func:`wanted` names; only caps counted per actor are left.
    """
    keys: set[tuple[int, str]] = set()
    members: set[int] = set()
    for view in views:
        involved = [m for m in (view.actor_id, view.target_id) if m is not None]
        members.update(involved)
        rules = registry.rules_by_trigger.get(view.type, ())
        if loaded and not pair_capped(registry.point_types, rules):
            continue
        day, week = view.day_ordinal, view.week_ordinal
        names = [
            *registry.counters_for(view.type, day),
            *counter_names(registry.point_types, rules, day=day, week=week, actor=view.actor_id),
        ]
        keys.update((m, n) for m in involved for n in names)
    unit.prefetch_counters(keys)
    unit.prefetch_balances(members)


class Awarder:
    def __init__(self, registry: Registry, calls: PluginCalls) -> None:
        self.registry = registry
        self.calls = calls

    def evaluate(self, step: Step, rule: Rule) -> list[Outcome]:
        """The rule's outcomes; a rule that raises is recorded and counts as proposing nothing."""
        try:
            return list(rule.evaluate(step))
        except Exception as exc:  # a broken plugin rule must not break the host's request
            self.calls.rule_failed(step.unit, rule, step.activity, exc)
            return []

    @staticmethod
    def would_change(unit: Unit, outcome: Outcome) -> bool:
        """False for state outcomes that are already true (reviewing those is noise)."""
        if isinstance(outcome, HoldBadge):
            return outcome.level > unit.badge_level(outcome.member_id, outcome.badge)
        if isinstance(outcome, HoldRole):
            return outcome.holds and outcome.role not in unit.roles(outcome.member_id)
        return True

    def apply(self, step: Step, rule: str, outcome: Outcome) -> bool:
        """Apply a reviewed outcome; true when it changed a balance."""
        unit = step.unit
        member = outcome.member_id
        # Members who may not earn (suspended, or not accepting required guidelines) still lose things.
        if not unit.earns(member) and not isinstance(outcome, RevokeBadge | RevokeRole | SetStatus):
            return False
        if isinstance(outcome, SetStatus):
            if unit.status_of.get(member) != outcome.status:
                unit.set_status(member, outcome.status)
                step.tell_member(member, "status", now_status(outcome.status, outcome.reason), status=outcome.status)
            return False
        if isinstance(outcome, AwardPoints):
            return self.award_points(step, rule, outcome)
        if isinstance(outcome, AwardBadge):
            self.grant_badge(step, rule, member, outcome.badge, outcome.level, outcome.reason, "event")
        elif isinstance(outcome, HoldBadge):
            held = unit.badge_levels(member, outcome.badge)
            for level in range(1, outcome.level + 1):
                if level not in held:
                    self.grant_badge(step, rule, member, outcome.badge, level, outcome.reason, "threshold")
        elif isinstance(outcome, GrantRole):
            self.grant_role(step, rule, member, outcome.role, outcome.reason, "event")
        elif isinstance(outcome, HoldRole) and outcome.holds:
            self.grant_role(step, rule, member, outcome.role, outcome.reason, "threshold")
        elif isinstance(outcome, RevokeBadge):
            for level in sorted(unit.badge_levels(member, outcome.badge), reverse=True):
                if outcome.level is None or level == outcome.level:
                    self.revoke_badge(step, rule, member, outcome.badge, level, outcome.reason)
        elif isinstance(outcome, RevokeRole) and outcome.role in unit.roles(member):
            self.revoke_role(step, rule, member, outcome.role, outcome.reason)
        return False

    def award_points(self, step: Step, rule: str, award: AwardPoints) -> bool:
        """Points after plugins, caps and floors; a capped or floored award still writes its row."""
        unit, activity = step.unit, step.activity
        point_type = self.registry.point_types[award.point_type]
        amount = self.calls.compute_points(unit, activity, rule, award)
        member = award.member_id
        reason = award.reason
        capped = award.capped and type_capped(point_type)
        caps = caps_for(
            point_type,
            rule,
            award,
            type_caps=capped,
            day=activity.day_ordinal,
            week=activity.week_ordinal,
            actor=activity.actor_id,
            member=member,
        )
        if amount > 0 and caps:
            # The tightest cap wins, and every cap counts what was actually given.
            for cap in caps:
                allowed = max(0, min(amount, cap.limit - unit.counter(member, cap.counter)))
                if allowed < amount:
                    amount, reason = allowed, f"{reason} {cap.note}"
            for cap in caps:
                unit.add_counter(member, cap.counter, amount)
        balance = unit.balance(member, point_type.slug)
        if amount < 0 and point_type.floor is not None and balance + amount < point_type.floor:
            amount = min(0, point_type.floor - balance)
            reason += f" (floor of {point_type.floor})"
        self.write_points(step, rule, member, point_type.slug, amount, reason, capped=capped)
        return amount != 0

    def write_points(
        self,
        step: Step,
        rule: str,
        member: int,
        point_type: str,
        amount: int,
        reason: str,
        *,
        capped: bool,
        reverses: int | None = None,
    ) -> None:
        unit = step.unit
        balance = unit.add_points(member, point_type, amount)
        unit.ledger_rows.append(
            {
                "member_id": member,
                "point_type": point_type,
                "amount": amount,
                "balance_after": balance,
                "activity_id": step.activity.id,
                "rule": rule,
                "reason": reason,
                "capped": capped,
                "reverses_id": reverses,
                # Points are dated when earned; a reversal when it is made.
                "created_at": unit.now if reverses else step.activity.occurred_at,
            }
        )
        change = PointsChange(unit.user_of[member], point_type, amount, balance, rule, reason)
        step.points.append(change)
        if amount:
            step.notify("points_changed", change)

    def grant_badge(self, step: Step, rule: str, member: int, badge: str, level: int, reason: str, mode: str) -> None:
        definition = self.registry.badges.get(badge)
        if definition is None or not 1 <= level <= len(definition.levels):
            return
        once = not definition.repeatable
        if once and level in step.unit.badge_levels(member, badge):
            return
        step.unit.add_award(
            {
                "member_id": member,
                "badge_slug": badge,
                "level": level,
                "once": once,
                "activity_id": step.activity.id,
                "rule": rule,
                "mode": mode,
                "reason": reason,
                "awarded_at": step.activity.occurred_at,
            }
        )
        change = BadgeChange(step.unit.user_of[member], badge, level, rule)
        step.badges.append(change)
        step.notify("badge_awarded", change)
        tier = definition.levels[level - 1].tier
        step.tell_member(member, "badge_awarded", earned(definition, level), badge=badge, level=level, tier=tier)

    def revoke_badge(self, step: Step, rule: str, member: int, badge: str, level: int, reason: str) -> None:
        step.unit.revoke_award(member, badge, level, reason, step.activity.id)
        self._badge_revoked(step, rule, member, badge, level, reason)

    def revoke_award_row(
        self, step: Step, award_id: int, rule: str, member: int, badge: str, level: int, reason: str
    ) -> None:
        """Revoke one award by id (repeatable awards are not tracked by level)."""
        step.unit.award_revocations.append(
            {"b_id": award_id, "revoked_at": step.unit.now, "revoke_reason": reason, "by": step.activity.id}
        )
        self._badge_revoked(step, rule, member, badge, level, reason)

    def _badge_revoked(self, step: Step, rule: str, member: int, badge: str, level: int, reason: str) -> None:
        change = BadgeChange(step.unit.user_of[member], badge, level, rule, granted=False)
        step.badges.append(change)
        step.notify("badge_revoked", change)
        definition = self.registry.badges.get(badge)
        said = taken_back(definition, badge, level, reason)
        step.tell_member(member, "badge_revoked", said, badge=badge, level=level)

    def grant_role(self, step: Step, rule: str, member: int, role: str, reason: str, mode: str) -> None:
        if role in step.unit.roles(member):
            return
        step.unit.add_grant(
            {
                "member_id": member,
                "role_slug": role,
                "activity_id": step.activity.id,
                "rule": rule,
                "mode": mode,
                "reason": reason,
                "granted_at": step.activity.occurred_at,
            }
        )
        change = RoleChange(step.unit.user_of[member], role, rule)
        step.roles.append(change)
        step.notify("role_granted", change)
        definition = self.registry.roles.get(role)
        step.tell_member(member, "role_granted", became(definition.name if definition else role), role=role)

    def revoke_role(self, step: Step, rule: str, member: int, role: str, reason: str) -> None:
        step.unit.revoke_grant(member, role, reason, step.activity.id)
        change = RoleChange(step.unit.user_of[member], role, rule, granted=False)
        step.roles.append(change)
        step.notify("role_revoked", change)

    def update_levels(self, step: Step) -> None:
        """Recompute the level of every balance this step changed."""
        unit = step.unit
        for user_id, point_type in sorted({(c.user_id, c.point_type) for c in step.points}):
            levels = self.registry.levels.get(point_type)
            if levels is None:
                continue
            member = unit.member_of[user_id]
            old = unit.level(member, point_type)
            new = levels.level_for(unit.balance(member, point_type))
            if new != old:
                unit.set_level(member, point_type, new)
                step.notify("level_changed", LevelChange(user_id, point_type, old, new, source(levels.name_of(new))))
                # The level a member starts at (joining, or holding with no points) is no news to them.
                starting = step.activity.type == "guildkit.joined" or new <= levels.level_for(0)
                if new > old and not starting:
                    step.tell_member(member, "level_up", reached(levels.names, new), point_type=point_type, level=new)
