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


def test_a_rule_reason_that_repeats_what_happened_is_not_said_twice(gk: GuildKit) -> None:
    """The points history says what happened; a rule's reason is added only when it says more."""
    from guildkit import ActivityTypeDef, PointsRule, PointTypeDef
    from guildkit.queries import ledger_page
    from guildkit.web.present import ledger_out

    gk.define(
        point_types=[PointTypeDef("stars", "Stars")],
        activity_types=[ActivityTypeDef("visited", "Visit", actor="You visited the community")],
        rules=[
            PointsRule("visit", on="visited", points=1, point_type="stars", to="actor", reason="Visited the community"),
            PointsRule("bonus", on="visited", points=2, point_type="stars", to="actor", reason="Launch week bonus"),
        ],
    )
    gk.record("visited", actor="ann", key="v1")
    member = gk.member("ann")
    rows = ledger_out(gk, member, ledger_page(gk.session, member.id, None, 10, None))
    assert {row["description"] for row in rows} == {"You visited the community"}
    assert {row["rule"]: row["note"] for row in rows} == {"visit": "", "bonus": "Launch week bonus"}
