"""Trust levels: promotion and demotion on crafted histories, with a clock the test moves."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, TrustLevelChange, hookimpl, signals
from guildkit.errors import ConfigurationError, UnknownMember, ValidationError
from guildkit.models import Activity, Notification
from guildkit.testing import Activities, Clock, Members
from guildkit.trust import DEFAULT_LEVELS, parse_levels
from guildkit.trust.models import TrustLevel

#: Small criteria so that histories stay short: level 1 after 2 topics and a minute of reading,
#: level 2 after visits on 3 days and a like received, level 3 for replies in 2 topics in 10 days.
LEVELS: dict[int, dict[str, Any]] = {
    0: {"name": "New"},
    1: {
        "name": "Basic",
        "criteria": [
            {"label": "topics entered", "type": "topic.entered", "measure": "distinct_subjects", "threshold": 2},
            {"label": "seconds reading", "type": "post.read", "measure": "payload_sum:seconds", "threshold": 60},
        ],
    },
    2: {
        "name": "Member",
        "criteria": [
            {"label": "days visited", "type": "site.visited", "measure": "distinct_days", "threshold": 3},
            {"label": "likes received", "type": "post.liked", "role": "target", "threshold": 1},
        ],
    },
    3: {
        "name": "Regular",
        "criteria": [
            {
                "label": "topics replied to",
                "type": "post.replied",
                "measure": "distinct_subjects",
                "threshold": 2,
                "window_days": 10,
            }
        ],
    },
    4: {"name": "Leader"},
}


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_TRUST_LEVELS": LEVELS}


class Told:
    """Remembers every ``guildkit_trust_level_changed`` call, and the committed level it saw."""

    def __init__(self) -> None:
        self.changes: list[TrustLevelChange] = []
        self.seen_levels: list[int] = []

    @hookimpl
    def guildkit_trust_level_changed(self, gk: GuildKit, change: TrustLevelChange) -> None:
        self.changes.append(change)
        with gk.store.engine.connect() as conn:  # a fresh connection: the change is committed
            member = gk.member(change.user_id).id
            self.seen_levels.append(conn.scalar(sa.select(TrustLevel.level).where(TrustLevel.member_id == member)))


@pytest.fixture
def told(gk: GuildKit) -> Told:
    recorder = Told()
    gk.register(recorder)
    return recorder


def reach_level_1(acts: Activities, user: str) -> None:
    acts.record("topic.entered", actor=user, subject="t1")
    acts.record("topic.entered", actor=user, subject="t2")
    acts.record("post.read", actor=user, payload={"seconds": 60})


def reach_level_2(acts: Activities, clock: Clock, user: str, liker: str) -> None:
    for _ in range(3):
        acts.record("site.visited", actor=user)
        clock.advance(days=1)
    acts.record("post.liked", actor=liker, target=user, subject="p1")


def test_promotes_exactly_at_each_threshold(
    gk: GuildKit, gk_members: Members, gk_activities: Activities, gk_clock: Clock, told: Told
) -> None:
    ann, bob = gk_members("Ann"), gk_members("Bob")
    gk_activities.record("topic.entered", actor=ann, subject="t1")
    gk_activities.record("topic.entered", actor=ann, subject="t1")  # the same topic again: still one
    gk_activities.record("topic.entered", actor=ann, subject="t2")
    gk_activities.record("post.read", actor=ann, payload={"seconds": 59})
    assert gk.trust.evaluate(ann) == []
    assert gk.trust.level(ann) == 0
    gk_activities.record("post.read", actor=ann, payload={"seconds": 1})
    assert [c.new_level for c in gk.trust.evaluate(ann)] == [1]

    for _ in range(3):
        gk_activities.record("site.visited", actor=ann)
        gk_activities.record("site.visited", actor=ann)  # twice on a day counts once
        gk_clock.advance(days=1)
    assert gk.trust.evaluate(ann) == []
    gk_activities.record("post.liked", actor=bob, target=ann, subject="p1")
    assert [c.new_level for c in gk.trust.evaluate(ann)] == [2]

    gk_activities.record("post.replied", actor=ann, subject="t1")
    assert gk.trust.evaluate(ann) == []
    gk_activities.record("post.replied", actor=ann, subject="t2")
    changes = gk.trust.evaluate(ann)
    assert changes == [TrustLevelChange(ann, 2, 3, "Regular", None, "")]
    assert gk.trust.level(ann) == 3
    assert [(c.old_level, c.new_level) for c in told.changes] == [(0, 1), (1, 2), (2, 3)]
    assert told.seen_levels == [1, 2, 3]
    assert gk.trust.evaluate(ann) == []  # nothing more to do: level 4 is never automatic


def test_climbs_one_level_at_a_time(
    gk: GuildKit, gk_members: Members, gk_activities: Activities, gk_clock: Clock
) -> None:
    ann, bob = gk_members(), gk_members()
    reach_level_1(gk_activities, ann)
    reach_level_2(gk_activities, gk_clock, ann, bob)
    changes = gk.trust.evaluate(ann)
    assert [(c.old_level, c.new_level) for c in changes] == [(0, 1), (1, 2)]


def test_retracted_activities_do_not_count(gk: GuildKit, gk_members: Members, gk_activities: Activities) -> None:
    ann = gk_members()
    gk_activities.record("topic.entered", actor=ann, subject="t1")
    second = gk_activities.record("topic.entered", actor=ann, subject="t2")
    gk_activities.record("post.read", actor=ann, payload={"seconds": 600})
    gk.retract(second.key, reason="spam")
    assert gk.trust.evaluate(ann) == []
    status = gk.trust.status(ann)
    assert [(p.label, p.value, p.threshold, p.met) for p in status.criteria] == [
        ("topics entered", 1, 2, False),
        ("seconds reading", 600, 60, True),
    ]


def test_every_change_is_an_activity_a_notification_and_a_signal(
    gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    ann = gk_members()
    received: list[TrustLevelChange] = []

    def receiver(sender: GuildKit, change: TrustLevelChange) -> None:
        received.append(change)

    signals.trust_level_changed.connect(receiver, sender=gk)
    try:
        reach_level_1(gk_activities, ann)
        gk.trust.evaluate(ann)
    finally:
        signals.trust_level_changed.disconnect(receiver, sender=gk)
    assert [c.new_level for c in received] == [1]
    member = gk.member(ann)
    activity = gk.session.scalars(sa.select(Activity).where(Activity.type == "guildkit.trust_level")).one()
    assert (activity.target_id, activity.actor_id, activity.payload) == (
        member.id,
        None,
        {"old": 0, "new": 1, "reason": ""},
    )
    texts = gk.session.scalars(sa.select(Notification.text).where(Notification.member_id == member.id)).all()
    assert "You are now trust level 1: Basic" in texts
    assert gk.balances(ann) == {}  # the trust_level activity earns nothing


def test_windowed_criteria_and_demotion_after_grace(
    gk: GuildKit, gk_members: Members, gk_activities: Activities, gk_clock: Clock, told: Told
) -> None:
    ann = gk_members()
    gk.trust.set_level(ann, 2, reason="imported from the old forum", by=None)
    gk_activities.record("post.replied", actor=ann, subject="t1")
    gk_activities.record("post.replied", actor=ann, subject="t2")
    assert [c.new_level for c in gk.trust.evaluate(ann)] == [3]

    gk_clock.advance(days=11)  # the replies fall out of the 10-day window
    assert gk.trust.evaluate(ann) == []
    row = gk.session.scalars(sa.select(TrustLevel)).one()
    assert row.level == 3 and row.lapsed_since == gk_clock.now
    lapsed = gk_clock.now

    gk_clock.advance(days=5)
    gk_activities.record("post.replied", actor=ann, subject="t3")
    gk_activities.record("post.replied", actor=ann, subject="t4")
    assert gk.trust.evaluate(ann) == []
    gk.session.expire_all()
    assert gk.session.scalars(sa.select(TrustLevel)).one().lapsed_since is None  # criteria hold again

    gk_clock.advance(days=11)
    gk.trust.evaluate(ann)
    gk.session.expire_all()
    lapsed = gk_clock.now
    assert gk.session.scalars(sa.select(TrustLevel)).one().lapsed_since == lapsed
    gk_clock.advance(days=14, seconds=-1)
    assert gk.trust.evaluate(ann) == []
    gk_clock.advance(seconds=1)
    changes = gk.trust.evaluate(ann)
    assert [(c.old_level, c.new_level) for c in changes] == [(3, 2)]
    assert "lapsed for 14 days" in changes[0].reason
    gk.session.expire_all()
    row = gk.session.scalars(sa.select(TrustLevel)).one()
    assert (row.level, row.lapsed_since) == (2, None)


def test_lock_prevents_changes(gk: GuildKit, gk_members: Members, gk_activities: Activities) -> None:
    ann, staff = gk_members(), gk_members(roles=["admin"])
    gk.trust.lock(ann, reason="under review", by=staff)
    reach_level_1(gk_activities, ann)
    assert gk.trust.evaluate(ann) == []
    status = gk.trust.status(ann)
    assert (status.level, status.locked) == (0, True)
    lock_activity = gk.session.scalars(sa.select(Activity).where(Activity.type == "guildkit.trust_lock")).one()
    assert lock_activity.payload == {"locked": True, "level": 0, "reason": "under review"}
    gk.trust.unlock(ann, reason="review done", by=staff)
    assert [c.new_level for c in gk.trust.evaluate(ann)] == [1]


def test_level_4_is_manual_only(gk: GuildKit, gk_members: Members, gk_activities: Activities, told: Told) -> None:
    ann, staff = gk_members(), gk_members(roles=["admin"])
    change = gk.trust.set_level(ann, 4, reason="runs the events team", by=staff)
    assert change == TrustLevelChange(ann, 0, 4, "Leader", staff, "runs the events team")
    assert gk.trust.evaluate(ann) == []  # no criteria, and not demoted
    assert gk.trust.set_level(ann, 4, reason="again", by=staff) is None
    assert [c.new_level for c in told.changes] == [4]
    activity = gk.session.scalars(sa.select(Activity).where(Activity.type == "guildkit.trust_level")).one()
    assert activity.actor_id == gk.member(staff).id


def test_inactive_members_are_not_evaluated(gk: GuildKit, gk_members: Members, gk_activities: Activities) -> None:
    ann = gk_members()
    reach_level_1(gk_activities, ann)
    gk.set_status(ann, "suspended", reason="spam")
    assert gk.trust.evaluate(ann) == []
    assert gk.trust.level(ann) == 0


def test_sweep_evaluates_active_and_level_3_members_and_is_idempotent(
    gk: GuildKit, gk_members: Members, gk_activities: Activities, gk_clock: Clock
) -> None:
    ann, bob, cid = gk_members(), gk_members(), gk_members()
    reach_level_1(gk_activities, ann)
    assert gk.trust.sweep() == {"evaluated": 3, "promoted": 1, "demoted": 0}  # everyone joined since
    assert gk.trust.sweep() == {"evaluated": 0, "promoted": 0, "demoted": 0}

    gk.trust.set_level(bob, 3, reason="moved from another forum")
    assert gk.trust.sweep() == {"evaluated": 1, "promoted": 0, "demoted": 0}  # bob lapses now
    gk_clock.advance(days=14)
    assert gk.trust.sweep() == {"evaluated": 1, "promoted": 0, "demoted": 1}
    assert gk.trust.sweep() == {"evaluated": 0, "promoted": 0, "demoted": 0}
    assert (gk.trust.level(ann), gk.trust.level(bob), gk.trust.level(cid)) == (1, 2, 0)


def test_default_level_1_is_discourses(gk_app: Any, gk_members: Members, gk_activities: Activities) -> None:
    gk_app.config["GUILDKIT_TRUST_LEVELS"] = DEFAULT_LEVELS
    gk: GuildKit = gk_app.extensions["guildkit"].gk
    ann = gk_members()
    for topic in range(5):
        gk_activities.record("topic.entered", actor=ann, subject=f"t{topic}")
    for _ in range(29):
        gk_activities.record("post.read", actor=ann, payload={"seconds": 20})
    assert gk.trust.evaluate(ann) == []
    gk_activities.record("post.read", actor=ann, payload={"seconds": 20})
    assert [(c.new_level, c.name) for c in gk.trust.evaluate(ann)] == [(1, "Basic")]


def test_staff_input_is_validated(gk: GuildKit, gk_members: Members) -> None:
    ann = gk_members()
    with pytest.raises(ValidationError) as error:
        gk.trust.set_level(ann, 5, reason="x")
    assert error.value.field == "level"
    with pytest.raises(ValidationError) as error:
        gk.trust.set_level(ann, 1, reason="")
    assert error.value.field == "reason"
    with pytest.raises(ValidationError) as error:
        gk.trust.update(ann, reason="x")
    assert error.value.field == "level"
    with pytest.raises(UnknownMember):
        gk.trust.evaluate("nobody")


@pytest.mark.parametrize(
    "levels",
    [
        {0: {"name": "New"}},
        {**LEVELS, 4: {"name": "Leader", "criteria": LEVELS[1]["criteria"]}},
        {**LEVELS, 1: {"name": "Basic", "criteria": [{"type": "post.read", "threshold": 0}]}},
        {**LEVELS, 1: {"name": "Basic", "criteria": [{"type": "post.read", "threshold": 1, "measure": "sum"}]}},
        {**LEVELS, 1: {"name": "Basic", "criteria": [{"type": "post.read", "threshold": 1, "role": "subject"}]}},
        {**LEVELS, 1: {"name": "Basic", "criteria": [{"type": "post.read", "threshold": 1, "window_days": 0}]}},
    ],
)
def test_malformed_levels_are_refused(levels: dict[int, Any]) -> None:
    with pytest.raises(ConfigurationError):
        parse_levels(levels)


def test_cli_sweep(gk_app: Any, gk: GuildKit, gk_members: Members, gk_activities: Activities) -> None:
    ann = gk_members()
    reach_level_1(gk_activities, ann)
    result = gk_app.test_cli_runner().invoke(args=["guildkit", "trust", "sweep"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"evaluated": 1, "promoted": 1, "demoted": 0}
    assert gk.trust.level(ann) == 1


def test_concurrent_first_evaluations_promote_once(
    gk_app: Any, gk: GuildKit, gk_members: Members, gk_activities: Activities
) -> None:
    import threading

    ann = gk_members("Ann")
    gk_activities.record("topic.entered", actor=ann, subject="t1")
    gk_activities.record("topic.entered", actor=ann, subject="t2")
    gk_activities.record("post.read", actor=ann, payload={"seconds": 60})
    start = threading.Barrier(4)
    errors: list[Exception] = []
    changes: list[Any] = []

    def evaluate() -> None:
        with gk_app.app_context():
            start.wait()
            try:
                changes.extend(gk.trust.evaluate(ann))
            except Exception as exc:  # collected and asserted below
                errors.append(exc)

    workers = [threading.Thread(target=evaluate) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert [c.new_level for c in changes] == [1]  # one promotion, by whichever thread got there first
    rows = gk.session.scalars(sa.select(TrustLevel)).all()
    assert [(r.level, r.member_id) for r in rows] == [(1, gk.member(ann).id)]
