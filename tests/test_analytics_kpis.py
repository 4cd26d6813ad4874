"""Community health KPIs on crafted data, with exact numbers: buckets in the community's time zone
(an activity at 23:30 UTC lands on the next local day in Berlin and on the same day in New York; a
DST week), growth, activity, DAU/WAU/MAU, retention, churn and at-risk lists, time to first
response, engagement levels, recognition and programmes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guildkit import GuildKit
from guildkit.analytics.periods import make_range
from guildkit.errors import ValidationError
from guildkit.testing import Clock

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_TIMEZONE": "Europe/Berlin"}


def join(gk: GuildKit, clock: Clock, user: str, when: datetime) -> None:
    clock.set(when)
    gk.join(user, name=user.title())


@pytest.fixture
def week_one(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    """Four members and a handful of activities in the first week of January 2026 (Berlin: UTC+1)."""
    join(gk, gk_clock, "ann", at(2026, 1, 1, 10))
    join(gk, gk_clock, "bob", at(2026, 1, 1, 11))
    join(gk, gk_clock, "cat", at(2026, 1, 3, 10))
    join(gk, gk_clock, "dan", at(2026, 1, 5, 23, 30))  # 00:30 on 6 January in Berlin
    gk.record("answer.posted", key="a1", actor="ann", occurred_at=at(2026, 1, 2, 9))
    gk.record("question.posted", key="q1", actor="bob", occurred_at=at(2026, 1, 2, 12))
    gk.record("visit", key="v1", actor="cat", occurred_at=at(2026, 1, 3, 11))
    gk.record("visit", key="v2", actor="cat", occurred_at=at(2026, 1, 3, 12))
    # 23:30 UTC on the 5th is 00:30 on the 6th in Berlin.
    gk.record("answer.upvoted", key="u1", actor="ann", target="bob", occurred_at=at(2026, 1, 5, 23, 30))
    gk.record("visit", key="gone", actor="dan", occurred_at=at(2026, 1, 6, 9))
    gk.retract("gone", reason="test")  # retracted: not counted
    gk_clock.set(at(2026, 1, 7, 12))
    return gk


def test_periods_are_local_days_weeks_and_months() -> None:
    days = make_range(date(2026, 3, 28), date(2026, 3, 30), "day", BERLIN, date(2026, 3, 30))
    # 29 March 2026 is 23 hours long in Berlin (clocks go forward at 02:00).
    assert [(p.end_at - p.start_at) / timedelta(hours=1) for p in days.periods] == [24, 23, 24]
    assert days.periods[1].start_at == at(2026, 3, 28, 23) and days.periods[1].end_at == at(2026, 3, 29, 22)
    weeks = make_range(date(2026, 1, 1), date(2026, 1, 14), "week", BERLIN, date(2026, 1, 14))
    assert [(p.label, p.start, p.end) for p in weeks.periods] == [
        ("2025-12-29", date(2026, 1, 1), date(2026, 1, 4)),
        ("2026-01-05", date(2026, 1, 5), date(2026, 1, 11)),
        ("2026-01-12", date(2026, 1, 12), date(2026, 1, 14)),
    ]
    months = make_range(date(2025, 12, 15), date(2026, 2, 3), "month", BERLIN, date(2026, 2, 3))
    assert [p.label for p in months.periods] == ["2025-12", "2026-01", "2026-02"]
    assert months.periods[0].start_at == at(2025, 12, 14, 23)
    assert make_range(None, None, "day", BERLIN, date(2026, 1, 30)).start == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("start", "end", "bucket", "field"),
    [
        (date(2026, 1, 2), date(2026, 1, 1), "day", "end"),
        (None, None, "year", "bucket"),
        (date(1900, 1, 1), None, "day", "start"),
        (date(2020, 1, 1), date(2026, 1, 1), "day", "bucket"),  # too many buckets
    ],
)
def test_bad_ranges_name_the_field(start: date | None, end: date | None, bucket: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make_range(start, end, bucket, BERLIN, date(2026, 1, 7))
    assert caught.value.field == field


def test_growth_and_activity_by_local_day(week_one: GuildKit) -> None:
    analytics = week_one.analytics
    rng = analytics.range(date(2026, 1, 1), date(2026, 1, 7), "day")
    growth = analytics.growth(rng)
    assert [(r.period.label, r.new_members, r.total_members) for r in growth.rows] == [
        ("2026-01-01", 2, 2),
        ("2026-01-02", 0, 2),
        ("2026-01-03", 1, 3),
        ("2026-01-04", 0, 3),
        ("2026-01-05", 0, 3),
        ("2026-01-06", 1, 4),  # dan joined at 23:30 UTC on the 5th
        ("2026-01-07", 0, 4),
    ]
    activity = analytics.activity(rng)
    rows = {r.period.label: r for r in activity.rows}
    # Joining (guildkit.joined) is bookkeeping, not activity; the retracted visit does not count.
    assert [r.active_members for r in activity.rows] == [0, 2, 1, 0, 0, 1, 0]
    assert (rows["2026-01-02"].engagement_rate, rows["2026-01-02"].contributing_members) == (1.0, 2)
    assert (rows["2026-01-03"].engagement_rate, rows["2026-01-03"].contributing_rate) == (0.3333, 0.0)
    assert (rows["2026-01-03"].activities, rows["2026-01-03"].by_type) == (2, {"visit": 2})
    assert rows["2026-01-06"].by_type == {"answer.upvoted": 1} and rows["2026-01-06"].engagement_rate == 0.25
    assert rows["2026-01-05"].activities == 0
    assert activity.types == ["answer.posted", "answer.upvoted", "question.posted", "visit"]


def test_a_negative_offset_zone_counts_the_same_instant_on_the_earlier_day(week_one: GuildKit) -> None:
    from guildkit.analytics import membership

    rng = make_range(date(2026, 1, 5), date(2026, 1, 6), "day", ZoneInfo("America/New_York"), date(2026, 1, 6))
    activity = membership.activity(week_one.session, rng, ("*.posted",))
    # 23:30 UTC on the 5th is 18:30 on the 5th in New York.
    assert [(r.period.label, r.active_members) for r in activity.rows] == [("2026-01-05", 1), ("2026-01-06", 0)]


def test_weeks_and_the_dst_week(gk: GuildKit, gk_clock: Clock) -> None:
    join(gk, gk_clock, "ann", at(2026, 3, 1, 12))
    gk.record("visit", key="before", actor="ann", occurred_at=at(2026, 3, 29, 21, 30))  # 23:30 CEST, Sunday
    gk.record("visit", key="after", actor="ann", occurred_at=at(2026, 3, 29, 22, 30))  # 00:30 CEST, Monday
    gk.record("visit", key="first", actor="ann", occurred_at=at(2026, 3, 22, 23, 30))  # 00:30 CET, Monday 23rd
    rng = gk.analytics.range(date(2026, 3, 23), date(2026, 4, 5), "week")
    activity = gk.analytics.activity(rng)
    assert [(r.period.label, r.activities) for r in activity.rows] == [("2026-03-23", 2), ("2026-03-30", 1)]


def test_actives_and_stickiness(week_one: GuildKit) -> None:
    actives = week_one.analytics.actives(week_one.analytics.range(date(2026, 1, 1), date(2026, 1, 7)))
    assert (actives.as_of, actives.dau, actives.wau, actives.mau) == (date(2026, 1, 7), 0, 3, 3)
    # Daily actives over the 30 days: 2 (2nd) + 1 (3rd) + 1 (6th) = 4; mean 4/30; ÷ MAU 3.
    assert (actives.mean_dau, actives.stickiness) == (0.13, 0.0444)
    assert [n for d, n in actives.daily if n] == [2, 1, 1] and len(actives.daily) == 30
    on_sixth = week_one.analytics.actives(week_one.analytics.range(date(2026, 1, 1), date(2026, 1, 6)))
    assert (on_sixth.dau, on_sixth.wau) == (1, 3)


def test_cohort_retention(week_one: GuildKit) -> None:
    week_one.record("visit", key="dan-w2", actor="dan", occurred_at=at(2026, 1, 13, 10))
    week_one.record("visit", key="bob-w3", actor="bob", occurred_at=at(2026, 1, 12, 10))
    retention = week_one.analytics.retention(week_one.analytics.range(date(2026, 1, 1), date(2026, 1, 14), "day"))
    assert [(c.period.label, c.size, c.active) for c in retention.cohorts] == [
        ("2025-12-29", 3, [3, 1, 1]),  # ann, bob, cat; ann in week 1 (6 Jan); bob in week 2
        ("2026-01-05", 1, [0, 1]),  # dan: retracted in his first week, back in the next
        ("2026-01-12", 0, [0]),
    ]
    assert retention.cohorts[0].rates == [1.0, 0.3333, 0.3333]
    assert retention.cohorts[2].rates == [None]
    assert retention.table().rows[1] == ["2026-01-05", date(2026, 1, 5), date(2026, 1, 11), 1, 0, 1, None]


def test_churn_and_at_risk_lists(gk: GuildKit, gk_clock: Clock) -> None:
    for name in ("ann", "bob", "cat", "dan", "eve", "fay"):
        join(gk, gk_clock, name, at(2026, 1, 1, 12))
    for name in ("ann", "bob", "dan", "eve", "fay"):
        gk.record("visit", key=f"jan:{name}", actor=name, occurred_at=at(2026, 1, 20, 12))
    gk.record("visit", key="bob:feb", actor="bob", occurred_at=at(2026, 2, 15, 12))
    gk.record("visit", key="cat:mar", actor="cat", occurred_at=at(2026, 3, 5, 12))
    gk.record("visit", key="dan:mar", actor="dan", occurred_at=at(2026, 3, 9, 12))
    gk.record("visit", key="eve:edge", actor="eve", occurred_at=at(2026, 2, 8, 23, 30))  # 9 Feb, 00:30 in Berlin
    gk.set_status("fay", "banned", reason="spam")  # not someone to win back
    churn = gk.analytics.churn(gk.analytics.range(date(2026, 3, 1), date(2026, 3, 10)))
    # Last 30 days: 9 Feb - 10 Mar; the 30 before: 10 Jan - 8 Feb; idle: 25 Feb - 10 Mar.
    assert (churn.previously_active, churn.churned, churn.at_risk, churn.churn_rate) == (4, 1, 2, 0.25)
    assert [m.user_id for m in churn.churned_members] == ["ann"]
    assert [(m.user_id, m.last_active_at, m.activities) for m in churn.at_risk_members] == [
        ("eve", at(2026, 2, 8, 23, 30), 2),
        ("bob", at(2026, 2, 15, 12), 2),
    ]
    assert churn.table().rows[0] == ["churned", "ann", "Ann", "2026-01-20T12:00:00+00:00", 1]


def test_time_to_first_response(gk: GuildKit, gk_clock: Clock) -> None:
    for name in ("ann", "bob", "cat"):
        join(gk, gk_clock, name, at(2026, 1, 5, 12))
    join(gk, gk_clock, "dan", at(2026, 1, 12, 12))
    gk.record("question.posted", key="q-ann", actor="ann", subject="q:1", occurred_at=at(2026, 1, 6, 10))
    gk.record("answer.posted", key="self", actor="ann", target="ann", occurred_at=at(2026, 1, 6, 11))  # own: no
    gk.record("answer.posted", key="r-ann", actor="bob", target="ann", occurred_at=at(2026, 1, 6, 13))  # 3 h
    gk.record("question.posted", key="q-cat", actor="cat", occurred_at=at(2026, 1, 7, 10))
    gk.record("comment.posted", key="r-cat", actor="ann", target="cat", occurred_at=at(2026, 1, 8, 4))  # 18 h
    gk.record("question.posted", key="q-dan", actor="dan", occurred_at=at(2026, 1, 13, 10))  # no reply
    gk_clock.set(at(2026, 1, 20, 12))
    response = gk.analytics.first_response(gk.analytics.range(date(2026, 1, 5), date(2026, 1, 18), "week"))
    # bob's first content is his reply to ann; nobody replied to him.
    assert [(r.newcomers, r.posted, r.answered, r.median_hours, r.mean_hours) for r in response.rows] == [
        (3, 3, 2, 10.5, 10.5),
        (1, 1, 0, None, None),
    ]
    assert response.median_hours == 10.5


def test_engagement_levels_with_weights_and_ties(gk: GuildKit, gk_clock: Clock, gk_app: Any) -> None:
    gk_app.config["GUILDKIT_ENGAGEMENT_WEIGHTS"] = {"answer.posted": 5, "*.upvoted": 2, "*": 1}
    visits = {"m1": 10, "m2": 9, "m3": 8, "m4": 8, "m5": 7, "m6": 6, "m7": 5, "m8": 4, "m9": 3, "m10": 0}
    for user in (*visits, "idle"):
        join(gk, gk_clock, user, at(2026, 1, 1, 12))
    batch = [
        {"type": "visit", "key": f"{u}:{n}", "actor": u, "occurred_at": at(2026, 1, 2, 12)}
        for u, count in visits.items()
        for n in range(count)
    ]
    batch.append({"type": "answer.posted", "key": "m10:a", "actor": "m10", "occurred_at": at(2026, 1, 2, 12)})
    batch.append(
        {"type": "answer.upvoted", "key": "m10:u", "actor": "m10", "target": "m1", "occurred_at": at(2026, 1, 2, 12)}
    )
    gk.record_many(batch)
    levels = gk.analytics.levels(gk.analytics.range(date(2026, 1, 1), date(2026, 1, 7)))
    # Scores: 10, 9, 8, 8, 7 (m10: 5 + 2), 7 (m5), 6, 5, 4, 3 → 10 scored members, 11 in all.
    summary = [(lv.level, lv.members, lv.min_score, [s.user_id for s in lv.top]) for lv in levels.levels]
    assert summary == [
        (1, 1, 10, ["m1"]),
        (2, 3, 8, ["m2", "m3", "m4"]),  # the top 35% is 4 members (rounded up): m2-m4
        (3, 6, 3, ["m5", "m10", "m6", "m7", "m8", "m9"]),
        (4, 1, None, []),
    ]
    assert levels.total_members == 11 and levels.levels[0].share == 0.0909


def test_ties_never_split_a_level(gk: GuildKit, gk_clock: Clock) -> None:
    for user in ("a", "b", "c"):
        join(gk, gk_clock, user, at(2026, 1, 1, 12))
        gk.record("visit", key=f"{user}:1", actor=user, occurred_at=at(2026, 1, 2, 12))
    levels = gk.analytics.levels(gk.analytics.range(date(2026, 1, 1), date(2026, 1, 7)))
    assert [lv.members for lv in levels.levels] == [3, 0, 0, 0]


def test_recognition_points_awards_and_rarity(week_one: GuildKit) -> None:
    week_one.record("answer.upvoted", key="u2", actor="cat", target="ann", occurred_at=at(2026, 1, 6, 9))
    week_one.retract("u2", reason="unvote")
    recognition = week_one.analytics.recognition(week_one.analytics.range(date(2026, 1, 1), date(2026, 1, 7), "week"))
    assert recognition.point_types == ["reputation", "xp"]
    # Week 1: ann's answer (5 xp) and her First Answer badge; week 2: two upvotes (+10 each), one
    # retracted: -9, not -10, as reputation's floor of 1 outranks exactness.
    assert recognition.points == [{"xp": (5, 0)}, {"reputation": (20, 9)}]
    assert recognition.awards == [1, 0]
    rarity = {r.badge: (r.holders, r.share) for r in recognition.rarity}
    assert rarity["first-answer"] == (1, 0.25) and rarity["regular"] == (0, 0.0)
    assert recognition.table().rows[1] == ["2026-01-05", date(2026, 1, 5), date(2026, 1, 7), 0, 20, 9, 0, 0]


def test_programmes_count_moderation_per_period(week_one: GuildKit, gk_clock: Clock) -> None:
    gk_clock.set(at(2026, 1, 6, 10))
    week_one.moderation.report("ann", subject="q:1", user_id="bob", category="spam", comment="ads")
    week_one.moderation.report("cat", subject="q:2", user_id="bob", category="spam", comment="more ads")
    programmes = week_one.analytics.programmes(week_one.analytics.range(date(2026, 1, 1), date(2026, 1, 7), "week"))
    assert [r["reports"] for r in programmes.rows] == [0, 2]
    assert all(r["events_held"] == 0 and r["mentorships_started"] == 0 for r in programmes.rows)
