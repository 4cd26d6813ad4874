"""record / retract / record_many: points, caps, floors, badges, roles, levels, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, IdempotencyConflict, UnknownActivity
from guildkit.models import Activity, BadgeAward, Balance, LedgerEntry, Member
from guildkit.testing import Clock


def ledger_sum(gk: GuildKit, user: str, point_type: str) -> int:
    member = gk.member(user)
    total = gk.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.member_id == member.id, LedgerEntry.point_type == point_type
        )
    )
    return int(total or 0)


def upvote(gk: GuildKit, n: int, target: str = "ann", voter: str | None = None) -> None:
    gk.record("answer.upvoted", actor=voter or f"voter{n}", target=target, subject="answer:1", key=f"up:{target}:{n}")


def test_points_go_to_the_target_and_ledger_explains_them(gk: GuildKit) -> None:
    result = gk.record("answer.upvoted", actor="bob", target="ann", subject="answer:42", key="vote:1")
    assert result.points_for("ann", "reputation") == 10
    assert result.points_for("bob") == 0
    assert gk.balance("ann", "reputation") == 10
    (entry,) = gk.ledger("ann")
    activity = gk.session.get(Activity, entry.activity_id)
    assert activity is not None
    assert (entry.amount, entry.balance_after, entry.rule) == (10, 10, "answer-upvoted")
    assert entry.reason == "answer.upvoted on answer:42"
    assert activity.key == "vote:1"


def test_both_members_are_created_on_first_activity(gk: GuildKit) -> None:
    gk.record("answer.downvoted", actor="bob", target="ann", key="dv:1")
    assert gk.member("bob").status == "active"
    assert gk.member("ann").status == "active"
    # floor of 1: ann had 0, and a downvote cannot take her below... 0 + (-2) < 1 keeps her at 0
    assert gk.balance("ann", "reputation") == 0
    assert gk.balance("bob", "reputation") == 0


def test_floor_limits_negative_points(gk: GuildKit) -> None:
    for n in range(2):
        upvote(gk, n)
    assert gk.balance("ann", "reputation") == 20
    for n in range(12):
        gk.record("answer.downvoted", actor=f"d{n}", target="ann", key=f"dv:{n}")
    assert gk.balance("ann", "reputation") == 1
    assert ledger_sum(gk, "ann", "reputation") == 1
    last = gk.ledger("ann", limit=1)[0]
    assert last.amount == 0
    assert "floor of 1" in last.reason


def test_self_votes_earn_nothing(gk: GuildKit) -> None:
    result = gk.record("answer.upvoted", actor="ann", target="ann", key="self:1")
    assert result.points == ()
    assert gk.balances("ann") == {}


def test_daily_cap_and_exemption(gk: GuildKit, gk_clock: Clock) -> None:
    for n in range(21):
        upvote(gk, n)
    assert gk.balance("ann", "reputation") == 200
    capped = gk.ledger("ann", limit=1)[0]
    assert capped.amount == 0 and "daily cap" in capped.reason
    gk.record("answer.accepted", actor="bob", target="ann", key="acc:1")
    assert gk.balance("ann", "reputation") == 215
    gk_clock.advance(days=1)
    upvote(gk, 99)
    assert gk.balance("ann", "reputation") == 225


def test_cap_day_follows_the_community_time_zone(gk_app: object, gk: GuildKit, gk_clock: Clock) -> None:
    from flask import current_app

    state = current_app.extensions["guildkit"]
    from zoneinfo import ZoneInfo

    state.zone = ZoneInfo("America/New_York")
    # 23:30 and 00:30 New York time fall on different local days but the same UTC day (04:30/05:30).
    gk_clock.set(datetime(2026, 3, 10, 3, 30, tzinfo=UTC))
    for n in range(20):
        upvote(gk, n)
    gk_clock.set(datetime(2026, 3, 10, 4, 30, tzinfo=UTC))
    upvote(gk, 50)
    assert gk.balance("ann", "reputation") == 210


def test_replayed_key_returns_first_result_and_changes_nothing(gk: GuildKit) -> None:
    first = gk.record("answer.upvoted", actor="bob", target="ann", key="vote:1")
    again = gk.record("answer.upvoted", actor="bob", target="ann", key="vote:1")
    assert again.duplicate and not first.duplicate
    assert again.points == first.points
    assert again.activity_id == first.activity_id
    assert gk.balance("ann", "reputation") == 10
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 1


def test_same_key_different_content_is_a_conflict(gk: GuildKit) -> None:
    gk.record("answer.upvoted", actor="bob", target="ann", key="vote:1", payload={"x": 1})
    with pytest.raises(IdempotencyConflict) as info:
        gk.record("answer.upvoted", actor="bob", target="ann", key="vote:1", payload={"x": 2})
    assert info.value.differences == ["payload"]
    assert info.value.key == "vote:1"
    assert gk.balance("ann", "reputation") == 10


def test_a_later_redelivery_with_a_new_timestamp_is_still_a_replay(gk: GuildKit, gk_clock: Clock) -> None:
    gk.record("answer.upvoted", actor="bob", target="ann", key="vote:1")
    later = gk_clock.advance(hours=3)
    again = gk.record("answer.upvoted", actor="bob", target="ann", key="vote:1", occurred_at=later)
    assert again.duplicate


def test_threshold_badge_levels_and_progress(gk: GuildKit) -> None:
    results = [gk.record("answer.posted", actor="ann", subject=f"answer:{n}", key=f"post:{n}") for n in range(6)]
    earned = [[(b.badge, b.level) for b in r.badges] for r in results]
    assert earned == [
        [("first-answer", 1)],
        [("answerer", 1)],
        [],
        [("answerer", 2)],
        [],
        [("answerer", 3)],
    ]
    held = sorted((a.badge_slug, a.level) for a in gk.badges("ann"))
    assert held == [("answerer", 1), ("answerer", 2), ("answerer", 3), ("first-answer", 1)]
    progress = {p.badge: p for p in gk.progress("ann")}
    assert progress["answerer"].percent == 100 and progress["answerer"].next_threshold is None
    assert progress["regular"].value == 0 and progress["regular"].next_threshold == 3
    assert "centurion" not in progress  # secret until earned


def test_progress_counts_toward_the_next_level(gk: GuildKit) -> None:
    for n in range(3):
        gk.record("answer.posted", actor="ann", key=f"post:{n}")
    answerer = next(p for p in gk.progress("ann") if p.badge == "answerer")
    assert (answerer.level, answerer.value, answerer.next_threshold, answerer.percent) == (1, 3, 4, 50)
    assert answerer.name == "Silver Answerer"


def test_streak_badge_needs_consecutive_days(gk: GuildKit, gk_clock: Clock) -> None:
    for day in (0, 1, 3, 4):  # a gap after day 1
        gk_clock.set(datetime(2026, 1, 5 + day, 9, tzinfo=UTC))
        gk.record("visit", actor="ann", key=f"visit:{day}")
        gk.record("visit", actor="ann", key=f"visit:{day}:again")
    assert gk.badges("ann") == []
    gk_clock.set(datetime(2026, 1, 10, 9, tzinfo=UTC))
    result = gk.record("visit", actor="ann", key="visit:5")
    assert [(b.badge, b.level) for b in result.badges] == [("regular", 1)]


def test_streak_recounts_when_an_older_day_arrives_late(gk: GuildKit, gk_clock: Clock) -> None:
    base = datetime(2026, 1, 5, 9, tzinfo=UTC)
    gk.record("visit", actor="ann", key="v0", occurred_at=base)
    gk.record("visit", actor="ann", key="v2", occurred_at=base + timedelta(days=2))
    result = gk.record("visit", actor="ann", key="v1", occurred_at=base + timedelta(days=1))
    assert [b.badge for b in result.badges] == ["regular"]
    retracted = gk.retract("v1", reason="bot visit")
    assert [(b.badge, b.granted) for b in retracted.badges] == [("regular", False)]


def test_distinct_targets(gk: GuildKit) -> None:
    for n, target in enumerate(["ann", "ann", "ben", "ann", "cat"]):
        result = gk.record("answer.upvoted", actor="zed", target=target, key=f"up:{n}")
    assert [b.badge for b in result.badges] == ["supporter"]
    gk.retract("up:0")  # ann still counted through up:1 and up:3
    assert [a.badge_slug for a in gk.badges("zed")] == ["supporter"]
    gk.retract("up:4", reason="unvote")  # cat was only counted once: supporter no longer holds
    assert gk.badges("zed") == []


def test_repeatable_event_badge(gk: GuildKit) -> None:
    for n in range(3):
        gk.record("answer.accepted", actor=f"asker{n}", target="ann", key=f"acc:{n}")
    assert [a.badge_slug for a in gk.badges("ann")] == ["accepted"] * 3
    result = gk.retract("acc:1", reason="unaccepted")
    assert [(b.badge, b.granted) for b in result.badges] == [("accepted", False)]
    assert len(gk.badges("ann")) == 2


def test_role_and_points_badge_follow_the_balance(gk: GuildKit) -> None:
    for n in range(5):
        upvote(gk, n)
    assert gk.roles("ann") == ["trusted"]
    assert gk.has_permission("ann", "edit")
    assert not gk.has_permission("ann", "ban")
    result = gk.retract("up:ann:0", reason="unvote")
    assert [(r.role, r.granted) for r in result.roles] == [("trusted", False)]
    assert gk.roles("ann") == []


def test_secret_points_badge_awarded(gk: GuildKit) -> None:
    for n in range(10):
        upvote(gk, n)
    assert "centurion" in [a.badge_slug for a in gk.badges("ann")]
    assert "centurion" in [p.badge for p in gk.progress("ann")]


def test_levels_from_points(gk: GuildKit) -> None:
    from guildkit import signals

    seen = []

    def on_level(sender: GuildKit, change: object, activity_key: str) -> None:
        seen.append((change, activity_key))

    signals.level_changed.connect(on_level, sender=gk)
    try:
        gk.record("answer.posted", actor="ann", key="p1")
        gk.record("answer.posted", actor="ann", key="p2")
    finally:
        signals.level_changed.disconnect(on_level, sender=gk)
    balance = gk.session.get(Balance, (gk.member("ann").id, "xp"))
    assert balance is not None and (balance.balance, balance.level) == (10, 1)
    ((change, key),) = seen
    assert (change.old_level, change.new_level, change.name, key) == (0, 1, "Novice", "p2")


def test_retract_reverses_everything_once(gk: GuildKit) -> None:
    gk.record("answer.downvoted", actor="bob", target="ann", key="up-first")
    upvote(gk, 1)
    upvote(gk, 2)
    gk.record("answer.downvoted", actor="bob", target="ann", key="dv:1")
    assert (gk.balance("ann", "reputation"), gk.balance("bob", "reputation")) == (18, 0)
    result = gk.retract("dv:1", reason="vote undone")
    assert result.retracted
    assert sorted((p.user_id, p.amount) for p in result.points) == [("ann", 2), ("bob", 0)]
    assert gk.balance("ann", "reputation") == 20
    again = gk.retract("dv:1", reason="vote undone")
    assert again.duplicate and gk.balance("ann", "reputation") == 20
    reversal = gk.ledger("ann", limit=1)[0]
    assert reversal.reverses_id is not None and reversal.reason == "retracted: vote undone"
    assert ledger_sum(gk, "ann", "reputation") == gk.balance("ann", "reputation")


def test_retracting_a_capped_vote_frees_cap_room(gk: GuildKit) -> None:
    for n in range(21):
        upvote(gk, n)
    assert gk.balance("ann", "reputation") == 200
    gk.retract("up:ann:20")  # gave 0: reverses 0
    assert gk.balance("ann", "reputation") == 200
    gk.retract("up:ann:0")  # gave 10: the cap room comes back
    assert gk.balance("ann", "reputation") == 190
    upvote(gk, 30)
    assert gk.balance("ann", "reputation") == 200


def test_retracting_a_post_revokes_badges_that_no_longer_hold(gk: GuildKit) -> None:
    for n in range(4):
        gk.record("answer.posted", actor="ann", key=f"post:{n}")
    result = gk.retract("post:0", reason="deleted")
    assert [(b.badge, b.level, b.granted) for b in result.badges] == [("answerer", 2, False)]
    assert sorted((a.badge_slug, a.level) for a in gk.badges("ann")) == [("answerer", 1), ("first-answer", 1)]
    revoked = gk.session.scalars(sa.select(BadgeAward).where(BadgeAward.revoked_at.is_not(None))).one()
    assert revoked.revoke_reason == "retracted: deleted"
    # the badge can be earned again
    again = gk.record("answer.posted", actor="ann", key="post:9")
    assert [(b.badge, b.level) for b in again.badges] == [("answerer", 2)]


def test_retract_unknown_key(gk: GuildKit) -> None:
    with pytest.raises(UnknownActivity) as info:
        gk.retract("nope")
    assert isinstance(info.value, LookupError)


def test_record_many_matches_one_by_one(gk: GuildKit) -> None:
    batch = [{"type": "answer.upvoted", "actor": f"v{n}", "target": "ann", "key": f"b:{n}"} for n in range(25)] + [
        {"type": "answer.posted", "actor": "ann", "key": f"bp:{n}"} for n in range(3)
    ]
    results = gk.record_many(batch)
    assert len(results) == 28
    assert gk.balance("ann", "reputation") == 200
    assert sum(r.points_for("ann", "reputation") for r in results) == 200
    assert sorted((a.badge_slug, a.level) for a in gk.badges("ann")) == [
        ("answerer", 1),
        ("centurion", 1),
        ("first-answer", 1),
    ]
    assert gk.roles("ann") == ["trusted"]
    again = gk.record_many([*batch[:2], {"type": "answer.posted", "actor": "ann", "key": "bp:new"}])
    assert [r.duplicate for r in again] == [True, True, False]
    assert gk.balance("ann", "reputation") == 200


def test_record_many_same_key_twice_in_one_batch(gk: GuildKit) -> None:
    item = {"type": "answer.upvoted", "actor": "bob", "target": "ann", "key": "k"}
    first, second = gk.record_many([item, dict(item)])
    assert not first.duplicate and second.duplicate
    assert gk.balance("ann", "reputation") == 10
    with pytest.raises(IdempotencyConflict):
        gk.record_many([item | {"key": "k2"}, item | {"key": "k2", "actor": "cat"}])
    assert gk.session.scalar(sa.select(Activity.id).where(Activity.key == "k2")) is None


def test_manual_award_and_revoke(gk: GuildKit) -> None:
    result = gk.award(
        "ann",
        points=50,
        point_type="reputation",
        badge="regular",
        role="trusted",
        reason="helped at the meetup",
        by="admin",
    )
    assert result.points_for("ann") == 50
    assert gk.roles("ann") == ["trusted"]
    assert [a.badge_slug for a in gk.badges("ann")] == ["regular"]
    assert gk.member("admin").status == "active"
    revoked = gk.revoke("ann", badge="regular", role="trusted", reason="mistake", by="admin")
    assert [(b.badge, b.granted) for b in revoked.badges] == [("regular", False)]
    assert gk.roles("ann") == [] and gk.badges("ann") == []
    undone = gk.retract(result.key, reason="award undone")
    assert undone.points_for("ann") == -49  # reputation's floor is 1
    assert gk.balance("ann", "reputation") == 1


def test_members_joined_explicitly(gk: GuildKit) -> None:
    member = gk.join("zoe")
    assert gk.join("zoe").id == member.id
    assert gk.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1


def test_suspended_members_earn_nothing(gk: GuildKit) -> None:
    gk.join("ann")
    gk.session.execute(sa.update(Member).where(Member.user_id == "ann").values(status="suspended"))
    gk.session.commit()
    result = gk.record("answer.upvoted", actor="bob", target="ann", key="v")
    assert result.points == ()
    assert gk.balances("ann") == {}


def test_awards_are_dated_when_earned_and_reversals_when_made(gk: GuildKit, gk_clock: Clock) -> None:
    earned = datetime(2025, 12, 24, 18, 0, tzinfo=UTC)
    gk.record("answer.posted", actor="ann", key="p", occurred_at=earned)
    gk.record("answer.upvoted", actor="bob", target="ann", key="u", occurred_at=earned)
    (award,) = (a for a in gk.badges("ann") if a.badge_slug == "first-answer")
    assert award.awarded_at == earned
    assert gk.ledger("ann", point_type="reputation")[0].created_at == earned
    gk.retract("u")
    assert gk.ledger("ann", point_type="reputation")[0].created_at == gk_clock.now


def test_retracting_a_gain_respects_the_floor(gk: GuildKit) -> None:
    upvote(gk, 1)
    for n in range(6):
        gk.record("answer.downvoted", actor=f"d{n}", target="ann", key=f"dv:{n}")
    assert gk.balance("ann", "reputation") == 1
    result = gk.retract("up:ann:1", reason="unvote")
    assert result.points_for("ann") == 0
    assert gk.balance("ann", "reputation") == 1
    assert gk.ledger("ann", limit=1)[0].reason == "retracted: unvote (floor of 1)"
    assert ledger_sum(gk, "ann", "reputation") == 1


def test_total_cap_over_all_time_and_retraction_gives_room_back(gk: GuildKit, gk_clock: Clock) -> None:
    from guildkit import PointsRule

    gk.define(rules=[PointsRule("edit-approved", "edit.approved", 2, "xp", total_cap=5)])
    amounts = []
    for n in range(4):
        gk_clock.advance(days=1)
        amounts.append(gk.record("edit.approved", actor="rev", target="ann", key=f"e{n}").points_for("ann", "xp"))
    assert amounts == [2, 2, 1, 0]
    assert "total cap reached" in gk.ledger("ann", limit=1)[0].reason
    gk.retract("e0")
    assert gk.record("edit.approved", actor="rev", target="ann", key="e9").points_for("ann", "xp") == 2
    assert gk.balance("ann", "xp") == 5


def test_members_are_told_in_app_with_the_award(gk: GuildKit) -> None:
    from guildkit.models import Notification

    gk.record("answer.posted", actor="ann", key="p1")
    gk.record("answer.posted", actor="ann", key="p2")
    for n in range(5):
        upvote(gk, n)
    member = gk.member("ann")

    def told() -> list[Notification]:
        query = sa.select(Notification).where(Notification.member_id == member.id).order_by(Notification.id)
        return list(gk.session.scalars(query).all())

    assert [(n.kind, n.text) for n in told()] == [
        ("badge_awarded", "You earned First Answer"),
        ("badge_awarded", "You earned Bronze Answerer"),
        ("level_up", "You reached Novice"),
        ("role_granted", "You are now Trusted"),
    ]
    # What it says is kept too, for each reader to read it in their language.
    said = {"message": "You earned %(tier)s %(badge)s", "values": {"tier": "Bronze", "badge": "Answerer"},
            "words": ["tier", "badge"]}  # fmt: skip
    assert told()[1].data == {"badge": "answerer", "level": 1, "tier": "bronze", "said": said}
    gk.mark_read("ann", up_to=told()[0].id)
    gk.retract("p2", reason="deleted")
    gk.retract("p1", reason="deleted")
    # Bronze was never read: earned and taken back cancel out (tests/test_notification_churn.py);
    # First Answer was read, so its loss is told.
    assert [(n.kind, n.text) for n in told()] == [
        ("badge_awarded", "You earned First Answer"),
        ("level_up", "You reached Novice"),
        ("role_granted", "You are now Trusted"),
        ("badge_revoked", "First Answer was taken back: retracted: deleted"),
    ]


def test_join_stores_the_display_name(gk: GuildKit) -> None:
    from guildkit import UserInfo

    assert gk.join("ann", name="Ann Smith").display_name == "Ann Smith"

    @gk.user_info_loader
    def info(user_id: str) -> UserInfo:
        return UserInfo(name=f"Loaded {user_id}")

    assert gk.join("bob").display_name == "Loaded bob"


def test_members_join_when_first_seen(gk: GuildKit, gk_clock: Clock) -> None:
    early = gk_clock.now - timedelta(days=30)
    gk.record_many(
        [
            {"type": "visit", "actor": "ann", "key": "v2", "occurred_at": early + timedelta(days=2)},
            {"type": "visit", "actor": "ann", "key": "v1", "occurred_at": early},
        ]
    )
    assert gk.member("ann").joined_at == early
    gk.record("visit", actor="bob", key="v3")
    assert gk.member("bob").joined_at == gk_clock.now


def test_set_status_is_recorded_and_stops_earning(gk: GuildKit) -> None:
    from guildkit import ValidationError

    gk.join("ann")
    result = gk.set_status("ann", "banned", reason="spam ring", by="mod")
    assert result.type == "guildkit.status"
    assert gk.member("ann").status == "banned"
    assert gk.record("answer.upvoted", actor="bob", target="ann", key="u").points == ()
    gk.set_status("ann", "active", reason="appeal")
    assert gk.record("answer.upvoted", actor="bob", target="ann", key="u2").points_for("ann") == 10
    with pytest.raises(ValidationError) as info:
        gk.set_status("ann", "asleep", reason="x")
    assert info.value.field == "status"


def test_admin_carries_every_permission(gk: GuildKit) -> None:
    gk.award("root", role="moderator", reason="staff")
    assert gk.has_permission("root", "members.manage") and not gk.has_permission("root", "roles.manage")
    gk.award("root", role="admin", reason="staff")
    assert gk.has_permission("root", "roles.manage") and gk.has_permission("root", "anything.at.all")
