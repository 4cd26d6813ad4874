"""The ledger is append-only in the database itself, and always explains the balance."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from guildkit import GuildKit


def test_database_refuses_update_and_delete(gk: GuildKit) -> None:
    gk.record("answer.upvoted", actor="b", target="ann", key="u")
    engine = gk.store.engine
    for statement in ("UPDATE guildkit_ledger SET amount = 1000", "DELETE FROM guildkit_ledger"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT amount FROM guildkit_ledger").scalars().all() == [10]


def test_a_row_cannot_be_reversed_twice(gk: GuildKit) -> None:
    gk.record("answer.upvoted", actor="b", target="ann", key="u")
    gk.retract("u")
    with gk.store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT member_id, point_type, activity_id, reverses_id FROM guildkit_ledger WHERE reverses_id IS NOT NULL"
        ).one()
    with pytest.raises(sa.exc.IntegrityError), gk.store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO guildkit_ledger (member_id, point_type, amount, balance_after, activity_id, rule, "
                "reason, capped, reverses_id, created_at) VALUES (:m, :t, -10, 0, :a, 'x', 'x', false, :r, :now)"
            ),
            {"m": row[0], "t": row[1], "a": row[2], "r": row[3], "now": "2026-01-01 00:00:00"},
        )
