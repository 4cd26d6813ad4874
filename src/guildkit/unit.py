"""The unit of work for one write transaction: cached member state and buffered writes.

The pipeline reads counters, balances, badges and roles through a :class:`Unit`, which loads
them in a few batched queries and keeps every change in memory; :meth:`Unit.flush` then writes
all of it with one ``executemany`` per table. Values are written as absolutes, which is safe
because the transaction holds the write lock (SQLite ``BEGIN IMMEDIATE``) or the member rows'
locks (PostgreSQL ``FOR UPDATE``) for every member it touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guildkit.announcements import Announcement
from guildkit.churn import collapse
from guildkit.models import (
    BadgeAward,
    Balance,
    Counter,
    DistinctValue,
    LedgerEntry,
    Member,
    Notification,
    RoleGrant,
    table_of,
)
from guildkit.store import upsert

COUNTERS = table_of(Counter)
DISTINCT = table_of(DistinctValue)
BALANCES = table_of(Balance)
LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
GRANTS = table_of(RoleGrant)
MEMBERS = table_of(Member)
NOTIFICATIONS = table_of(Notification)


#: Statuses that earn nothing (see the trust and safety docs).
NON_EARNING = frozenset({"suspended", "banned", "deleted"})


def _in(column: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[bool]:
    return column.in_(sa.bindparam(name, expanding=True))


# Built once: constructing a statement costs more than executing a cached one.
SELECT_MEMBERS = sa.select(MEMBERS.c.id, MEMBERS.c.user_id, MEMBERS.c.status).where(_in(MEMBERS.c.user_id, "users"))
LOCK_MEMBERS = (
    sa.select(MEMBERS.c.id).where(_in(MEMBERS.c.id, "ids")).order_by(MEMBERS.c.id).with_for_update(key_share=True)
)
SELECT_COUNTERS = sa.select(COUNTERS.c.member_id, COUNTERS.c.name, COUNTERS.c.value).where(
    _in(COUNTERS.c.member_id, "members"), _in(COUNTERS.c.name, "names")
)
SELECT_DISTINCT = sa.select(DISTINCT.c.uses).where(
    DISTINCT.c.member_id == sa.bindparam("member"),
    DISTINCT.c.name == sa.bindparam("name"),
    DISTINCT.c.value == sa.bindparam("value"),
)
SELECT_BALANCES = sa.select(BALANCES.c.member_id, BALANCES.c.point_type, BALANCES.c.balance, BALANCES.c.level).where(
    _in(BALANCES.c.member_id, "members")
)
SELECT_LIVE_AWARDS = sa.select(
    AWARDS.c.member_id, AWARDS.c.id, AWARDS.c.badge_slug, AWARDS.c.level, AWARDS.c.mode
).where(_in(AWARDS.c.member_id, "members"), AWARDS.c.once, AWARDS.c.revoked_at.is_(None))
SELECT_LIVE_GRANTS = sa.select(GRANTS.c.member_id, GRANTS.c.id, GRANTS.c.role_slug, GRANTS.c.mode).where(
    _in(GRANTS.c.member_id, "members"), GRANTS.c.revoked_at.is_(None)
)
INSERT_LEDGER = LEDGER.insert()
INSERT_AWARDS = AWARDS.insert()
INSERT_GRANTS = GRANTS.insert()
INSERT_NOTIFICATIONS = NOTIFICATIONS.insert()


def _revocation(table: sa.Table) -> sa.Update:
    return (
        table.update()
        .where(table.c.id == sa.bindparam("b_id"))
        .values(
            revoked_at=sa.bindparam("revoked_at"),
            revoke_reason=sa.bindparam("revoke_reason"),
            revoked_by_activity_id=sa.bindparam("by"),
        )
    )


REVOKE_AWARDS = _revocation(AWARDS)
REVOKE_GRANTS = _revocation(GRANTS)


class Unit:
    def __init__(self, conn: sa.Connection, now: datetime) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        self.now = now
        self.user_of: dict[int, str] = {}
        self.member_of: dict[str, int] = {}
        self.status_of: dict[int, str] = {}
        #: Members a plugin withholds earning from in this transaction (``guildkit_earning_withheld``,
        #: e.g. required guidelines not accepted): they earn nothing, like suspended members.
        self.withheld: frozenset[int] = frozenset()
        self._counters: dict[tuple[int, str], int] = {}
        self._dirty_counters: set[tuple[int, str]] = set()
        self._prefixes: set[tuple[int, str]] = set()
        self._distinct: dict[tuple[int, str, str], int] = {}
        self._dirty_distinct: set[tuple[int, str, str]] = set()
        self._balances: dict[tuple[int, str], list[int]] = {}
        self._balances_loaded: set[int] = set()
        self._dirty_balances: set[tuple[int, str]] = set()
        #: member -> badge -> {level: (award id or None, mode)}, live awards of one-time badges
        self._badges: dict[int, dict[str, dict[int, tuple[int | None, str]]]] = {}
        #: member -> role -> (grant id or None, mode)
        self._roles: dict[int, dict[str, tuple[int | None, str]]] = {}
        self.ledger_rows: list[dict[str, Any]] = []
        self.award_rows: list[dict[str, Any]] = []
        self.grant_rows: list[dict[str, Any]] = []
        self.award_revocations: list[dict[str, Any]] = []
        self.grant_revocations: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.status_changes: dict[int, str] = {}
        #: In-app notifications, written in the same transaction as what they announce.
        self.notification_rows: list[dict[str, Any]] = []
        self.notifications: list[Announcement] = []

    # -- members ---------------------------------------------------------------------------

    def ensure_members(self, first_seen: dict[str, datetime]) -> tuple[dict[str, int], list[str]]:
        """Member ids for the users in ``first_seen``, creating members as needed (joined when
        first seen: history imported later keeps its dates). Returns (ids, newly joined)."""
        wanted = sorted(first_seen)
        if not wanted:
            return {}, []
        ids = self._load_members(wanted)
        missing = [u for u in wanted if u not in ids]
        if not missing:  # the common case: one query
            return ids, []
        # Sorted inserts keep two transactions from taking the same new rows in opposite order;
        # ON CONFLICT absorbs a member that a concurrent writer created since we looked.
        rows = [{"user_id": u, "status": "active", "joined_at": min(first_seen[u], self.now)} for u in missing]
        stmt = upsert(self.dialect, MEMBERS, ("user_id",), returning=("user_id",))
        inserted = self.conn.execute(stmt, rows).scalars().all()
        ids.update(self._load_members(missing))
        return ids, sorted(inserted)

    def _load_members(self, user_ids: list[str]) -> dict[str, int]:
        ids = {}
        for member_id, user_id, status in self.conn.execute(SELECT_MEMBERS, {"users": user_ids}):
            ids[user_id] = member_id
            self.user_of[member_id] = user_id
            self.member_of[user_id] = member_id
            self.status_of[member_id] = status
        return ids

    def earns(self, member_id: int) -> bool:
        """Whether the member may earn points, badges and roles: active, and not withheld by a plugin."""
        return self.status_of.get(member_id) not in NON_EARNING and member_id not in self.withheld

    def set_status(self, member_id: int, status: str) -> None:
        self.status_of[member_id] = status
        self.status_changes[member_id] = status

    def lock_members(self, member_ids: Iterable[int]) -> None:
        """On PostgreSQL, lock the members' rows (in id order, so two writers never deadlock).

        ``FOR NO KEY UPDATE`` rather than ``FOR UPDATE``: inserting a row that references a
        member takes ``KEY SHARE`` on it, which ``FOR UPDATE`` would conflict with (deadlocks
        between two writers that each inserted an activity and then asked for the lock).
        """
        ids = sorted(set(member_ids))
        if ids and self.dialect == "postgresql":
            self.conn.execute(LOCK_MEMBERS, {"ids": ids}).all()

    # -- counters --------------------------------------------------------------------------

    def prefetch_counters(self, members: Iterable[int], names: Iterable[str]) -> None:
        known = self._counters
        # Not `set - known.keys()`: that copies every cached key into a set on each call.
        wanted = {(m, n) for m in members for n in names if (m, n) not in known}
        if not wanted:
            return
        member_ids = {m for m, _ in wanted}
        counter_names = {n for _, n in wanted}
        for key in wanted:
            self._counters[key] = 0
        rows = self.conn.execute(SELECT_COUNTERS, {"members": sorted(member_ids), "names": sorted(counter_names)})
        for member_id, name, value in rows:
            if (member_id, name) in wanted:
                self._counters[(member_id, name)] = value

    def counter(self, member_id: int, name: str) -> int:
        key = (member_id, name)
        if key not in self._counters:
            self.prefetch_counters((member_id,), (name,))
        return self._counters[key]

    def set_counter(self, member_id: int, name: str, value: int) -> None:
        self._counters[(member_id, name)] = value
        self._dirty_counters.add((member_id, name))

    def add_counter(self, member_id: int, name: str, delta: int) -> int:
        value = self.counter(member_id, name) + delta
        self.set_counter(member_id, name, value)
        return value

    def counters_with_prefix(self, member_id: int, prefix: str) -> list[tuple[str, int]]:
        if (member_id, prefix) not in self._prefixes:
            self._prefixes.add((member_id, prefix))
            rows = self.conn.execute(  # rare (a streak recount): built on demand
                sa.select(COUNTERS.c.name, COUNTERS.c.value).where(
                    COUNTERS.c.member_id == member_id, COUNTERS.c.name.startswith(prefix, autoescape=True)
                )
            )
            for name, value in rows:
                self._counters.setdefault((member_id, name), value)
        return [(n, v) for (m, n), v in self._counters.items() if m == member_id and n.startswith(prefix)]

    def touch_distinct(self, member_id: int, name: str, value: str, sign: int) -> bool:
        """Count one more (or one fewer) use of ``value``; true when it appeared or vanished."""
        key = (member_id, name, value)
        if key not in self._distinct:
            found = self.conn.execute(SELECT_DISTINCT, {"member": member_id, "name": name, "value": value})
            self._distinct[key] = found.scalar() or 0
        before = self._distinct[key]
        after = max(0, before + sign)
        self._distinct[key] = after
        self._dirty_distinct.add(key)
        return (before == 0 and after > 0) or (before > 0 and after == 0)

    # -- balances --------------------------------------------------------------------------

    def prefetch_balances(self, members: Iterable[int]) -> None:
        wanted = set(members) - self._balances_loaded
        if not wanted:
            return
        self._balances_loaded |= wanted
        rows = self.conn.execute(SELECT_BALANCES, {"members": sorted(wanted)})
        for member_id, point_type, balance, level in rows:
            self._balances[(member_id, point_type)] = [balance, level]

    def balance(self, member_id: int, point_type: str) -> int:
        self.prefetch_balances((member_id,))
        return self._balances.get((member_id, point_type), [0, 0])[0]

    def level(self, member_id: int, point_type: str) -> int:
        self.prefetch_balances((member_id,))
        return self._balances.get((member_id, point_type), [0, 0])[1]

    def add_points(self, member_id: int, point_type: str, amount: int) -> int:
        self.prefetch_balances((member_id,))
        entry = self._balances.setdefault((member_id, point_type), [0, 0])
        entry[0] += amount
        self._dirty_balances.add((member_id, point_type))
        return entry[0]

    def set_level(self, member_id: int, point_type: str, level: int) -> None:
        self.prefetch_balances((member_id,))
        self._balances.setdefault((member_id, point_type), [0, 0])[1] = level
        self._dirty_balances.add((member_id, point_type))

    # -- badges and roles ------------------------------------------------------------------

    def _load_badges(self, member_id: int) -> dict[str, dict[int, tuple[int | None, str]]]:
        if member_id not in self._badges:
            # Load every member of this unit at once: rules usually ask about all of them.
            members = sorted({member_id, *self.user_of} - self._badges.keys())
            for m in members:
                self._badges[m] = defaultdict(dict)
            for m, award_id, slug, level, mode in self.conn.execute(SELECT_LIVE_AWARDS, {"members": members}):
                self._badges[m][slug][level] = (award_id, mode)
        return self._badges[member_id]

    def badge_levels(self, member_id: int, badge: str) -> dict[int, tuple[int | None, str]]:
        """Live one-time levels of ``badge`` the member holds: level -> (award id, mode)."""
        return self._load_badges(member_id).get(badge, {})

    def badge_level(self, member_id: int, badge: str) -> int:
        return max(self.badge_levels(member_id, badge), default=0)

    def add_award(self, row: dict[str, Any]) -> None:
        self.award_rows.append(row)
        if row["once"]:
            self._load_badges(row["member_id"]).setdefault(row["badge_slug"], {})[row["level"]] = (
                None,
                row["mode"],
            )

    def revoke_award(self, member_id: int, badge: str, level: int, reason: str, activity_id: int) -> None:
        award_id, _ = self._load_badges(member_id)[badge].pop(level)
        if award_id is None:  # granted earlier in this same unit: drop the pending insert
            self.award_rows = [
                r
                for r in self.award_rows
                if not (r["member_id"] == member_id and r["badge_slug"] == badge and r["level"] == level)
            ]
            return
        self.award_revocations.append(
            {"b_id": award_id, "revoked_at": self.now, "revoke_reason": reason, "by": activity_id}
        )

    def roles(self, member_id: int) -> dict[str, tuple[int | None, str]]:
        if member_id not in self._roles:
            members = sorted({member_id, *self.user_of} - self._roles.keys())
            for m in members:
                self._roles[m] = {}
            for m, grant_id, slug, mode in self.conn.execute(SELECT_LIVE_GRANTS, {"members": members}):
                self._roles[m][slug] = (grant_id, mode)
        return self._roles[member_id]

    def add_grant(self, row: dict[str, Any]) -> None:
        self.grant_rows.append(row)
        self.roles(row["member_id"])[row["role_slug"]] = (None, row["mode"])

    def revoke_grant(self, member_id: int, role: str, reason: str, activity_id: int) -> None:
        grant_id, _ = self.roles(member_id).pop(role)
        if grant_id is None:
            self.grant_rows = [
                r for r in self.grant_rows if not (r["member_id"] == member_id and r["role_slug"] == role)
            ]
            return
        self.grant_revocations.append(
            {"b_id": grant_id, "revoked_at": self.now, "revoke_reason": reason, "by": activity_id}
        )

    # -- writing ---------------------------------------------------------------------------

    def notify(self, name: str, **kwargs: object) -> None:
        self.notifications.append(Announcement(name, kwargs))

    def flush(self) -> None:
        conn, dialect = self.conn, self.dialect
        if self._dirty_counters:
            conn.execute(
                upsert(dialect, COUNTERS, ("member_id", "name"), ("value",)),
                [{"member_id": m, "name": n, "value": self._counters[(m, n)]} for m, n in sorted(self._dirty_counters)],
            )
        if self._dirty_distinct:
            conn.execute(
                upsert(dialect, DISTINCT, ("member_id", "name", "value"), ("uses",)),
                [
                    {"member_id": m, "name": n, "value": v, "uses": self._distinct[(m, n, v)]}
                    for m, n, v in sorted(self._dirty_distinct)
                ],
            )
        if self._dirty_balances:
            conn.execute(
                upsert(dialect, BALANCES, ("member_id", "point_type"), ("balance", "level", "updated_at")),
                [
                    {
                        "member_id": m,
                        "point_type": t,
                        "balance": self._balances[(m, t)][0],
                        "level": self._balances[(m, t)][1],
                        "updated_at": self.now,
                    }
                    for m, t in sorted(self._dirty_balances)
                ],
            )
        if self.ledger_rows:
            conn.execute(INSERT_LEDGER, self.ledger_rows)
        if self.award_revocations:
            conn.execute(REVOKE_AWARDS, self.award_revocations)
        if self.grant_revocations:
            conn.execute(REVOKE_GRANTS, self.grant_revocations)
        if self.award_rows:
            conn.execute(INSERT_AWARDS, self.award_rows)
        if self.grant_rows:
            conn.execute(INSERT_GRANTS, self.grant_rows)
        notes = collapse(conn, self.notification_rows) if self.notification_rows else []
        if notes:
            conn.execute(INSERT_NOTIFICATIONS, notes)
        if self.status_changes:
            conn.execute(
                MEMBERS.update().where(MEMBERS.c.id == sa.bindparam("m_id")).values(status=sa.bindparam("new_status")),
                [{"m_id": m, "new_status": status} for m, status in sorted(self.status_changes.items())],
            )
