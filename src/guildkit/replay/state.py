"""What rules made of a member, read from one database, and the difference between two of them.

A rule change is checked by replaying history into a scratch database (:mod:`.scratch`) and
comparing, member by member, what the live database holds with what the replay made:
balances and levels, live badge awards, live role grants, and the counters rules keep. Members
are matched by their host user id (the two databases number them differently), and read in
chunks so memory holds one chunk of members at a time, however long the history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guildkit.models import Activity, table_of
from guildkit.unit_sql import AWARDS, BALANCES, COUNTERS, DISTINCT, GRANTS, LEDGER, MEMBERS

ACTIVITIES = table_of(Activity)

#: Counters that rules and caps keep (:mod:`guildkit.metrics`, :mod:`guildkit.caps`). Others
#: (rate limits, plugins' own) are not the rules' to reconcile.
DERIVED_PREFIXES = (
    "count:",
    "distinct:",
    "streak:",
    "day:",
    "cap:",
    "wcap:",
    "pair:",
    "rulecap:",
    "rulewcap:",
    "rulepair:",
    "ruletotal:",
)


@dataclass(frozen=True)
class Award:
    """One live badge award or role grant, with the key of the activity it belongs to."""

    id: int
    rule: str
    mode: str
    at: datetime
    key: str | None
    once: bool = True


@dataclass
class MemberState:
    user_id: str
    member_id: int
    #: point type -> (balance, level)
    balances: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: (badge, level) -> live awards, oldest first
    badges: dict[tuple[str, int], list[Award]] = field(default_factory=lambda: defaultdict(list))
    roles: dict[str, Award] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    #: (distinct counter, value) -> uses
    distinct: dict[tuple[str, str], int] = field(default_factory=dict)


def read_states(conn: sa.Connection, user_ids: Sequence[str]) -> dict[str, MemberState]:
    """The rule-made state of each member of ``user_ids`` who exists in ``conn``'s database."""
    if not user_ids:
        return {}
    rows = conn.execute(sa.select(MEMBERS.c.id, MEMBERS.c.user_id).where(MEMBERS.c.user_id.in_(list(user_ids))))
    states = {user: MemberState(user, member) for member, user in rows}
    by_id = {s.member_id: s for s in states.values()}
    ids = list(by_id)
    if not ids:
        return states
    for member, point_type, balance, level in conn.execute(
        sa.select(BALANCES.c.member_id, BALANCES.c.point_type, BALANCES.c.balance, BALANCES.c.level).where(
            BALANCES.c.member_id.in_(ids)
        )
    ):
        if balance or level:
            by_id[member].balances[point_type] = (balance, level)
    for award_id, member, badge, level, rule, mode, at, key, once in conn.execute(
        sa.select(
            AWARDS.c.id,
            AWARDS.c.member_id,
            AWARDS.c.badge_slug,
            AWARDS.c.level,
            AWARDS.c.rule,
            AWARDS.c.mode,
            AWARDS.c.awarded_at,
            ACTIVITIES.c.key,
            AWARDS.c.once,
        )
        .outerjoin(ACTIVITIES, ACTIVITIES.c.id == AWARDS.c.activity_id)
        .where(AWARDS.c.member_id.in_(ids), AWARDS.c.revoked_at.is_(None))
        .order_by(AWARDS.c.id)
    ):
        by_id[member].badges[(badge, level)].append(Award(award_id, rule, mode, at, key, bool(once)))
    for grant_id, member, role, rule, mode, at, key in conn.execute(
        sa.select(
            GRANTS.c.id,
            GRANTS.c.member_id,
            GRANTS.c.role_slug,
            GRANTS.c.rule,
            GRANTS.c.mode,
            GRANTS.c.granted_at,
            ACTIVITIES.c.key,
        )
        .outerjoin(ACTIVITIES, ACTIVITIES.c.id == GRANTS.c.activity_id)
        .where(GRANTS.c.member_id.in_(ids), GRANTS.c.revoked_at.is_(None))
    ):
        by_id[member].roles[role] = Award(grant_id, rule, mode, at, key)
    for member, name, value in conn.execute(
        sa.select(COUNTERS.c.member_id, COUNTERS.c.name, COUNTERS.c.value).where(COUNTERS.c.member_id.in_(ids))
    ):
        if value and name.startswith(DERIVED_PREFIXES):
            by_id[member].counters[name] = value
    for member, name, value, uses in conn.execute(
        sa.select(DISTINCT.c.member_id, DISTINCT.c.name, DISTINCT.c.value, DISTINCT.c.uses).where(
            DISTINCT.c.member_id.in_(ids)
        )
    ):
        if uses:
            by_id[member].distinct[(name, value)] = uses
    return states


@dataclass(frozen=True)
class Earned:
    """What one activity's ledger rows came to, for one member and point type."""

    amount: int
    capped: bool
    occurred_at: datetime


def ledger_by_activity(conn: sa.Connection, states: Iterable[MemberState]) -> dict[tuple[str, str, str], Earned]:
    """(user id, activity key, point type) -> the sum of the ledger rows, for these members."""
    users = {s.member_id: s.user_id for s in states}
    if not users:
        return {}
    rows = conn.execute(
        sa.select(
            LEDGER.c.member_id,
            ACTIVITIES.c.key,
            LEDGER.c.point_type,
            sa.func.sum(LEDGER.c.amount),
            sa.func.max(sa.cast(LEDGER.c.capped, sa.Integer)),
            ACTIVITIES.c.occurred_at,
        )
        .join(ACTIVITIES, ACTIVITIES.c.id == LEDGER.c.activity_id)
        .where(LEDGER.c.member_id.in_(list(users)))
        .group_by(LEDGER.c.member_id, ACTIVITIES.c.key, LEDGER.c.point_type, ACTIVITIES.c.occurred_at)
    )
    return {
        (users[member], key, point_type): Earned(int(amount or 0), bool(capped), occurred_at)
        for member, key, point_type, amount, capped, occurred_at in rows
    }


def member_chunks(conn: sa.Connection, size: int, after: str = "") -> Iterable[list[str]]:
    """Every member's user id, in order, ``size`` at a time (keyset paging: no long-lived cursor)."""
    while True:
        chunk = list(
            conn.scalars(
                sa.select(MEMBERS.c.user_id).where(MEMBERS.c.user_id > after).order_by(MEMBERS.c.user_id).limit(size)
            )
        )
        if not chunk:
            return
        yield chunk
        after = chunk[-1]


@dataclass(frozen=True)
class MemberChange:
    """How one member's standing differs between the live rules' outcome and the proposed one."""

    user_id: str
    #: point type -> (now, then)
    points: dict[str, tuple[int, int]]
    #: point type -> (now, then)
    levels: dict[str, tuple[int, int]]
    #: (badge, level) -> how many awards would be added (> 0) or taken back (< 0)
    badges: dict[tuple[str, int], int]
    #: role -> True (would be granted) or False (would be revoked)
    roles: dict[str, bool]
    #: Counters rules keep differ too (invisible to members; brought in line by an apply).
    counters: bool

    @property
    def visible(self) -> bool:
        """Whether the member would see a difference (points, level, badge or role)."""
        return bool(self.points or self.levels or self.badges or self.roles)

    def as_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "points": {t: {"before": a, "after": b, "change": b - a} for t, (a, b) in sorted(self.points.items())},
            "levels": {t: {"before": a, "after": b} for t, (a, b) in sorted(self.levels.items())},
            "badges_awarded": [
                {"badge": b, "level": lv, "count": n} for (b, lv), n in sorted(self.badges.items()) if n > 0
            ],
            "badges_revoked": [
                {"badge": b, "level": lv, "count": -n} for (b, lv), n in sorted(self.badges.items()) if n < 0
            ],
            "roles_granted": sorted(r for r, held in self.roles.items() if held),
            "roles_revoked": sorted(r for r, held in self.roles.items() if not held),
        }


_EMPTY = MemberState("", 0)


def compare(user_id: str, live: MemberState | None, replayed: MemberState | None) -> MemberChange | None:
    """What would change for ``user_id`` going from ``live`` to ``replayed``; ``None``: nothing."""
    now, then = live or _EMPTY, replayed or _EMPTY
    points: dict[str, tuple[int, int]] = {}
    levels: dict[str, tuple[int, int]] = {}
    for point_type in sorted(now.balances.keys() | then.balances.keys()):
        (a, la), (b, lb) = now.balances.get(point_type, (0, 0)), then.balances.get(point_type, (0, 0))
        if a != b:
            points[point_type] = (a, b)
        if la != lb:
            levels[point_type] = (la, lb)
    badges = {
        key: len(then.badges.get(key, ())) - len(now.badges.get(key, ()))
        for key in sorted(now.badges.keys() | then.badges.keys())
        if len(then.badges.get(key, ())) != len(now.badges.get(key, ()))
    }
    roles = {role: role in then.roles for role in sorted(now.roles.keys() ^ then.roles.keys())}
    counters = now.counters != then.counters or now.distinct != then.distinct
    if not (points or levels or badges or roles or counters):
        return None
    return MemberChange(user_id, points, levels, badges, roles, counters)
