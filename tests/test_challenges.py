"""Challenges: steps counted from recorded activities (incrementally, in order or not), the reward
given exactly once, bad input refused with nothing written, joining, closing, weekly series and
the job (guildkit/challenges, docs/challenges.md). Each test runs on every backend (``gk_backend``).
Group challenges are in test_challenges_groups.py; the API and pages in test_challenges_web.py."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, hookimpl
from guildkit.challenges import ChallengeCompletion
from guildkit.challenges.errors import AlreadyJoined, UnknownChallenge
from guildkit.challenges.models import Challenge, ChallengeParticipant, ChallengeProgress, ChallengeStep
from guildkit.challenges.rewards import COMPLETED
from guildkit.definitions import ActivityTypeDef
from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.models import Activity, LedgerEntry, Notification, table_of
from guildkit.testing import Clock, make_app
from tests.plugins import qa_rules

START = datetime(2027, 3, 1, 9, tzinfo=UTC)
END = START + timedelta(days=7)
DURING = START + timedelta(days=1)
TABLES = [table_of(m) for m in (Challenge, ChallengeStep, ChallengeParticipant, ChallengeProgress)]


class Words:
    """The words of the activity types the tests record (the registry of declared types)."""

    @hookimpl
    def guildkit_register_activity_types(self, gk: GuildKit) -> list[ActivityTypeDef]:
        return [
            ActivityTypeDef("answer.posted", "Answer", goal="Answer {n} questions", goal_one="Answer a question"),
            ActivityTypeDef("visit", "Visit", goal="Visit on {n} days", goal_one="Visit the community"),
            ActivityTypeDef("comment.posted", "Comment"),
        ]


class Told:
    """Hears ``guildkit_challenge_completed``, as any plugin would."""

    def __init__(self) -> None:
        self.completions: list[ChallengeCompletion] = []

    @hookimpl
    def guildkit_challenge_completed(self, gk: GuildKit, completion: ChallengeCompletion) -> None:
        self.completions.append(completion)


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def gk_plugins(told: Told) -> tuple[object, ...]:
    return (qa_rules, Words(), told)


@pytest.fixture
def world(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    gk_clock.set(START - timedelta(days=2))
    for user in ("ann", "bob", "cat"):
        gk.join(user, name=user.title())
    gk.join("boss", name="Boss")
    gk.award("boss", role="admin", reason="setup")
    return gk


def make(gk: GuildKit, by: str | None = "boss", **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "title": "Spring answers",
        "starts_at": START,
        "ends_at": END,
        "steps": [{"activity_type": "answer.posted", "count": 2}, {"activity_type": "visit", "count": 1}],
        "reward_points": 50,
        "reward_point_type": "reputation",
        "award_badge": True,
    } | extra
    return gk.challenges.create(by, **fields)


KEYS = iter(range(1_000_000))


def do(gk: GuildKit, user: str, kind: str, times: int = 1) -> None:
    for _ in range(times):
        gk.record(kind, key=f"{kind}:{user}:{next(KEYS)}", actor=user)


def counts(gk: GuildKit, challenge_id: int, user: str) -> list[tuple[int, int, bool]]:
    [mine] = gk.challenges.progress(challenge_id, user)
    return [(s.count, s.target, s.open) for s in mine.steps]


def rows(gk: GuildKit) -> dict[str, int]:
    with gk.store.engine.connect() as conn:
        return {t.name: int(conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0) for t in TABLES}


def rewards_of(gk: GuildKit, user: str) -> list[str]:
    with gk.store.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(Activity.key).where(Activity.type == COMPLETED, Activity.actor_id == gk.member(user).id)
            ).scalars()
        )


# -- counting and completing ---------------------------------------------------------------


def test_a_member_joins_counts_each_step_and_earns_the_reward_once(
    world: GuildKit, gk_clock: Clock, told: Told
) -> None:
    made = make(world)
    assert (made.state, made.badge, made.defines_badge) == ("upcoming", f"challenge-{made.id}", True)
    assert world.registry.badges[made.badge].name == "Spring answers"
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    before = world.balance("ann", "reputation")
    do(world, "ann", "answer.posted")
    assert counts(world, made.id, "ann") == [(1, 2, True), (0, 1, True)]
    do(world, "ann", "visit")
    do(world, "ann", "answer.posted", 3)  # the third and fourth answers: the step stops at its target
    assert counts(world, made.id, "ann") == [(2, 2, False), (1, 1, False)]
    [mine] = world.challenges.progress(made.id, "ann")
    assert mine.completed_at == DURING and mine.awarded_at == DURING and mine.steps_done == 2
    assert world.balance("ann", "reputation") == before + 50
    assert [b.badge_slug for b in world.badges("ann")].count(made.badge) == 1
    assert rewards_of(world, "ann") == [f"challenge:{made.id}:ann"]
    [entry] = [e for e in world.ledger("ann") if e.point_type == "reputation"]
    assert world.describe_ledger("ann", [entry]) == ["You completed the challenge Spring answers"]
    notes = [n for n in world.notifications("ann") if n.kind == "challenge.completed"]
    assert [n.text for n in notes] == ["You completed the challenge Spring answers: +50 Reputation."]
    assert [(c.challenge_id, c.user_id, c.group_id, c.reward_points, c.badge) for c in told.completions] == [
        (made.id, "ann", None, 50, made.badge)
    ]
    assert (world.challenges.get(made.id).joined, world.challenges.get(made.id).completed) == (1, 1)
    do(world, "ann", "visit", 2)  # nothing more to count, nothing more to give
    assert len(told.completions) == 1 and rewards_of(world, "ann") == [f"challenge:{made.id}:ann"]


def test_in_order_a_later_step_counts_only_once_the_earlier_ones_are_done(world: GuildKit, gk_clock: Clock) -> None:
    made = make(world, ordered=True)
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    do(world, "ann", "visit")  # step 2 is not open yet: not counted
    assert counts(world, made.id, "ann") == [(0, 2, True), (0, 1, False)]
    do(world, "ann", "answer.posted", 2)
    assert counts(world, made.id, "ann") == [(2, 2, False), (0, 1, True)]
    assert world.challenges.progress(made.id, "ann")[0].completed_at is None
    do(world, "ann", "visit")
    assert counts(world, made.id, "ann") == [(2, 2, False), (1, 1, False)]
    assert world.challenges.progress(made.id, "ann")[0].completed_at == DURING


def test_in_order_the_same_activity_may_be_two_steps_and_one_activity_counts_once(
    world: GuildKit, gk_clock: Clock
) -> None:
    steps = [{"activity_type": "answer.posted", "count": 1}, {"activity_type": "visit", "count": 1},
             {"activity_type": "answer.posted", "count": 1}]  # fmt: skip
    made = make(world, ordered=True, steps=steps)
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    do(world, "ann", "answer.posted")
    assert counts(world, made.id, "ann") == [(1, 1, False), (0, 1, True), (0, 1, False)]
    do(world, "ann", "visit")
    do(world, "ann", "answer.posted")
    assert counts(world, made.id, "ann") == [(1, 1, False), (1, 1, False), (1, 1, False)]


def test_only_what_is_done_after_joining_and_inside_the_window_counts(world: GuildKit, gk_clock: Clock) -> None:
    made = make(world)
    gk_clock.set(DURING)
    do(world, "bob", "answer.posted")  # before Bob joins: history is never counted back
    world.challenges.join("bob", made.id)
    assert counts(world, made.id, "bob") == [(0, 2, True), (0, 1, True)]
    world.record("answer.posted", key="late-report", actor="bob", occurred_at=DURING - timedelta(hours=1))
    assert counts(world, made.id, "bob") == [(0, 2, True), (0, 1, True)]  # it happened before he joined
    gk_clock.set(END)
    do(world, "bob", "answer.posted")  # the end is excluded
    gk_clock.set(DURING + timedelta(hours=1))
    do(world, "cat", "answer.posted")  # someone else's
    assert counts(world, made.id, "bob") == [(0, 2, True), (0, 1, True)]
    do(world, "bob", "answer.posted")
    assert counts(world, made.id, "bob") == [(1, 2, True), (0, 1, True)]


def test_joining_before_the_start_counts_from_the_start(world: GuildKit, gk_clock: Clock) -> None:
    made = make(world)
    world.challenges.join("ann", made.id)  # two days before the start
    do(world, "ann", "answer.posted")  # before the start
    assert counts(world, made.id, "ann") == [(0, 2, True), (0, 1, True)]
    gk_clock.set(START)
    do(world, "ann", "answer.posted")
    assert counts(world, made.id, "ann") == [(1, 2, True), (0, 1, True)]


def test_a_batch_counts_each_activity_and_completes_once(world: GuildKit, gk_clock: Clock, told: Told) -> None:
    made = make(world, ordered=True)
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    batch = [{"type": "answer.posted", "key": f"b{i}", "actor": "ann"} for i in range(3)]
    batch += [{"type": "visit", "key": "bv1", "actor": "ann"}, {"type": "visit", "key": "bv2", "actor": "ann"}]
    world.record_many(batch)
    assert counts(world, made.id, "ann") == [(2, 2, False), (1, 1, False)]
    assert len(told.completions) == 1 and rewards_of(world, "ann") == [f"challenge:{made.id}:ann"]


def test_counting_adds_to_the_stored_count_and_never_recounts(world: GuildKit, gk_clock: Clock) -> None:
    """Each activity adds one to the stored count: a count set by hand (as if from a long history)
    goes on from there, and the activities themselves are never read back."""
    made = make(world, steps=[{"activity_type": "answer.posted", "count": 100_000}])
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    do(world, "ann", "answer.posted", 3)
    assert counts(world, made.id, "ann") == [(3, 100_000, True)]
    with world.store.engine.begin() as conn:
        conn.execute(sa.update(ChallengeProgress).values(count=50_000))
    do(world, "ann", "answer.posted")
    assert counts(world, made.id, "ann") == [(50_001, 100_000, True)]


def test_one_activity_runs_the_same_statements_whatever_the_history(
    gk_backend: str, world: GuildKit, gk_clock: Clock
) -> None:
    """With 5 or 200 activities before it, an activity runs the same two statements on the
    challenges' tables (which challenges count its type; its one counting UPDATE). Counted with
    SQLite's statement trace, which sees the hot path's bare-cursor statements too."""
    if gk_backend == "postgresql":
        pytest.skip("counted with SQLite's trace callback; the code path is the same on PostgreSQL")
    made = make(world, steps=[{"activity_type": "answer.posted", "count": 100_000}])
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    seen: list[str] = []

    def trace(driver: Any, record: Any, proxy: Any) -> None:
        driver.set_trace_callback(seen.append)

    def one_more() -> list[str]:
        world.store.engine.dispose()  # every connection from here on is traced
        sa.event.listen(world.store.engine, "checkout", trace)
        seen.clear()
        try:
            do(world, "ann", "answer.posted")
        finally:
            sa.event.remove(world.store.engine, "checkout", trace)
            world.store.engine.dispose()
        # The statements of the counting (the registry's definitions check may read the challenges too).
        return [s for s in seen if "guildkit_challenge_" in s]

    do(world, "ann", "answer.posted", 5)
    early = one_more()
    world.record_many([{"type": "answer.posted", "key": f"h{i}", "actor": "ann"} for i in range(200)])
    late = one_more()
    assert len(early) == len(late) == 2, early
    assert "UPDATE guildkit_challenge_progress" in late[1]
    assert counts(world, made.id, "ann") == [(207, 100_000, True)]


# -- rewards -------------------------------------------------------------------------------


def test_a_challenge_with_no_reward_completes_and_gives_nothing(world: GuildKit, gk_clock: Clock) -> None:
    made = make(world, reward_points=None, award_badge=False, steps=[{"activity_type": "visit", "count": 1}])
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    before = world.balances("ann")
    do(world, "ann", "visit")
    assert world.challenges.progress(made.id, "ann")[0].completed_at == DURING
    assert world.balances("ann") == before and rewards_of(world, "ann") == [f"challenge:{made.id}:ann"]


def test_concurrent_activities_completing_the_last_step_reward_exactly_once(
    gk_app: Flask, world: GuildKit, gk_clock: Clock, told: Told
) -> None:
    """Eight threads record Ann's last visits at once: one completes the challenge, once."""
    made = make(world, steps=[{"activity_type": "answer.posted", "count": 1}, {"activity_type": "visit", "count": 3}])
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    do(world, "ann", "answer.posted")
    do(world, "ann", "visit", 2)  # one visit to go
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def visit(n: int) -> None:
        try:
            with gk_app.app_context():
                start.wait()
                world.record("visit", key=f"race:{n}", actor="ann")
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=visit, args=(n,)) for n in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert counts(world, made.id, "ann") == [(1, 1, False), (3, 3, False)]
    assert rewards_of(world, "ann") == [f"challenge:{made.id}:ann"]
    with world.store.engine.connect() as conn:
        ledger = conn.execute(
            sa.select(sa.func.count())
            .select_from(table_of(LedgerEntry))
            .join(Activity, Activity.id == table_of(LedgerEntry).c.activity_id)
            .where(Activity.type == COMPLETED)
        ).scalar()
        notes = conn.scalar(
            sa.select(sa.func.count()).select_from(Notification).where(Notification.kind == "challenge.completed")
        )
    assert (ledger, notes, len(told.completions)) == (1, 1, 1)
    assert [b.badge_slug for b in world.badges("ann")].count(made.badge) == 1


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"steps": []}, {"steps"}),
        ({"steps": [{"activity_type": "nope.unknown", "count": 1}]}, {"steps.0.activity_type"}),
        ({"steps": [{"activity_type": "guildkit.award", "count": 1}]}, {"steps.0.activity_type"}),
        ({"steps": [{"activity_type": "visit", "count": 0}]}, {"steps.0.count"}),
        ({"steps": [{"activity_type": "visit", "count": "3"}]}, {"steps.0.count"}),
        (
            {"steps": [{"activity_type": "visit", "count": 1}, {"activity_type": "visit", "count": 2}]},
            {"steps.1.activity_type"},
        ),
        ({"ends_at": START}, {"ends_at"}),
        ({"ends_at": START - timedelta(days=1)}, {"ends_at"}),
        ({"starts_at": datetime(2027, 3, 1)}, {"starts_at"}),  # a naive datetime
        ({"title": "  "}, {"title"}),
        ({"reward_points": 0}, {"reward_points"}),
        ({"reward_point_type": "nope"}, {"reward_point_type"}),
        ({"recurrence": "weekly", "ends_at": START + timedelta(days=8)}, {"ends_at"}),
        ({"audience": "everyone"}, {"audience"}),
        ({"colour": "red"}, {"colour"}),
        (
            {"title": "", "ends_at": START, "steps": [{"activity_type": "nope", "count": -1}]},
            {"title", "ends_at", "steps.0.activity_type", "steps.0.count"},
        ),
    ],
)
def test_bad_input_names_every_field_and_writes_nothing(
    world: GuildKit, change: dict[str, Any], fields: set[str]
) -> None:
    with pytest.raises(ValidationError) as refused:
        make(world, **change)
    assert set(refused.value.errors) == fields
    assert rows(world) == dict.fromkeys((t.name for t in TABLES), 0)


def test_a_challenge_that_ended_already_or_too_many_steps_is_refused(world: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(END + timedelta(days=1))
    with pytest.raises(ValidationError, match="in the future"):
        make(world)
    gk_clock.set(START)
    with pytest.raises(ValidationError, match="at most 10 steps"):
        make(world, steps=[{"activity_type": "visit", "count": n} for n in range(1, 12)], ordered=True)
    assert rows(world)["guildkit_challenges"] == 0


def test_group_challenges_need_groups(gk_backend: str, gk_clock: Clock, tmp_path: Any) -> None:
    """With no ``gk.groups`` (the groups feature switched off), group challenges are refused."""
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.groups"]}
    with make_app(gk_backend, tmp_path, config=config, plugins=(qa_rules, Words()), clock=gk_clock) as (_, gk):
        gk_clock.set(START - timedelta(days=2))
        assert "groups" not in gk.services()
        with pytest.raises(ValidationError) as refused:
            make(gk, by=None, audience="group")
        assert set(refused.value.errors) == {"audience"} and "groups feature" in refused.value.message
        with pytest.raises(ValidationError) as refused:
            make(gk, by=None, group_id=3)
        assert set(refused.value.errors) == {"group_id"}
        assert rows(gk)["guildkit_challenges"] == 0


def test_only_managers_make_and_close_challenges(world: GuildKit) -> None:
    with pytest.raises(NotAllowed):
        make(world, by="ann")
    made = make(world, by=None)  # host code
    with pytest.raises(NotAllowed):
        world.challenges.close(made.id, by="ann")
    assert world.challenges.close(made.id, by="boss").state == "finished"
    assert [(e.action, e.actor) for e in world.audit_log(area="challenges")] == [
        ("challenge.close", "boss"),
        ("challenge.create", None),
    ]


# -- joining -------------------------------------------------------------------------------


@pytest.mark.parametrize("challenge_id", ["1", 0, True, 1.0, 2**31, 2**40, 2**64], ids=repr)
def test_an_id_no_challenge_can_have_names_none_and_writes_nothing(world: GuildKit, challenge_id: Any) -> None:
    make(world)
    before = rows(world)
    for call in (
        lambda: world.challenges.get(challenge_id),
        lambda: world.challenges.participants(challenge_id),
        lambda: world.challenges.progress(challenge_id, "ann"),
        lambda: world.challenges.join("ann", challenge_id),
        lambda: world.challenges.close(challenge_id, by="boss"),
    ):
        with pytest.raises(UnknownChallenge):
            call()
    assert rows(world) == before


def test_bad_arguments_are_refused_naming_the_field(world: GuildKit) -> None:
    made = make(world)
    before = rows(world)
    refused: list[tuple[str, Any]] = [
        ("by", lambda: world.challenges.join("ann\x00", made.id)),
        ("group_id", lambda: world.challenges.join("ann", made.id, group_id=2**40)),
        ("group_id", lambda: world.challenges.can_manage("boss", group_id=2**31)),
        ("group_id", lambda: world.challenges.check(title="Mine", group_id=2**40)),
        ("participant_id", lambda: world.challenges.award_due(2**40)),
        ("after", lambda: world.challenges.list(after=(START, 2**40))),
        ("after", lambda: world.challenges.list(after=(datetime(2027, 3, 1), 1))),  # no time zone
        ("after", lambda: world.challenges.participants(made.id, after=[START, 1])),
        ("via", lambda: world.challenges.close(made.id, via="cli\x00")),
    ]
    for field, call in refused:
        with pytest.raises(ValidationError) as bad:
            call()
        assert field in bad.value.errors
    assert rows(world) == before


def test_joining_twice_after_the_end_or_a_closed_one_is_refused(world: GuildKit, gk_clock: Clock) -> None:
    made = make(world)
    world.challenges.join("ann", made.id)
    with pytest.raises(AlreadyJoined):
        world.challenges.join("ann", made.id)
    with pytest.raises(ValidationError) as refused:
        world.challenges.join("bob", made.id, group_id=1)  # a challenge for members
    assert refused.value.field == "group_id"
    with pytest.raises(UnknownChallenge):
        world.challenges.join("bob", 999)
    gk_clock.set(END)
    with pytest.raises(InvalidTransition, match="ended"):
        world.challenges.join("bob", made.id)
    gk_clock.set(DURING)
    closed = make(world, title="Closed")
    world.challenges.close(closed.id, by="boss")
    with pytest.raises(InvalidTransition):
        world.challenges.join("bob", closed.id)
    with world.store.engine.connect() as conn:
        joined = conn.execute(sa.select(ChallengeParticipant.challenge_id, ChallengeParticipant.member_id)).all()
        progress = conn.scalar(sa.select(sa.func.count()).select_from(ChallengeProgress))
    assert joined == [(made.id, world.member("ann").id)] and progress == 2


def test_a_suspended_member_may_not_join(world: GuildKit) -> None:
    made = make(world)
    world.set_status("cat", "suspended", reason="testing")
    with pytest.raises(NotAllowed):
        world.challenges.join("cat", made.id)
    assert rows(world)["guildkit_challenge_participants"] == 0


def test_closing_stops_the_counting_and_keeps_what_was_completed(world: GuildKit, gk_clock: Clock) -> None:
    made = make(world, steps=[{"activity_type": "visit", "count": 1}, {"activity_type": "answer.posted", "count": 1}])
    world.challenges.join("ann", made.id)
    world.challenges.join("bob", made.id)
    gk_clock.set(DURING)
    do(world, "ann", "visit")
    do(world, "ann", "answer.posted")
    do(world, "bob", "visit")
    world.challenges.close(made.id, by="boss")
    do(world, "bob", "answer.posted")
    assert counts(world, made.id, "bob") == [(1, 1, False), (0, 1, False)]
    assert world.challenges.progress(made.id, "ann")[0].completed_at is not None
    with pytest.raises(InvalidTransition):
        world.challenges.close(made.id, by="boss")


# -- weekly series and the job -------------------------------------------------------------


def test_a_weekly_challenge_opens_its_next_week_once_and_shares_its_badge(world: GuildKit, gk_clock: Clock) -> None:
    first = make(world, recurrence="weekly", steps=[{"activity_type": "visit", "count": 1}],
                 ends_at=START + timedelta(days=5))  # fmt: skip
    assert world.registry.badges[first.badge].repeatable
    gk_clock.set(DURING)
    assert world.challenges.upkeep()["opened"] == []  # not near its end yet
    world.challenges.join("ann", first.id)
    do(world, "ann", "visit")
    gk_clock.set(START + timedelta(days=4, hours=12))  # within a day of its end
    opened = world.challenges.upkeep()["opened"]
    assert len(opened) == 1 and world.challenges.upkeep()["opened"] == []
    second = world.challenges.get(opened[0])
    assert (second.starts_at, second.ends_at) == (START + timedelta(days=7), START + timedelta(days=12))
    assert (second.series_id, second.previous_id, second.badge, second.defines_badge, second.state) == (
        first.id, first.id, first.badge, False, "upcoming",
    )  # fmt: skip
    assert [s.activity_type for s in second.steps] == ["visit"] and second.joined == 0
    world.challenges.join("ann", second.id)
    gk_clock.set(second.starts_at + timedelta(hours=1))
    do(world, "ann", "visit")
    awards = [b for b in world.badges("ann") if b.badge_slug == first.badge]
    assert len(awards) == 2  # once a week
    assert rewards_of(world, "ann") == [f"challenge:{first.id}:ann", f"challenge:{second.id}:ann"]


def test_missed_weeks_are_skipped_and_a_closed_series_stops(world: GuildKit, gk_clock: Clock) -> None:
    first = make(world, recurrence="weekly")
    gk_clock.set(END + timedelta(days=15))  # the job did not run for two weeks
    [opened] = world.challenges.upkeep()["opened"]
    later = world.challenges.get(opened)
    assert later.starts_at == START + timedelta(days=21) and later.state == "running"
    world.challenges.close(later.id, by="boss")
    gk_clock.set(later.ends_at)
    assert world.challenges.upkeep()["opened"] == []
    assert [c.id for c in world.challenges.list()] == [first.id, later.id]  # by their end


def test_two_jobs_at_once_open_one_next_week(gk_app: Flask, world: GuildKit, gk_clock: Clock) -> None:
    make(world, recurrence="weekly")
    gk_clock.set(END - timedelta(hours=1))
    start = threading.Barrier(4)
    opened: list[int] = []
    errors: list[BaseException] = []

    def job() -> None:
        try:
            with gk_app.app_context():
                start.wait()
                opened.extend(world.challenges.upkeep()["opened"])
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=job) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == [] and len(opened) == 1
    assert rows(world)["guildkit_challenges"] == 2


def test_the_job_settles_ended_challenges(world: GuildKit, gk_clock: Clock) -> None:
    made = make(world)
    world.challenges.join("ann", made.id)
    gk_clock.set(END + timedelta(minutes=1))
    assert world.challenges.upkeep()["settled"] == 1
    assert world.challenges.upkeep()["settled"] == 0
    with world.store.engine.connect() as conn:
        active = conn.scalar(sa.select(sa.func.count()).select_from(ChallengeProgress).where(ChallengeProgress.active))
    assert active == 0


def test_listing_by_state_and_paging(world: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(DURING)
    running = [make(world, title=f"Running {n}", starts_at=DURING - timedelta(hours=1)) for n in range(3)]
    upcoming = make(world, title="Later", starts_at=END, ends_at=END + timedelta(days=1))
    done = make(world, title="Closed")
    world.challenges.close(done.id, by="boss")
    assert [c.id for c in world.challenges.list(state="running")] == [c.id for c in running]
    assert [c.id for c in world.challenges.list(state="upcoming")] == [upcoming.id]
    assert [c.id for c in world.challenges.list(state="finished")] == [done.id]
    page = world.challenges.list(state="running", limit=2)
    rest = world.challenges.list(state="running", limit=2, after=(page[-1].ends_at, page[-1].id))
    assert [c.id for c in page + rest] == [c.id for c in running]


def test_the_export_has_the_members_challenges(world: GuildKit, gk_clock: Clock) -> None:
    made = make(world)
    world.challenges.join("ann", made.id)
    gk_clock.set(DURING)
    do(world, "ann", "answer.posted")
    section = world.privacy.export("ann")["plugins"]["challenges"]
    assert [(p["challenge_id"], p["title"], p["steps_done"]) for p in section["taking_part"]] == [
        (made.id, "Spring answers", 0)
    ]
    assert [(s["activity_type"], s["count"]) for s in section["step_counts"]] == [("answer.posted", 1), ("visit", 0)]
    assert "challenges" not in world.privacy.export("bob")["plugins"]
