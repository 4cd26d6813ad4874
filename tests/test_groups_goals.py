"""Group goals and boards: counting through incremental counters inside the recording transaction,
periods (one-off and monthly), reaching a goal exactly once (8 real threads finishing it at once),
the contributors' badges, the team board and a group's own leaderboard, privacy, and the feature
switched off. Each test runs on every backend (``gk_backend``)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit
from guildkit.builtin.manual import AWARD
from guildkit.errors import ValidationError
from guildkit.groups import awarding
from guildkit.groups.models import GroupBadge, GroupGoalContribution, GroupGoalPeriod
from guildkit.groups.plugin import UPKEEP
from guildkit.models import Activity, BadgeAward, Member, table_of
from guildkit.testing import Clock, make_app
from guildkit.transaction import Transaction
from tests.plugins import qa_rules

BADGES = table_of(GroupBadge)
PERIODS = table_of(GroupGoalPeriod)
CONTRIBUTIONS = table_of(GroupGoalContribution)
AWARDS = table_of(BadgeAward)
ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
MAY = datetime(2027, 5, 1, tzinfo=UTC)
JUNE = datetime(2027, 6, 1, tzinfo=UTC)
JULY = datetime(2027, 7, 1, tzinfo=UTC)
TEAM = ["ann", "bob", "cat", "dan"]


@pytest.fixture
def team(gk: GuildKit, gk_clock: Clock) -> int:
    gk_clock.set(MAY + timedelta(days=2))
    for user in [*TEAM, "out"]:
        gk.join(user, name=user.title())
    group = gk.groups.ensure("team:1", name="Backend")
    for user in TEAM:
        gk.groups.add(group.id, user)
    return int(group.id)


def goal(gk: GuildKit, group_id: int, **extra: Any) -> Any:
    fields: dict[str, Any] = {"name": "May answers", "activity_type": "answer.posted", "target": 5,
                              "starts_at": MAY, "ends_at": JUNE} | extra  # fmt: skip
    return gk.groups.create_goal(None, group_id, **fields)


def answer(gk: GuildKit, user: str, key: str, at: datetime | None = None) -> None:
    gk.record("answer.posted", key=key, actor=user, occurred_at=at)


def badge_holders(gk: GuildKit, slug: str) -> dict[str, int]:
    """How many live awards of badge ``slug`` each member holds."""
    with gk.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(MEMBERS.c.user_id, sa.func.count())
            .join(AWARDS, AWARDS.c.member_id == MEMBERS.c.id)
            .where(AWARDS.c.badge_slug == slug, AWARDS.c.revoked_at.is_(None))
            .group_by(MEMBERS.c.user_id)
        ).all()
    return {user: int(n) for user, n in rows}


def group_badge_rows(gk: GuildKit, goal_id: int) -> list[Any]:
    with gk.store.engine.connect() as conn:
        return list(conn.execute(sa.select(BADGES).where(BADGES.c.goal_id == goal_id)).all())


def test_members_activities_in_the_period_count_and_reaching_awards_the_group_and_its_contributors(
    gk: GuildKit, gk_clock: Clock, team: int
) -> None:
    made = goal(gk, team, min_contribution=2)
    answer(gk, "out", "x1")  # not a member
    answer(gk, "ann", "x2", at=MAY - timedelta(hours=1))  # before the goal's range
    for n, user in enumerate(["ann", "bob", "ann", "bob"]):
        answer(gk, user, f"a{n}")
    assert gk.groups.goal(made.id).progress.count == 4 and not gk.groups.goal(made.id).reached
    assert group_badge_rows(gk, made.id) == []
    answer(gk, "cat", "a4")  # the fifth: reached
    reached = gk.groups.goal(made.id)
    assert (reached.progress.count, reached.reached, reached.percent) == (5, True, 100)
    assert [r.badge for r in group_badge_rows(gk, made.id)] == [made.badge]
    assert group_badge_rows(gk, made.id)[0].awarded_at is not None
    # ann and bob did two each (the minimum); cat one: no badge for cat.
    assert badge_holders(gk, made.badge) == {"ann": 1, "bob": 1}
    assert gk.groups.contributions(made.id) == [("ann", 2), ("bob", 2), ("cat", 1)]
    answer(gk, "cat", "a5")  # past the target: counted, nothing awarded again
    assert gk.groups.goal(made.id).progress.count == 6
    assert len(group_badge_rows(gk, made.id)) == 1 and badge_holders(gk, made.badge) == {"ann": 1, "bob": 1}
    # Every member of the group is told; the badge is the goal's own, named after it.
    assert gk.registry.badges[made.badge].name == "May answers"
    told = [n.text for n in gk.notifications("dan")]
    assert "Backend reached its goal “May answers”." in told
    assert [b.goal_name for b in gk.groups.badges_of(team)] == ["May answers"]
    gk_clock.set(JUNE + timedelta(hours=1))
    answer(gk, "ann", "x3")  # after its range
    assert gk.groups.goal(made.id).progress.count == 6 and gk.groups.goal(made.id).state == "ended"


def test_a_member_who_left_no_longer_counts_and_a_replay_counts_once(gk: GuildKit, team: int) -> None:
    made = goal(gk, team)
    answer(gk, "ann", "k1")
    answer(gk, "ann", "k1")  # the same key again: a replay
    gk.groups.leave(team, "bob")
    answer(gk, "bob", "k2")
    assert gk.groups.goal(made.id).progress.count == 1


def test_a_monthly_goal_counts_each_month_afresh_and_awards_each_month(
    gk: GuildKit, gk_clock: Clock, team: int
) -> None:
    made = goal(gk, team, name="Monthly answers", target=2, ends_at=None, recurring="monthly")
    assert gk.registry.badges[made.badge].repeatable
    gk_clock.set(MAY + timedelta(days=20))
    answer(gk, "ann", "m1", at=MAY + timedelta(days=3))
    answer(gk, "bob", "m2", at=MAY + timedelta(days=4))  # May reached
    gk_clock.set(JUNE + timedelta(days=2))
    now = gk.groups.goal(made.id)
    assert (now.progress.period_start, now.progress.period_end, now.progress.count) == (JUNE, JULY, 0)
    answer(gk, "ann", "j1")
    answer(gk, "ann", "j2")  # June reached, by ann alone
    assert [(r.period_start, r.awarded_at is not None) for r in group_badge_rows(gk, made.id)] == [
        (MAY, True),
        (JUNE, True),
    ]
    assert badge_holders(gk, made.badge) == {"ann": 2, "bob": 1}
    with gk.store.engine.connect() as conn:
        periods = conn.execute(sa.select(PERIODS.c.period_start, PERIODS.c.count).order_by(PERIODS.c.period_start))
        assert [tuple(p) for p in periods] == [(MAY, 2), (JUNE, 2)]


def test_a_goal_names_an_existing_badge_or_refuses_bad_fields_all_at_once(gk: GuildKit, team: int) -> None:
    named = goal(gk, team, badge="regular")
    assert (named.badge, named.defines_badge) == ("regular", False)
    with pytest.raises(ValidationError) as bad:
        gk.groups.create_goal(
            None, team, name="", activity_type="no.such.type", target=0, starts_at=JUNE, ends_at=MAY,
            min_contribution=0, badge="no-such-badge",
        )  # fmt: skip
    assert set(bad.value.errors) == {"name", "activity_type", "target", "min_contribution", "badge", "ends_at"}
    with pytest.raises(ValidationError) as no_end:
        goal(gk, team, ends_at=None)
    assert no_end.value.field == "ends_at"
    with pytest.raises(ValidationError) as own_type:
        goal(gk, team, activity_type="guildkit.award")  # awards are not what members do
    assert own_type.value.field == "activity_type"
    with pytest.raises(ValidationError) as naive:
        goal(gk, team, starts_at=datetime(2027, 5, 1))
    assert naive.value.field == "starts_at"
    assert len(gk.groups.goals(team)) == 1


def _group_statements(gk: GuildKit) -> tuple[list[str], Any]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The definitions version check reads the goals' revisions now and then: not counting.
        if "guildkit_group" in statement and "revision" not in statement:
            seen.append(statement)

    sa.event.listen(gk.store.engine, "before_cursor_execute", listen)
    return seen, listen


def test_counting_costs_the_same_statements_however_long_the_history(gk: GuildKit, team: int) -> None:
    made = goal(gk, team, target=10_000)
    seen, listen = _group_statements(gk)
    try:
        answer(gk, "ann", "first")
        early = list(seen)
        gk.record_many([{"type": "answer.posted", "key": f"h{n}", "actor": TEAM[n % 4]} for n in range(300)])
        seen.clear()
        answer(gk, "ann", "late")
        late = list(seen)
    finally:
        sa.event.remove(gk.store.engine, "before_cursor_execute", listen)
    assert gk.groups.goal(made.id).progress.count == 302
    # The goals read, the period's counter, the contribution: the same three, never a recount.
    assert len(early) == len(late) == 3
    assert not any("guildkit_activities" in s for s in late)
    with gk.store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.sum(CONTRIBUTIONS.c.count))) == 302


def test_an_activity_type_no_goal_counts_costs_one_read(gk: GuildKit, team: int) -> None:
    goal(gk, team)
    seen, listen = _group_statements(gk)
    try:
        gk.record("visit", key="v1", actor="ann")
    finally:
        sa.event.remove(gk.store.engine, "before_cursor_execute", listen)
    assert len(seen) == 1


def test_eight_members_finishing_a_goal_at_once_reach_it_once_and_award_each_badge_once(
    gk_app: Any, gk: GuildKit, gk_clock: Clock
) -> None:
    gk_clock.set(MAY + timedelta(days=2))
    racers = [f"racer-{n}" for n in range(8)]
    for user in racers:
        gk.join(user, name=user)
    group = gk.groups.ensure("team:race", name="Racers")
    for user in racers:
        gk.groups.add(group.id, user)
    made = goal(gk, group.id, target=10)
    for n in range(2):
        answer(gk, racers[n], f"before-{n}")  # 2 of 10 done: the last of the 8 at once reaches it
    reached: list[Any] = []

    def told(sender: GuildKit, **kwargs: Any) -> None:
        reached.append(kwargs.get("reached"))

    from guildkit.groups.hookspecs import group_goal_reached

    group_goal_reached.connect(told)
    start = threading.Barrier(len(racers))
    failures: list[BaseException] = []

    def work(user: str) -> None:
        try:
            with gk_app.app_context():
                start.wait()
                answer(gk, user, f"final-{user}")
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(user,)) for user in racers]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=180)
    finally:
        group_goal_reached.disconnect(told)
    assert failures == []
    assert gk.groups.goal(made.id).progress.count == 10
    rows = group_badge_rows(gk, made.id)
    assert len(rows) == 1 and rows[0].awarded_at is not None
    assert len(reached) == 1 and (reached[0].goal_id, reached[0].count) == (made.id, 10)
    assert badge_holders(gk, made.badge) == dict.fromkeys(racers, 1)
    with gk.store.engine.connect() as conn:
        awards = conn.scalar(sa.select(sa.func.count()).where(ACTIVITIES.c.type == AWARD))
    assert awards == len(racers)
    assert awarding.award_due(gk) == 0


def test_a_crash_before_the_awards_leaves_them_due_and_the_job_awards_each_once(gk: GuildKit, team: int) -> None:
    made = goal(gk, team, target=2)
    answer(gk, "ann", "c1")
    pipeline = gk._pipeline()

    def reach_without_telling(conn: sa.Connection) -> None:
        # The recording commits; the process dies before anything after the commit runs.
        Transaction(conn, pipeline, gk.clock()).record("answer.posted", key="c2", actor="bob")

    gk.store.run_write(reach_without_telling)
    rows = group_badge_rows(gk, made.id)
    assert len(rows) == 1 and rows[0].awarded_at is None
    assert badge_holders(gk, made.badge) == {}
    assert gk.jobs.run(UPKEEP) == {"awarded": 2}
    assert badge_holders(gk, made.badge) == {"ann": 1, "bob": 1}
    assert group_badge_rows(gk, made.id)[0].awarded_at is not None
    assert gk.groups.award_due() == 0
    # Even with the badge row marked due again, the award keys keep each badge single.
    with gk.store.engine.begin() as conn:
        conn.execute(BADGES.update().values(awarded_at=None))
    assert gk.groups.award_due() == 0
    assert badge_holders(gk, made.badge) == {"ann": 1, "bob": 1}


def test_the_team_board_ranks_groups_by_total_or_average(gk: GuildKit, gk_clock: Clock, team: int) -> None:
    small = gk.groups.ensure("team:2", name="Frontend")
    gk.join("zed", name="Zed")
    gk.groups.add(small.id, "zed")
    for n, user in enumerate(["ann", "bob", "zed", "zed", "zed"]):
        answer(gk, user, f"t{n}")  # 5 xp each
    total = gk.groups.team_board("xp")
    assert [(s.rank, s.group.name, s.score, s.members) for s in total] == [
        (1, "Frontend", 15, 1),
        (2, "Backend", 10, 4),
    ]
    average = gk.groups.team_board("xp", by="average")
    assert [(s.group.name, s.score) for s in average] == [("Frontend", 15), ("Backend", 2)]
    gk_clock.advance(days=40)
    answer(gk, "cat", "later")
    assert [(s.group.name, s.score) for s in gk.groups.team_board("xp", period="month")] == [
        ("Backend", 5),
        ("Frontend", 0),
    ]
    with pytest.raises(ValidationError):
        gk.groups.team_board("xp", by="median")


def test_a_leaderboard_narrowed_to_a_group_ranks_its_members_among_themselves(gk: GuildKit, team: int) -> None:
    gk.join("star", name="Star")
    for n in range(5):
        answer(gk, "star", f"s{n}")  # 25 xp, not in the group
    for n, user in enumerate(["ann", "ann", "bob", "cat"]):
        answer(gk, user, f"g{n}")
    board = gk.groups.leaderboard(team, "xp")
    assert [(s.user_id, s.rank, s.points) for s in board.standings] == [("ann", 1, 10), ("bob", 2, 5), ("cat", 2, 5)]
    mine = gk.groups.leaderboard(team, "xp", around="cat", limit=3)
    assert mine.me is not None and (mine.me.rank, mine.me.points) == (2, 5)
    paged = gk.groups.leaderboard(team, "xp", limit=1)
    rest = gk.groups.leaderboard(team, "xp", limit=2, after=paged.next_after)
    assert [(s.user_id, s.rank) for s in rest.standings] == [("bob", 2), ("cat", 2)]
    whole = gk.leaderboard("xp")  # the board itself is untouched
    assert whole.standings[0].user_id == "star" and whole.standings[0].rank == 1
    assert [s.user_id for s in gk.leaderboard("xp", among=[gk.member("bob").id]).standings] == ["bob"]
    with pytest.raises(ValidationError):
        gk.leaderboard("xp", among="bob")  # type: ignore[arg-type]


def test_a_members_export_holds_their_groups_and_erasing_ends_their_memberships(gk: GuildKit, team: int) -> None:
    made = goal(gk, team, target=100)
    answer(gk, "ann", "p1")
    exported = gk.privacy.export("ann")["plugins"]["groups"]
    assert [(m["group"], m["state"]) for m in exported["memberships"]] == [("backend", "member")]
    assert [(c["goal"], c["count"]) for c in exported["contributions"]] == [("May answers", 1)]
    gk.privacy.erase("ann", confirm=True)
    assert gk.groups.get(team).member_count == 3
    with gk.store.engine.connect() as conn:
        assert len(gk.groups.members_of(conn, team)) == 3
    assert gk.groups.goal(made.id).progress.count == 1  # the count still adds up


def test_switched_off_there_is_no_service_and_recording_goes_on(
    gk_clock: Clock, tmp_path: Path, gk_backend: str
) -> None:
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.groups"]}
    with make_app(gk_backend, tmp_path, plugins=(qa_rules,), clock=gk_clock, config=config) as (_app, gk):
        with pytest.raises(AttributeError, match="GUILDKIT_PLUGINS_DENY"):
            _ = gk.groups
        assert gk.record("answer.posted", key="off", actor="ann").activity_id
        assert not any(t.startswith("guildkit_group") for t in sa.inspect(gk.store.engine).get_table_names())
