"""Point types, the append-only points ledger and the balances kept beside it.

A balance is the sum of its member's ledger rows for that point type; both are written in the
same transaction. Corrections are new ledger rows that name the row they reverse
(``reverses_id``, unique, so nothing is reversed twice); the database refuses UPDATE and DELETE
on the ledger (see :func:`ledger_guard_ddl`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guildkit.models import scores
from guildkit.models.base import Base, utcnow


class PointType(Base):
    """A kind of points, such as ``reputation`` or ``xp``."""

    __tablename__ = "guildkit_point_types"

    slug: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(191))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    floor: Mapped[int | None]
    daily_cap: Mapped[int | None]
    source: Mapped[str] = mapped_column(sa.String(100), default="code")
    # Added by migration 0007, so after ``source``.
    weekly_cap: Mapped[int | None]
    pair_weekly_cap: Mapped[int | None]
    #: Points of this type expire this many days after they were earned (core_0008; guildkit.expiry).
    expires_after_days: Mapped[int | None]


class LedgerEntry(Base):
    """One change to one member's points, with the activity and rule that caused it."""

    __tablename__ = "guildkit_ledger"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"))
    point_type: Mapped[str] = mapped_column(sa.ForeignKey("guildkit_point_types.slug"))
    amount: Mapped[int]
    balance_after: Mapped[int]
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_activities.id"))
    rule: Mapped[str] = mapped_column(sa.String(191))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: Whether the amount counted toward the point type's daily cap (a reversal gives it back).
    capped: Mapped[bool] = mapped_column(default=False)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guildkit_ledger.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.Index("ix_guildkit_ledger_member", "member_id", "point_type", "id"),
        sa.Index("ix_guildkit_ledger_member_time", "member_id", "created_at", "id"),
        sa.Index("ix_guildkit_ledger_activity", "activity_id"),
        sa.Index("ix_guildkit_ledger_type_time", "point_type", "created_at"),
    )


class Balance(Base):
    """A member's current total for one point type, and the level it gives."""

    __tablename__ = "guildkit_balances"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("guildkit_members.id"), primary_key=True)
    point_type: Mapped[str] = mapped_column(sa.ForeignKey("guildkit_point_types.slug"), primary_key=True)
    balance: Mapped[int] = mapped_column(default=0)
    level: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The points of the member's latest week and month with any (added by migration core_0005):
    # the key is the ordinal of the period's first local day (0: none yet). A ledger row counts
    # toward the period of its created_at (guildkit.leaderboards.fold_periods).
    week_key: Mapped[int] = mapped_column(default=0, server_default="0")
    week_points: Mapped[int] = mapped_column(default=0, server_default="0")
    month_key: Mapped[int] = mapped_column(default=0, server_default="0")
    month_points: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (
        # Leaderboards read "top N by points" per point type and period.
        sa.Index("ix_guildkit_balances_rank", "point_type", sa.desc("balance"), "member_id"),
        sa.Index("ix_guildkit_balances_week", "point_type", "week_key", sa.desc("week_points"), "member_id"),
        sa.Index("ix_guildkit_balances_month", "point_type", "month_key", sa.desc("month_points"), "member_id"),
    )


class ExpirySweep(Base):
    """Per point type that expires, the last local day whose expiries were written (guildkit.expiry)."""

    __tablename__ = "guildkit_expiry_sweeps"

    point_type: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    #: The ordinal of the local day swept through.
    day: Mapped[int]
    swept_at: Mapped[datetime] = mapped_column(default=utcnow)


def ledger_guard_ddl(dialect: str) -> list[str]:
    """SQL that makes the ledger append-only in the database itself, for ``dialect``."""
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER IF NOT EXISTS guildkit_ledger_no_update BEFORE UPDATE ON guildkit_ledger "
            "BEGIN SELECT RAISE(ABORT, 'guildkit_ledger is append-only'); END",
            "CREATE TRIGGER IF NOT EXISTS guildkit_ledger_no_delete BEFORE DELETE ON guildkit_ledger "
            "BEGIN SELECT RAISE(ABORT, 'guildkit_ledger is append-only'); END",
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION guildkit_ledger_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'guildkit_ledger is append-only'; END $$",
            "DROP TRIGGER IF EXISTS guildkit_ledger_append_only ON guildkit_ledger",
            "CREATE TRIGGER guildkit_ledger_append_only BEFORE UPDATE OR DELETE ON guildkit_ledger "
            "FOR EACH ROW EXECUTE FUNCTION guildkit_ledger_append_only()",
        ]
    return []


sa.event.listen(Balance.__table__, "after_create", scores.install)


@sa.event.listens_for(LedgerEntry.__table__, "after_create")
def _guard_ledger(target: sa.Table, connection: sa.Connection, **kw: object) -> None:
    for statement in ledger_guard_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)
