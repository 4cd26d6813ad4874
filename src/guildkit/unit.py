"""The unit of work for one write transaction: cached member state and buffered writes.

The pipeline reads counters, balances, Distinct uses, badges and roles through a :class:`Unit`,
which loads them in one statement (:meth:`Unit.load`: a ``UNION ALL`` keyed by the members'
user or member ids) and keeps every change in memory; :meth:`Unit.flush` then writes all of it
with one ``executemany`` per table, in one round trip on PostgreSQL. What is not loaded yet is
read on demand, in batches. The hot statements are :class:`~guildkit.store.Prepared`: compiled
once, run on the bare DBAPI cursor. Values are written as absolutes, which is safe because the
transaction holds the write lock (SQLite ``BEGIN IMMEDIATE``) or the member rows' locks
(PostgreSQL ``FOR NO KEY UPDATE``) for every member it touches, taken before their state is read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from guildkit.announcements import Announcement
from guildkit.churn import collapse
from guildkit.leaderboards import fold, period_keys
from guildkit.store import execute_many, fetch, pipelined, rows, submit, upsert
from guildkit.unit_sql import (
    BALANCE_COLUMNS,
    COUNTERS,
    INSERT_AWARDS,
    INSERT_GRANTS,
    INSERT_LEDGER,
    INSERT_NOTIFICATIONS,
    LOCK_MEMBER_IDS,
    LOCK_MEMBERS,
    MEMBERS,
    NO_BALANCE,
    REVOKE_AWARDS,
    REVOKE_GRANTS,
    SELECT_BALANCES,
    SELECT_COUNTERS,
    SELECT_DISTINCT,
    SELECT_LIVE_AWARDS,
    SELECT_LIVE_GRANTS,
    SELECT_MEMBERS,
    SELECT_STATE,
    SELECT_STATE_BY_ID,
    SET_STATUS,
    UPSERT_BALANCES,
    UPSERT_COUNTERS,
    UPSERT_DISTINCT,
)

#: Statuses that earn nothing (see the trust and safety docs).
NON_EARNING = frozenset({"suspended", "banned", "deleted"})


def _everything(name: str) -> bool:
    return True


#: Whether missed days keep a member's streak going: ``(member, type, role, first day, last
#: day, recount) -> bool`` (day ordinals; see ``guildkit_streak_gap_bridged``).
StreakGap = Callable[[int, str, str, int, int, bool], bool]


@lru_cache(maxsize=512)
def _zone_named(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a zone the host stored that this system lacks
        return None


class Unit:
    def __init__(
        self,
        conn: sa.Connection,
        now: datetime,
        *,
        heard: Callable[[str], bool] = _everything,
        zone: tzinfo = UTC,
    ) -> None:
        self.conn = conn
        #: The community's time zone: ledger rows count toward its weeks and months (leaderboards).
        self.zone = zone
        #: Whether anyone listens to an announcement: those nobody hears are not kept (a batch of
        #: 100,000 would otherwise hold every activity's view and result until the commit).
        self.heard = heard
        self.dialect = conn.dialect.name
        self.now = now
        self.user_of: dict[int, str] = {}
        self.member_of: dict[str, int] = {}
        self.status_of: dict[int, str] = {}
        #: Users whose member rows this transaction holds locked (PostgreSQL).
        self.locked: set[str] = set()
        #: Members a plugin withholds earning from in this transaction (``guildkit_earning_withheld``,
        #: e.g. required guidelines not accepted): they earn nothing, like suspended members.
        self.withheld: frozenset[int] = frozenset()
        #: What a :class:`~guildkit.metrics.Streak` asks about a gap in a member's days
        #: (``guildkit_streak_gap_bridged``): ``(member, type, role, first, last, recount)``; ``None``
        #: when no plugin answers, and a gap breaks the streak.
        self.streak_gap: StreakGap | None = None
        #: member -> the time zone their days are counted in (their own, else the community's).
        self._zones: dict[int, tzinfo] = {}
        self._counters: dict[tuple[int, str], int] = {}
        self._dirty_counters: set[tuple[int, str]] = set()
        self._prefixes: set[tuple[int, str]] = set()
        self._distinct: dict[tuple[int, str, str], int] = {}
        self._dirty_distinct: set[tuple[int, str, str]] = set()
        #: What a load read in full (members, counter names, distinct pairs): a key in a scope and
        #: not in the caches is zero. Not filled in: a batch's members by names would be a big product.
        self._scopes: list[tuple[set[int], set[str], set[tuple[str, str]]]] = []
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

    def ensure_members(
        self, first_seen: dict[str, datetime], *, lock: bool = False
    ) -> tuple[dict[str, int], list[str]]:
        """Member ids for the users in ``first_seen``, creating members as needed (joined when
        first seen: history imported later keeps its dates). Returns (ids, newly joined).

        Users already loaded in this unit (:meth:`load`) cost no query. With ``lock``, on
        PostgreSQL, the members' rows are locked ``FOR NO KEY UPDATE`` in id order, so two writers
        never deadlock; ``FOR NO KEY UPDATE`` rather than ``FOR UPDATE`` because inserting a row
        that references a member takes ``KEY SHARE`` on it, which ``FOR UPDATE`` would conflict
        with. The lock is taken before anything of theirs is read: values are written back as
        absolutes.
        """
        wanted = sorted(first_seen)
        if not wanted:
            return {}, []
        lock = lock and self.dialect == "postgresql"
        # What is known needs no query, unless it should be locked and is not yet.
        known = self.locked if lock else self.member_of
        ids = {u: self.member_of[u] for u in wanted if u in known}
        if len(ids) < len(wanted):
            ids.update(self._load_members([u for u in wanted if u not in ids], lock=lock))
        missing = [u for u in wanted if u not in ids]
        if not missing:  # the common case
            return ids, []
        # Sorted inserts keep two transactions from taking the same new rows in opposite order;
        # ON CONFLICT absorbs a member that a concurrent writer created since we looked.
        rows = [{"user_id": u, "status": "active", "joined_at": min(first_seen[u], self.now)} for u in missing]
        stmt = upsert(self.dialect, MEMBERS, ("user_id",), returning=("user_id",))
        inserted = self.conn.execute(stmt, rows).scalars().all()
        ids.update(self._load_members(missing, lock=lock))
        fresh = {ids[u] for u in inserted}
        # A new member has nothing yet: their state needs no read.
        self._balances_loaded |= fresh
        for member_id in fresh:
            self._badges.setdefault(member_id, defaultdict(dict))
            self._roles.setdefault(member_id, {})
        return ids, sorted(inserted)

    def _load_members(self, user_ids: list[str], *, lock: bool = False) -> dict[str, int]:
        statement = LOCK_MEMBERS if lock else SELECT_MEMBERS
        self.take_members(fetch(self.conn, statement, {"users": user_ids}), locked=lock)
        return {u: self.member_of[u] for u in user_ids if u in self.member_of}

    def take_members(self, rows: Iterable[tuple[int, str, str]], *, locked: bool) -> None:
        """Cache members' (id, user id, status) rows, read under their lock or not."""
        for member_id, user_id, status in rows:
            self.user_of[member_id] = user_id
            self.member_of[user_id] = member_id
            self.status_of[member_id] = status
            if locked:
                self.locked.add(user_id)

    def lock_members(self, member_ids: Iterable[int]) -> Callable[[], None]:
        """Lock members known by id (see :meth:`ensure_members`), on PostgreSQL only. Returns
        what waits for the lock: at once, or after the :func:`~guildkit.store.pipelined` block."""
        ids = sorted(set(member_ids))
        if not ids or self.dialect != "postgresql":
            return lambda: None
        pending = submit(self.conn, LOCK_MEMBER_IDS, {"ids": ids})

        def wait() -> None:
            rows(pending)

        return wait

    def earns(self, member_id: int) -> bool:
        """Whether the member may earn points, badges and roles: active, and not withheld by a plugin."""
        return self.status_of.get(member_id) not in NON_EARNING and member_id not in self.withheld

    def day_of(self, member_id: int, moment: datetime) -> int:
        """The day (ordinal) ``moment`` falls on for the member: in their own time zone
        (``Member.time_zone``), else the community's. Members whose state the unit read
        (:meth:`load`) came with their zones; for others the first ask reads the zones of every
        member this unit knows, in one query."""
        zone = self._zones.get(member_id)
        if zone is None:
            self._load_zones(member_id)
            zone = self._zones[member_id]
        return moment.astimezone(zone).date().toordinal()

    def _load_zones(self, member_id: int) -> None:
        members = sorted({member_id, *self.user_of} - self._zones.keys())
        for m in members:
            self._zones[m] = self.zone
        query = sa.select(MEMBERS.c.id, MEMBERS.c.time_zone).where(
            MEMBERS.c.id.in_(members), MEMBERS.c.time_zone.is_not(None)
        )
        for m, name in self.conn.execute(query):
            self._zones[m] = _zone_named(name) or self.zone

    def set_status(self, member_id: int, status: str) -> None:
        self.status_of[member_id] = status
        self.status_changes[member_id] = status

    # -- reading everything at once ----------------------------------------------------------

    def load(
        self,
        user_ids: Iterable[str],
        counters: Iterable[str],
        distinct: Iterable[tuple[str, str]] = (),
        *,
        member_ids: Iterable[int] = (),
    ) -> Callable[[], None]:
        """Read, in one statement, the members ``user_ids`` (or ``member_ids``) and their counters among ``counters``,
        balances, ``distinct`` (name, value) uses, live one-time awards and live grants.

        Returns what takes the rows into the unit: call it at once, or after the
        :func:`~guildkit.store.pipelined` block the read was sent in. On PostgreSQL, lock the
        members first (:meth:`ensure_members` with ``lock``).
        """
        names = sorted(set(counters))
        pairs = set(distinct)
        ids = sorted(set(member_ids))
        params = {
            "names": names,
            "dnames": sorted({n for n, _ in pairs}),
            "dvalues": sorted({v for _, v in pairs}),
        }
        if ids:
            pending = submit(self.conn, SELECT_STATE_BY_ID, {**params, "ids": ids})
        else:
            pending = submit(self.conn, SELECT_STATE, {**params, "users": sorted(set(user_ids))})
        return lambda: self.take_state(rows(pending), names, pairs)

    def take_state(self, rows: Iterable[Any], names: list[str], pairs: set[tuple[str, str]]) -> None:
        """Cache the rows of the state read (see :meth:`load`)."""
        counters, balances, distinct = self._counters, self._balances, self._distinct
        badges: dict[int, dict[str, dict[int, tuple[int | None, str]]]] = {}
        roles: dict[int, dict[str, tuple[int | None, str]]] = {}
        members: list[int] = []
        for kind, member_id, text, other, number, second in rows:
            if kind == "m":
                members.append(member_id)
                self.user_of[member_id] = text
                self.member_of[text] = member_id
                self.status_of[member_id] = other
                self._zones.setdefault(member_id, self.zone)  # unless a "z" row came first
                badges[member_id] = defaultdict(dict)
                roles[member_id] = {}
            elif kind == "z":
                self._zones[member_id] = _zone_named(text) or self.zone
            elif kind == "c":
                counters[(member_id, text)] = number
            elif kind == "b":
                balances.setdefault((member_id, text), list(NO_BALANCE))[0:2] = [number, second]
            elif kind == "w":
                balances.setdefault((member_id, text), list(NO_BALANCE))[2:4] = [number, second]
            elif kind == "o":
                balances.setdefault((member_id, text), list(NO_BALANCE))[4:6] = [number, second]
            elif kind == "d":
                distinct[(member_id, text, other)] = number
            elif kind == "a":
                badges.setdefault(member_id, defaultdict(dict))[text][second] = (number, other)
            else:
                roles.setdefault(member_id, {})[text] = (number, other)
        # What the read did not find is zero, absent or not held.
        self._scopes.append((set(members), set(names), pairs))
        self._balances_loaded.update(members)
        self._badges.update(badges)
        self._roles.update(roles)

    def forget(self, member_ids: Iterable[int]) -> None:
        """Drop what was read of these members (read before their lock): read again on demand."""
        gone = set(member_ids)
        if not gone:
            return
        caches: tuple[dict[Any, Any], ...] = (self._counters, self._distinct, self._balances)
        for cache in caches:
            for key in [k for k in cache if k[0] in gone]:
                del cache[key]
        self._balances_loaded -= gone
        for members, _, _ in self._scopes:
            members -= gone
        for member_id in gone:
            self._badges.pop(member_id, None)
            self._roles.pop(member_id, None)

    # -- counters --------------------------------------------------------------------------

    def _in_scope(self, member_id: int, name: str) -> bool:
        return any(member_id in members and name in names for members, names, _ in self._scopes)

    def prefetch_counters(self, keys: Iterable[tuple[int, str]]) -> None:
        """Load the (member, counter name) ``keys`` not known yet, in one query."""
        known = self._counters
        wanted = {k for k in keys if k not in known and not self._in_scope(*k)}
        if not wanted:
            return
        member_ids = sorted({m for m, _ in wanted})
        counter_names = sorted({n for _, n in wanted})
        for key in wanted:
            known[key] = 0
        params = {"members": member_ids, "names": counter_names}
        for member_id, name, value in fetch(self.conn, SELECT_COUNTERS, params):
            if (member_id, name) in wanted:
                known[(member_id, name)] = value

    def counter(self, member_id: int, name: str) -> int:
        key = (member_id, name)
        found = self._counters.get(key)
        if found is None:
            if not self._in_scope(member_id, name):
                self.prefetch_counters((key,))
            found = self._counters.setdefault(key, 0)
        return found

    def known_counter(self, member_id: int, name: str) -> int | None:
        """The counter's value if this unit read or wrote it (no query); ``None`` if not."""
        found = self._counters.get((member_id, name))
        if found is None and self._in_scope(member_id, name):
            return 0
        return found

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

    def prefetch_distinct(self, keys: Iterable[tuple[int, str, str]]) -> None:
        """Load the uses of many (member, name, value) at once (a batch's Distinct metrics)."""
        wanted = {k for k in keys if k not in self._distinct}
        for key in [k for k in wanted if any(k[0] in m and (k[1], k[2]) in p for m, _, p in self._scopes)]:
            self._distinct[key] = 0
            wanted.discard(key)
        if not wanted:
            return
        for key in wanted:
            self._distinct[key] = 0
        params = {
            "members": sorted({m for m, _, _ in wanted}),
            "names": sorted({n for _, n, _ in wanted}),
            "values": sorted({v for _, _, v in wanted}),
        }
        for member_id, name, value, uses in fetch(self.conn, SELECT_DISTINCT, params):
            self._distinct[(member_id, name, value)] = uses

    def touch_distinct(self, member_id: int, name: str, value: str, sign: int) -> bool:
        """Count one more (or one fewer) use of ``value``; true when it appeared or vanished."""
        key = (member_id, name, value)
        if key not in self._distinct:
            self.prefetch_distinct((key,))
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
        for member_id, point_type, *state in fetch(self.conn, SELECT_BALANCES, {"members": sorted(wanted)}):
            self._balances[(member_id, point_type)] = state

    def balance(self, member_id: int, point_type: str) -> int:
        self.prefetch_balances((member_id,))
        return self._balances.get((member_id, point_type), NO_BALANCE)[0]

    def level(self, member_id: int, point_type: str) -> int:
        self.prefetch_balances((member_id,))
        return self._balances.get((member_id, point_type), NO_BALANCE)[1]

    def add_points(self, member_id: int, point_type: str, amount: int) -> int:
        self.prefetch_balances((member_id,))
        entry = self._balances.setdefault((member_id, point_type), list(NO_BALANCE))
        entry[0] += amount
        self._dirty_balances.add((member_id, point_type))
        return entry[0]

    def set_level(self, member_id: int, point_type: str, level: int) -> None:
        self.prefetch_balances((member_id,))
        self._balances.setdefault((member_id, point_type), list(NO_BALANCE))[1] = level
        self._dirty_balances.add((member_id, point_type))

    # -- badges and roles ------------------------------------------------------------------

    def _load_badges(self, member_id: int) -> dict[str, dict[int, tuple[int | None, str]]]:
        if member_id not in self._badges:
            # Load every member of this unit at once: rules usually ask about all of them.
            members = sorted({member_id, *self.user_of} - self._badges.keys())
            for m in members:
                self._badges[m] = defaultdict(dict)
            for m, award_id, slug, level, mode in fetch(self.conn, SELECT_LIVE_AWARDS, {"members": members}):
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
            for m, grant_id, slug, mode in fetch(self.conn, SELECT_LIVE_GRANTS, {"members": members}):
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
        if self.heard(name):
            self.notifications.append(Announcement(name, kwargs))

    def _fold_periods(self) -> None:
        """Add this unit's ledger rows to their balances' week and month points (leaderboards)."""
        keys: dict[datetime, tuple[int, int]] = {}
        for row in self.ledger_rows:
            entry = self._balances[(row["member_id"], row["point_type"])]
            when = row["created_at"]
            if when not in keys:
                keys[when] = period_keys(when, self.zone)
            entry[2:] = fold((entry[2], entry[3], entry[4], entry[5]), row["amount"], keys[when])

    def flush(self) -> None:
        """Write every change: one ``executemany`` per table, in one round trip on PostgreSQL."""
        conn = self.conn
        # Before the pipeline: it reads what it needs to decide.
        notes = collapse(conn, self.notification_rows) if self.notification_rows else []
        with pipelined(conn):
            if self._dirty_counters:
                counters = self._counters
                execute_many(
                    conn,
                    UPSERT_COUNTERS,
                    [{"member_id": m, "name": n, "value": counters[(m, n)]} for m, n in sorted(self._dirty_counters)],
                )
            if self._dirty_distinct:
                uses = self._distinct
                execute_many(
                    conn,
                    UPSERT_DISTINCT,
                    [
                        {"member_id": m, "name": n, "value": v, "uses": uses[(m, n, v)]}
                        for m, n, v in sorted(self._dirty_distinct)
                    ],
                )
            if self._dirty_balances:
                self._fold_periods()
                balances = self._balances
                execute_many(
                    conn,
                    UPSERT_BALANCES,
                    [
                        {"member_id": m, "point_type": t, **dict(zip(BALANCE_COLUMNS, balances[(m, t)], strict=True))}
                        | {"updated_at": self.now}
                        for m, t in sorted(self._dirty_balances)
                    ],
                )
            execute_many(conn, INSERT_LEDGER, self.ledger_rows)
            execute_many(conn, REVOKE_AWARDS, self.award_revocations)
            execute_many(conn, REVOKE_GRANTS, self.grant_revocations)
            execute_many(conn, INSERT_AWARDS, self.award_rows)
            execute_many(conn, INSERT_GRANTS, self.grant_rows)
            execute_many(conn, INSERT_NOTIFICATIONS, notes)
            execute_many(
                conn,
                SET_STATUS,
                [{"m_id": m, "new_status": status} for m, status in sorted(self.status_changes.items())],
            )
