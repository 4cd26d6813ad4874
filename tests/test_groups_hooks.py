"""The hooks groups rely on and offer: the core's ``guildkit_activities_applied`` (inside the
recording transaction: once per pipeline pass, fresh activities only, its failure rolls the
recording back), and the told hooks ``guildkit_group_joined`` and ``guildkit_group_goal_reached``
(after the commit, one frozen record each); ``tx.counter`` answers what the pass left, at no
query. On every backend."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, hookimpl
from guildkit.activity import ActivityView
from guildkit.groups.hookspecs import GroupGoalReached, GroupJoined
from guildkit.models import Activity, Counter, table_of
from guildkit.testing import Clock
from guildkit.transaction import Transaction
from tests.plugins import qa_rules

ACTIVITIES = table_of(Activity)
COUNTERS = table_of(Counter)
NOW = datetime(2027, 5, 10, 12, tzinfo=UTC)


class Listener:
    """A plugin that hears everything groups tell, and counts what the pipeline applies."""

    def __init__(self) -> None:
        self.applied: list[list[str]] = []
        self.in_transaction: list[bool] = []
        self.joined: list[GroupJoined] = []
        self.reached: list[GroupGoalReached] = []
        self.fail_on: str | None = None
        #: (what tx.counter said, what the database holds) per counter of each actor, per pass
        self.counters: list[tuple[dict[str, int | None], dict[str, int]]] = []
        self.record_inside: str | None = None

    @hookimpl
    def guildkit_activities_applied(self, gk: GuildKit, tx: Transaction, activities: Sequence[ActivityView]) -> None:
        keys = [a.key for a in activities]
        if self.fail_on in keys:
            raise RuntimeError("the plugin's count failed")
        self.applied.append(keys)
        # Inside the recording transaction: the activities are there to read on its connection.
        stored = tx.conn.execute(sa.select(ACTIVITIES.c.key).where(ACTIVITIES.c.key.in_(keys))).scalars().all()
        self.in_transaction.append(sorted(stored) == sorted(keys))
        if self.record_inside in keys:
            tx.record("answer.posted", key="inside", actor="ann")  # a pass of its own: counters move
        members = {m for a in activities if (m := a.member("actor")) is not None}
        held = {f"{m}:{name}": value for m, name, value in tx.conn.execute(
            sa.select(COUNTERS.c.member_id, COUNTERS.c.name, COUNTERS.c.value).where(COUNTERS.c.member_id.in_(members))
        )}  # fmt: skip
        said = {key: tx.counter(int(key.split(":", 1)[0]), key.split(":", 1)[1]) for key in held}
        self.counters.append((said, held))

    @hookimpl
    def guildkit_group_joined(self, gk: GuildKit, joined: GroupJoined) -> None:
        self.joined.append(joined)

    @hookimpl
    def guildkit_group_goal_reached(self, gk: GuildKit, reached: GroupGoalReached) -> None:
        # Told after the contributors' badges went out (the groups plugin awards first).
        assert gk.badges("ann")
        self.reached.append(reached)


LISTENER = Listener()


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    LISTENER.__init__()  # type: ignore[misc]
    return (qa_rules, LISTENER)


def test_guildkit_activities_applied_sees_each_pass_inside_its_transaction(gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(NOW)
    gk.join("ann", name="Ann")
    LISTENER.applied.clear()
    gk.record("answer.posted", key="one", actor="ann")
    gk.record("answer.posted", key="one", actor="ann")  # a replay: not applied again
    gk.record_many([{"type": "answer.posted", "key": f"b{n}", "actor": "ann"} for n in range(3)])
    assert LISTENER.applied == [["one"], ["b0", "b1", "b2"]]
    assert all(LISTENER.in_transaction)


def test_tx_counter_is_what_the_pass_left_and_none_after_a_pass_of_its_own(gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(NOW)
    gk.join("ann", name="Ann")
    LISTENER.counters.clear()
    gk.record("answer.posted", key="c1", actor="ann")
    gk.record_many([{"type": "answer.posted", "key": f"c{n}", "actor": "ann"} for n in (2, 3)])
    assert len(LISTENER.counters) == 2
    for said, held in LISTENER.counters:
        known = {key: value for key, value in said.items() if value is not None}
        assert known and known == {key: held[key] for key in known}  # the pass knew them, rightly
    LISTENER.counters.clear()
    LISTENER.record_inside = "c4"
    gk.record("answer.posted", key="c4", actor="ann")
    LISTENER.record_inside = None
    outer = LISTENER.counters[-1]  # the inner pass's hook ran (and appended) first
    assert set(outer[0].values()) == {None} and outer[1]  # stale after tx.record: ask the database


def test_a_failing_guildkit_activities_applied_rolls_the_recording_back(gk: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(NOW)
    gk.join("ann", name="Ann")
    LISTENER.fail_on = "doomed"
    with pytest.raises(RuntimeError, match="count failed"):
        gk.record("answer.posted", key="doomed", actor="ann")
    LISTENER.fail_on = None
    with gk.store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(ACTIVITIES.c.key == "doomed")) == 0
    assert gk.balances("ann") == {}  # nothing it would have earned stayed either


def test_guildkit_group_joined_and_guildkit_group_goal_reached_are_told_once_with_frozen_records(
    gk: GuildKit, gk_clock: Clock
) -> None:
    gk_clock.set(NOW)
    for user in ("own", "ann"):
        gk.join(user, name=user.title())
    group = gk.groups.create(None, name="Team", policy="request")
    gk.groups.request(group.id, "ann")
    assert LISTENER.joined == []  # asking is not joining
    gk.groups.add(group.id, "own", role="owner")
    gk.groups.approve("own", group.id, "ann")
    assert [(j.user_id, j.via, j.by, j.role) for j in LISTENER.joined] == [
        ("own", "add", None, "owner"),
        ("ann", "approve", "own", "member"),
    ]
    made = gk.groups.create_goal(None, group.id, name="Two answers", activity_type="answer.posted", target=2,
                                 starts_at=NOW.replace(day=1), ends_at=NOW.replace(month=6, day=1))  # fmt: skip
    gk.record("answer.posted", key="g1", actor="ann")
    gk.record("answer.posted", key="g2", actor="ann")
    gk.record("answer.posted", key="g3", actor="ann")
    assert [(r.goal_id, r.count, r.target, r.badge) for r in LISTENER.reached] == [(made.id, 2, 2, made.badge)]
    record: Any = LISTENER.reached[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.count = 3
    as_dict = dataclasses.asdict(record)
    assert as_dict["group_slug"] == "team" and as_dict["goal_name"] == "Two answers"
    assert dataclasses.asdict(LISTENER.joined[1])["group_name"] == "Team"
