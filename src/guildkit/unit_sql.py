"""The statements a :class:`~guildkit.unit.Unit` runs, built once per dialect.

Constructing and compiling a statement costs more than running it, so the unit's reads and
writes are :class:`~guildkit.store.Prepared`: compiled once, run on the bare DBAPI cursor. The
state read (:data:`SELECT_STATE`) is one ``UNION ALL`` of everything a transaction reads about
its members.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

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
from guildkit.store import Prepared, in_list, tag, upsert

COUNTERS = table_of(Counter)
DISTINCT = table_of(DistinctValue)
BALANCES = table_of(Balance)
LEDGER = table_of(LedgerEntry)
AWARDS = table_of(BadgeAward)
GRANTS = table_of(RoleGrant)
MEMBERS = table_of(Member)
NOTIFICATIONS = table_of(Notification)


#: Live one-time awards, spelled as the partial index ``uq_guildkit_badge_awards_once`` is, so that
#: SQLite uses it (SQLAlchemy renders ``once`` as ``once = 1`` there, which SQLite does not match
#: to the index's ``once`` and so scans every award).
LIVE_ONCE = sa.text(f"{AWARDS.name}.once AND {AWARDS.name}.revoked_at IS NULL")


def _insert(table: sa.Table, *keys: str) -> Prepared:
    return Prepared(lambda _: sa.insert(table).values({k: sa.bindparam(k, type_=table.c[k].type) for k in keys}))


def _upsert(table: sa.Table, keys: tuple[str, ...], update: tuple[str, ...]) -> Prepared:
    return Prepared(lambda dialect: upsert(dialect, table, keys, update))


def _lock_members(dialect: str) -> sa.Select[Any]:
    users = in_list(MEMBERS.c.user_id, "users", dialect)
    return (
        sa.select(MEMBERS.c.id, MEMBERS.c.user_id, MEMBERS.c.status)
        .where(users)
        .order_by(MEMBERS.c.id)
        .with_for_update(key_share=True)
    )


def _state(dialect: str, key: str) -> sa.CompoundSelect[Any]:
    """Everything a transaction reads of its members, in one statement keyed by their user ids
    (``key`` "users") or their member ids ("ids").

    Rows are ``(kind, member, text, text, number, number)``: ``m`` members (user id, status),
    ``z`` their own time zones (for those who chose one),
    ``c`` counters among ``names`` (name, value), ``b`` balances (point type, balance, level),
    ``w`` and ``o`` their latest week's and month's points (point type, key, points),
    ``d`` distinct values among ``dnames`` by ``dvalues`` (name, value, uses), ``a`` live
    one-time awards (badge, mode, id, level), ``g`` live grants (role, mode, id). Each branch
    joins from the few members chosen, so the planner walks the member index first whatever
    its statistics say (a semi-join on a subquery let PostgreSQL scan every award).
    """
    chosen = in_list(MEMBERS.c.user_id if key == "users" else MEMBERS.c.id, key, dialect)
    text, number = sa.null().cast(sa.String), sa.null().cast(sa.BigInteger)

    def of(table: sa.Table, *columns: sa.ColumnElement[Any]) -> sa.Select[Any]:
        joined = MEMBERS.join(table, table.c.member_id == MEMBERS.c.id)
        return sa.select(*columns).select_from(joined).where(chosen)

    return sa.union_all(
        sa.select(tag("m"), MEMBERS.c.id, MEMBERS.c.user_id, MEMBERS.c.status, number, number).where(chosen),
        sa.select(tag("z"), MEMBERS.c.id, MEMBERS.c.time_zone, text, number, number).where(
            chosen, MEMBERS.c.time_zone.is_not(None)
        ),
        of(COUNTERS, tag("c"), MEMBERS.c.id, COUNTERS.c.name, text, COUNTERS.c.value, number).where(
            in_list(COUNTERS.c.name, "names", dialect)
        ),
        of(BALANCES, tag("b"), MEMBERS.c.id, BALANCES.c.point_type, text, BALANCES.c.balance, BALANCES.c.level),
        of(BALANCES, tag("w"), MEMBERS.c.id, BALANCES.c.point_type, text, BALANCES.c.week_key, BALANCES.c.week_points),
        of(
            BALANCES, tag("o"), MEMBERS.c.id, BALANCES.c.point_type, text, BALANCES.c.month_key, BALANCES.c.month_points
        ),
        of(DISTINCT, tag("d"), MEMBERS.c.id, DISTINCT.c.name, DISTINCT.c.value, DISTINCT.c.uses, number).where(
            in_list(DISTINCT.c.name, "dnames", dialect), in_list(DISTINCT.c.value, "dvalues", dialect)
        ),
        of(AWARDS, tag("a"), MEMBERS.c.id, AWARDS.c.badge_slug, AWARDS.c.mode, AWARDS.c.id, AWARDS.c.level).where(
            LIVE_ONCE
        ),
        of(GRANTS, tag("g"), MEMBERS.c.id, GRANTS.c.role_slug, GRANTS.c.mode, GRANTS.c.id, number).where(
            GRANTS.c.revoked_at.is_(None)
        ),
    )


# Built once per dialect: constructing and compiling a statement costs more than running it.
SELECT_MEMBERS = Prepared(
    lambda d: sa.select(MEMBERS.c.id, MEMBERS.c.user_id, MEMBERS.c.status).where(in_list(MEMBERS.c.user_id, "users", d))
)
LOCK_MEMBERS = Prepared(_lock_members)
LOCK_MEMBER_IDS = Prepared(
    lambda d: (
        sa.select(MEMBERS.c.id)
        .where(in_list(MEMBERS.c.id, "ids", d))
        .order_by(MEMBERS.c.id)
        .with_for_update(key_share=True)
    )
)
SELECT_STATE = Prepared(lambda d: _state(d, "users"))
SELECT_STATE_BY_ID = Prepared(lambda d: _state(d, "ids"))
SELECT_COUNTERS = Prepared(
    lambda d: sa.select(COUNTERS.c.member_id, COUNTERS.c.name, COUNTERS.c.value).where(
        in_list(COUNTERS.c.member_id, "members", d), in_list(COUNTERS.c.name, "names", d)
    )
)
SELECT_DISTINCT = Prepared(
    lambda d: sa.select(DISTINCT.c.member_id, DISTINCT.c.name, DISTINCT.c.value, DISTINCT.c.uses).where(
        in_list(DISTINCT.c.member_id, "members", d),
        in_list(DISTINCT.c.name, "names", d),
        in_list(DISTINCT.c.value, "values", d),
    )
)
#: A balance as the unit keeps it, after its key: these columns, in this order.
BALANCE_COLUMNS = ("balance", "level", "week_key", "week_points", "month_key", "month_points")
NO_BALANCE = (0,) * len(BALANCE_COLUMNS)
SELECT_BALANCES = Prepared(
    lambda d: sa.select(
        BALANCES.c.member_id, BALANCES.c.point_type, *(BALANCES.c[name] for name in BALANCE_COLUMNS)
    ).where(in_list(BALANCES.c.member_id, "members", d))
)
SELECT_LIVE_AWARDS = Prepared(
    lambda d: sa.select(AWARDS.c.member_id, AWARDS.c.id, AWARDS.c.badge_slug, AWARDS.c.level, AWARDS.c.mode).where(
        in_list(AWARDS.c.member_id, "members", d), LIVE_ONCE
    )
)
SELECT_LIVE_GRANTS = Prepared(
    lambda d: sa.select(GRANTS.c.member_id, GRANTS.c.id, GRANTS.c.role_slug, GRANTS.c.mode).where(
        in_list(GRANTS.c.member_id, "members", d), GRANTS.c.revoked_at.is_(None)
    )
)
UPSERT_COUNTERS = _upsert(COUNTERS, ("member_id", "name"), ("value",))
UPSERT_DISTINCT = _upsert(DISTINCT, ("member_id", "name", "value"), ("uses",))
UPSERT_BALANCES = _upsert(BALANCES, ("member_id", "point_type"), (*BALANCE_COLUMNS, "updated_at"))
INSERT_LEDGER = _insert(
    LEDGER,
    *("member_id", "point_type", "amount", "balance_after", "activity_id", "rule", "reason", "capped"),
    *("reverses_id", "created_at"),
)
INSERT_AWARDS = _insert(
    AWARDS, "member_id", "badge_slug", "level", "once", "activity_id", "rule", "mode", "reason", "awarded_at"
)
INSERT_GRANTS = _insert(GRANTS, "member_id", "role_slug", "activity_id", "rule", "mode", "reason", "granted_at")
INSERT_NOTIFICATIONS = _insert(NOTIFICATIONS, "member_id", "kind", "text", "data", "activity_id", "created_at")


def _revocation(table: sa.Table) -> Prepared:
    return Prepared(
        lambda _: (
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                revoked_at=sa.bindparam("revoked_at", type_=table.c.revoked_at.type),
                revoke_reason=sa.bindparam("revoke_reason", type_=table.c.revoke_reason.type),
                revoked_by_activity_id=sa.bindparam("by", type_=table.c.revoked_by_activity_id.type),
            )
        )
    )


REVOKE_AWARDS = _revocation(AWARDS)
REVOKE_GRANTS = _revocation(GRANTS)
SET_STATUS = Prepared(
    lambda _: MEMBERS.update().where(MEMBERS.c.id == sa.bindparam("m_id")).values(status=sa.bindparam("new_status"))
)
