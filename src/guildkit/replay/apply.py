"""Apply: bring every member's standing to what the rules in force make of the whole history.

The history is replayed under the rules in force (:mod:`.scratch`), then the members are
reconciled a chunk at a time, each chunk in one write transaction under its members' locks
(``FOR NO KEY UPDATE`` on PostgreSQL, as :meth:`GuildKit.record` takes them; the write lock on
SQLite). Inside that transaction the replay first catches up with whatever was recorded or
retracted since, so a chunk is compared with the history as it stands while nobody else can
change those members; live ``record()`` calls for them wait, then carry on from the result.

Nothing is rewritten. The difference is written as ordinary rows:

- points: per activity and point type, a ledger row for the difference between what the
  activity earned and what it earns now, on that activity (so retracting it later takes back
  exactly what it earns now), with rule ``guildkit.rules:v<N>`` and reason "rules changed to v<N>";
- badges and roles the rules now give: new awards and grants, on the activity that earned them,
  dated when earned (or today, ``dated="today"``);
- badges and roles the rules no longer give: revoked, or kept (``grandfather=True``);
- the counters rules keep: set to the replay's values (they are state, not history).

Applying twice changes nothing: the second run finds no difference. A run killed at any point
has committed whole chunks; running it again finishes the job, since it compares again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

from guildkit.activity import BadgeChange, PointsChange, RoleChange
from guildkit.announcements import Announcement, LevelChange
from guildkit.definitions import source
from guildkit.errors import ValidationError
from guildkit.models import Activity, Member, table_of, utcnow
from guildkit.notes import Said, became, earned, reached, stored
from guildkit.replay import scratch as replay
from guildkit.replay.state import (
    Award,
    Earned,
    MemberState,
    compare,
    ledger_by_activity,
    member_chunks,
    read_states,
)
from guildkit.store import in_list, upsert
from guildkit.unit import Unit
from guildkit.unit_sql import DISTINCT

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.registry import Registry

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
#: What members are told of when ``notify="gains"``: never of a loss.
GAINS = frozenset({"badge_awarded", "role_granted", "level_up"})


@dataclass(frozen=True)
class ApplyOptions:
    #: Keep badges and roles the rules no longer give (points are always brought in line).
    grandfather: bool = False
    #: ``gains``: members hear of what they gained (badges, roles, levels); ``nobody``: silence.
    notify: Literal["gains", "nobody"] = "gains"
    #: ``earned``: new awards carry the date they were earned; ``today``: the date of the apply.
    dated: Literal["earned", "today"] = "earned"
    #: Only these badges (a console badge's backfill); points, roles and other badges are left
    #: as they are. ``None``: everything.
    badges: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.notify not in ("gains", "nobody"):
            raise ValidationError("notify must be 'gains' or 'nobody'", field="notify")
        if self.dated not in ("earned", "today"):
            raise ValidationError("dated must be 'earned' or 'today'", field="dated")

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "badges": None if self.badges is None else sorted(self.badges)}


@dataclass
class ApplyResult:
    version: int | None
    activities: int = 0
    members: int = 0
    ledger_rows: int = 0
    badges_awarded: int = 0
    badges_revoked: int = 0
    roles_granted: int = 0
    roles_revoked: int = 0
    #: Badges and roles kept although the rules no longer give them (``grandfather``).
    kept: int = 0

    def add(self, other: ApplyResult) -> None:
        for name in ("members", "ledger_rows", "badges_awarded", "badges_revoked", "roles_granted", "roles_revoked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.kept += other.kept

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def apply(
    gk: GuildKit,
    registry: Registry,
    options: ApplyOptions,
    *,
    chunk: int = 2000,
    members_chunk: int = 500,
    after_chunk: Callable[[ApplyResult], None] | None = None,
) -> ApplyResult:
    """Reconcile every member with the history replayed under ``registry`` (the rules in force)."""
    total = ApplyResult(registry.version)
    heard = gk._pipeline().heard
    with replay.scratch(gk, registry, chunk=chunk) as made:
        with gk.store.engine.connect() as live:  # the bulk of the replay, before any lock
            made.catch_up(live)
            users_in_chunks = list(member_chunks(live, members_chunk))
        reconciler = Reconciler(gk, registry, made, options, heard)
        for users in users_in_chunks:
            done, notes, failures = gk.store.run_write(lambda conn, users=users: reconciler.run(conn, users))
            gk._announce(notes, failures)
            total.add(done)
            if after_chunk is not None:
                after_chunk(total)
        total.activities = made.replayed
    return total


class Reconciler:
    """One chunk of members, in one transaction."""

    def __init__(
        self,
        gk: GuildKit,
        registry: Registry,
        made: replay.Scratch,
        options: ApplyOptions,
        heard: Callable[[str], bool],
    ) -> None:
        self.registry = registry
        self.made = made
        self.options = options
        self.heard = heard
        self.zone = gk.state.zone
        self.rule = f"guildkit.rules:v{registry.version}"
        self.reason = f"rules changed to v{registry.version}"

    def run(self, conn: sa.Connection, users: list[str]) -> tuple[ApplyResult, list[Announcement], list[Any]]:
        now = utcnow()
        done = ApplyResult(self.registry.version)
        rows = conn.execute(
            sa.select(MEMBERS.c.id, MEMBERS.c.user_id, MEMBERS.c.status)
            .where(MEMBERS.c.user_id.in_(users))
            .order_by(MEMBERS.c.id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE on PostgreSQL; ignored by SQLite
        ).all()
        self.made.catch_up(conn, now)  # everything committed for these members is in the replay now
        live = read_states(conn, users)
        with self.made.reading() as scratch:
            replayed = read_states(scratch, users)
            changed = [u for u in users if compare(u, live.get(u), replayed.get(u)) is not None]
            if not changed:
                return done, [], []
            after = ledger_by_activity(scratch, [replayed[u] for u in changed if u in replayed])
        before = ledger_by_activity(conn, [live[u] for u in changed if u in live])
        # Nobody to tell: nothing announced is even built (a chunk may change 100,000 rows).
        heard = self.heard if self.options.notify == "gains" else _nobody
        unit = Unit(conn, now, heard=heard, zone=self.zone)
        unit.take_members([(r.id, r.user_id, r.status) for r in rows], locked=True)
        keys = {key for _, key, _ in (*after, *before)}
        for user in changed:
            if user in replayed:
                keys.update(a.key for awards in replayed[user].badges.values() for a in awards if a.key)
                keys.update(a.key for a in replayed[user].roles.values() if a.key)
        self.activity_ids = self._ids_of(conn, keys)
        per_user: dict[str, set[tuple[str, str]]] = {}
        for user, key, point_type in (*before, *after):
            per_user.setdefault(user, set()).add((key, point_type))
        for user in changed:
            member = unit.member_of[user]
            then = replayed.get(user) or MemberState(user, member)
            now_state = live.get(user) or MemberState(user, member)
            done.members += 1
            self._counters(unit, member, now_state, then)
            self._badges(unit, done, member, now_state, then)
            if self.options.badges is None:
                self._points(unit, done, user, member, sorted(per_user.get(user, ())), before, after)
                self._roles(unit, done, member, now_state, then)
                self._levels(unit, member, now_state.balances.keys() | then.balances.keys())
        self._quiet(unit)
        unit.flush()
        return done, unit.notifications, unit.failures

    # -- points ------------------------------------------------------------------------------

    def _points(
        self,
        unit: Unit,
        done: ApplyResult,
        user: str,
        member: int,
        mine: list[tuple[str, str]],
        before: dict[tuple[str, str, str], Earned],
        after: dict[tuple[str, str, str], Earned],
    ) -> None:
        for key, point_type in mine:
            was, now = before.get((user, key, point_type)), after.get((user, key, point_type))
            amount = (now.amount if now else 0) - (was.amount if was else 0)
            either = now or was
            if amount == 0 or either is None:
                continue
            balance = unit.add_points(member, point_type, amount)
            unit.ledger_rows.append(
                {
                    "member_id": member,
                    "point_type": point_type,
                    "amount": amount,
                    "balance_after": balance,
                    "activity_id": self.activity_ids[key],  # every replayed activity is a live one
                    "rule": self.rule,
                    "reason": self.reason,
                    "capped": either.capped,
                    "reverses_id": None,
                    "created_at": either.occurred_at if self.options.dated == "earned" else unit.now,
                }
            )
            done.ledger_rows += 1
            unit.notify(
                "points_changed",
                change=PointsChange(user, point_type, amount, balance, self.rule, self.reason),
                activity_key=key,
            )

    @staticmethod
    def _ids_of(conn: sa.Connection, keys: set[str]) -> dict[str, int]:
        """Live activity ids by key, in one statement (one parameter, however many keys)."""
        if not keys:
            return {}
        where = in_list(ACTIVITIES.c.key, "keys", conn.dialect.name)
        return dict(
            conn.execute(sa.select(ACTIVITIES.c.key, ACTIVITIES.c.id).where(where), {"keys": sorted(keys)}).all()
        )

    def _levels(self, unit: Unit, member: int, point_types: set[str]) -> None:
        """Set each level to what the balance gives: the points changed, or the scale did."""
        for point_type in sorted(point_types):
            levels = self.registry.levels.get(point_type)
            if levels is None:
                continue
            old, new = unit.level(member, point_type), levels.level_for(unit.balance(member, point_type))
            if new == old:
                continue
            unit.set_level(member, point_type, new)
            user = unit.user_of[member]
            unit.notify("level_changed", change=LevelChange(user, point_type, old, new, source(levels.name_of(new))))
            if new > old and new > levels.level_for(0):  # the level held with no points is no news
                self._tell(unit, member, "level_up", reached(levels.names, new), point_type=point_type, level=new)

    # -- badges and roles --------------------------------------------------------------------

    def _badges(self, unit: Unit, done: ApplyResult, member: int, now: MemberState, then: MemberState) -> None:
        for badge, level in sorted(now.badges.keys() | then.badges.keys()):
            if self.options.badges is not None and badge not in self.options.badges:
                continue
            held, due = now.badges.get((badge, level), []), then.badges.get((badge, level), [])
            if (held and held[0].once) or (due and due[0].once):
                add, drop = ([] if held else due[:1]), ([] if due else held)
            else:  # repeatable: one award per activity that earned it
                wanted, have = Counter(a.key for a in due), Counter(a.key for a in held)
                add = [a for a in due if _take(wanted, have, a.key)]
                surplus = have - Counter(a.key for a in due)
                drop = [a for a in reversed(held) if _take(surplus, Counter(), a.key)]
            for award in add:
                self._award(unit, member, badge, level, award)
                done.badges_awarded += 1
            for award in drop:
                if self.options.grandfather:
                    done.kept += 1
                    continue
                unit.award_revocations.append(
                    {"b_id": award.id, "revoked_at": unit.now, "revoke_reason": self.reason, "by": None}
                )
                unit.notify("badge_revoked", change=BadgeChange(unit.user_of[member], badge, level, self.rule, False))
                done.badges_revoked += 1

    def _award(self, unit: Unit, member: int, badge: str, level: int, award: Award) -> None:
        unit.add_award(
            {
                "member_id": member,
                "badge_slug": badge,
                "level": level,
                "once": award.once,
                "activity_id": self.activity_ids.get(award.key) if award.key else None,
                "rule": award.rule,
                "mode": award.mode,
                "reason": self.reason,
                "awarded_at": award.at if self.options.dated == "earned" else unit.now,
            }
        )
        unit.notify("badge_awarded", change=BadgeChange(unit.user_of[member], badge, level, award.rule))
        definition = self.registry.badges.get(badge)
        if definition is not None and level <= len(definition.levels):
            tier = definition.levels[level - 1].tier
            self._tell(unit, member, "badge_awarded", earned(definition, level), badge=badge, level=level, tier=tier)

    def _roles(self, unit: Unit, done: ApplyResult, member: int, now: MemberState, then: MemberState) -> None:
        user = unit.user_of[member]
        for role in sorted(then.roles.keys() - now.roles.keys()):
            grant = then.roles[role]
            unit.add_grant(
                {
                    "member_id": member,
                    "role_slug": role,
                    "activity_id": self.activity_ids.get(grant.key) if grant.key else None,
                    "rule": grant.rule,
                    "mode": grant.mode,
                    "reason": self.reason,
                    "granted_at": grant.at if self.options.dated == "earned" else unit.now,
                }
            )
            unit.notify("role_granted", change=RoleChange(user, role, grant.rule))
            definition = self.registry.roles.get(role)
            self._tell(unit, member, "role_granted", became(definition.name if definition else role), role=role)
            done.roles_granted += 1
        for role in sorted(now.roles.keys() - then.roles.keys()):
            if self.options.grandfather:
                done.kept += 1
                continue
            unit.grant_revocations.append(
                {"b_id": now.roles[role].id, "revoked_at": unit.now, "revoke_reason": self.reason, "by": None}
            )
            unit.notify("role_revoked", change=RoleChange(user, role, self.rule, granted=False))
            done.roles_revoked += 1

    # -- counters ----------------------------------------------------------------------------

    def _counters(self, unit: Unit, member: int, now: MemberState, then: MemberState) -> None:
        for name in sorted(now.counters.keys() | then.counters.keys()):
            if now.counters.get(name, 0) != then.counters.get(name, 0):
                unit.set_counter(member, name, then.counters.get(name, 0))
        rows = [
            {"member_id": member, "name": name, "value": value, "uses": then.distinct.get((name, value), 0)}
            for name, value in sorted(now.distinct.keys() | then.distinct.keys())
            if now.distinct.get((name, value), 0) != then.distinct.get((name, value), 0)
        ]
        if rows:
            unit.conn.execute(upsert(unit.dialect, DISTINCT, ("member_id", "name", "value"), ("uses",)), rows)

    # -- telling members ---------------------------------------------------------------------

    def _tell(self, unit: Unit, member: int, kind: str, said: Said, **data: object) -> None:
        text, data = stored(said, data)
        unit.notification_rows.append(
            {"member_id": member, "kind": kind, "text": text, "data": data, "activity_id": None, "created_at": unit.now}
        )

    def _quiet(self, unit: Unit) -> None:
        """Keep only what members are to hear of: gains, or nothing."""
        if self.options.notify == "nobody":
            unit.notification_rows.clear()
            unit.notifications.clear()
            return
        unit.notification_rows[:] = [r for r in unit.notification_rows if r["kind"] in GAINS]
        unit.notifications[:] = [n for n in unit.notifications if _is_gain(n)]


def _nobody(name: str) -> bool:
    return False


def _is_gain(note: Announcement) -> bool:
    change = note.kwargs.get("change")
    if note.name == "points_changed":
        return isinstance(change, PointsChange) and change.amount > 0
    if note.name == "level_changed":
        return isinstance(change, LevelChange) and change.new_level > change.old_level
    return note.name in ("badge_awarded", "role_granted")


def _take(wanted: Counter[str | None], have: Counter[str | None], key: str | None) -> bool:
    """Whether one more of ``key`` is wanted beyond what is had (and count it taken)."""
    if wanted[key] > have[key]:
        wanted[key] -= 1
        return True
    return False
