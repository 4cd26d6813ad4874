"""Dry run: what a rule set would change for every member, if it had always been in force.

:func:`preview` replays the stored history under the proposed rules into a scratch database
(:mod:`.scratch`) and compares it with the live database member by member (:mod:`.state`).
Nothing is written to the live database and nobody is told. The result lists the totals first
(points gained and lost per type, badges awarded and taken back, levels, roles) and then each
member affected.

Trust levels follow activities (``GUILDKIT_TRUST_LEVELS``), not the rule set, so a rule change
never changes them and a preview reports none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from guildkit.replay import scratch as replay
from guildkit.replay.state import MemberChange, compare, member_chunks, read_states

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.registry import Registry


@dataclass
class Totals:
    """Sums over every member a preview found affected."""

    members: int = 0
    points_gained: Counter[str] = field(default_factory=Counter)
    points_lost: Counter[str] = field(default_factory=Counter)
    badges_awarded: Counter[tuple[str, int]] = field(default_factory=Counter)
    badges_revoked: Counter[tuple[str, int]] = field(default_factory=Counter)
    levels_up: Counter[str] = field(default_factory=Counter)
    levels_down: Counter[str] = field(default_factory=Counter)
    roles_granted: Counter[str] = field(default_factory=Counter)
    roles_revoked: Counter[str] = field(default_factory=Counter)

    def add(self, change: MemberChange) -> None:
        if not change.visible:
            return
        self.members += 1
        for point_type, (before, after) in change.points.items():
            (self.points_gained if after > before else self.points_lost)[point_type] += abs(after - before)
        for key, count in change.badges.items():
            (self.badges_awarded if count > 0 else self.badges_revoked)[key] += abs(count)
        for point_type, (before, after) in change.levels.items():
            (self.levels_up if after > before else self.levels_down)[point_type] += 1
        for role, granted in change.roles.items():
            (self.roles_granted if granted else self.roles_revoked)[role] += 1

    def as_json(self) -> dict[str, Any]:
        def badges(counts: Counter[tuple[str, int]]) -> list[dict[str, Any]]:
            return [{"badge": b, "level": lv, "count": n} for (b, lv), n in sorted(counts.items())]

        return {
            "members": self.members,
            "points_gained": dict(sorted(self.points_gained.items())),
            "points_lost": dict(sorted(self.points_lost.items())),
            "badges_awarded": badges(self.badges_awarded),
            "badges_revoked": badges(self.badges_revoked),
            "levels_up": dict(sorted(self.levels_up.items())),
            "levels_down": dict(sorted(self.levels_down.items())),
            "roles_granted": dict(sorted(self.roles_granted.items())),
            "roles_revoked": dict(sorted(self.roles_revoked.items())),
        }


@dataclass
class Preview:
    """What the proposed rules would change: totals, then each member a member would notice."""

    totals: Totals
    members: list[MemberChange]
    #: How many activities were replayed.
    activities: int
    #: Members whose only difference is in the counters rules keep (nothing they would see).
    counters_only: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "activities": self.activities,
            "totals": self.totals.as_json(),
            "counters_only": self.counters_only,
            "members": [m.as_json() for m in self.members],
        }

    def page(self, number: int, size: int = 50) -> list[MemberChange]:
        """One page (from 1) of the members affected."""
        start = (max(1, number) - 1) * size
        return self.members[start : start + size]


def preview(gk: GuildKit, registry: Registry, *, chunk: int = 2000, members_chunk: int = 1000) -> Preview:
    """Replay the history under ``registry`` and compare it with the live database."""
    totals = Totals()
    changes: list[MemberChange] = []
    counters_only = 0
    with replay.scratch(gk, registry, chunk=chunk) as made, gk.store.engine.connect() as live:
        made.catch_up(live)
        with made.reading() as replayed:
            for users in member_chunks(live, members_chunk):
                now, then = read_states(live, users), read_states(replayed, users)
                for user in users:
                    change = compare(user, now.get(user), then.get(user))
                    if change is None:
                        continue
                    if change.visible:
                        totals.add(change)
                        changes.append(change)
                    else:
                        counters_only += 1
                live.rollback()  # no snapshot held open between chunks
        return Preview(totals, changes, made.replayed, counters_only)
