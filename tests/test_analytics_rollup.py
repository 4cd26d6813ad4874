"""The KPI rollups give exactly what the queries over the raw tables give.

Every KPI is read through ``gk.analytics`` (which refreshes the rollups and reads them) and
compared with the query over the activity log, the ledger and the awards (the modules
``membership``, ``cohorts``, ``engagement`` and ``recognition``, kept for that), on a crafted
community in Berlin time: activities on both sides of a local midnight, a DST week, content and
replies, points and badges; then again after backfilled activities, retractions, status
changes and an erasure, and after each, the incrementally kept rows equal a fresh rebuild.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from guildkit import GuildKit
from guildkit.analytics import cohorts, engagement, membership, recognition, rollup, spans
from guildkit.analytics.periods import Range
from guildkit.analytics.settings import participation, type_matches, weight_expression
from guildkit.models import Activity, Member, table_of
from guildkit.testing import Clock

DAY = timedelta(days=1)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {
        "GUILDKIT_TIMEZONE": "Europe/Berlin",
        "GUILDKIT_ENGAGEMENT_WEIGHTS": {"*.posted": 3, "answer.upvoted": 2, "visit": 0.5, "*": 1},
    }


def ranges(gk: GuildKit) -> list[Range]:
    a = gk.analytics
    return [
        a.range(date(2026, 1, 1), date(2026, 1, 31), "day"),
        a.range(date(2026, 1, 3), date(2026, 4, 2), "week"),  # starts mid-week; the DST change
        a.range(date(2025, 12, 20), date(2026, 4, 10), "month"),
        a.range(date(2026, 2, 9), date(2026, 3, 10), "day"),
        a.range(date(2026, 3, 29), date(2026, 3, 29), "day"),  # the 23-hour day
        # Whole calendar buckets only (read from the calendar rows, no clipped edge).
        a.range(date(2026, 1, 5), date(2026, 3, 29), "week"),
        a.range(date(2026, 1, 1), date(2026, 3, 31), "month"),
        # Whole months and a clipped one (levels), 105 days by day, churn as of the last one.
        a.range(date(2026, 1, 1), date(2026, 4, 15), "day"),
    ]


def live(gk: GuildKit, kpi: str, rng: Range) -> Any:
    """The KPI from the raw tables, as before the rollups."""
    session, settings = gk.session, gk.analytics.settings
    if kpi == "activity":
        return membership.activity(session, rng, settings.content_types)
    if kpi == "actives":
        return membership.actives(session, rng)
    if kpi == "retention":
        return cohorts.retention(session, rng)
    if kpi == "churn":
        return cohorts.churn(session, rng, settings.at_risk_idle_days)
    if kpi == "first_response":
        return cohorts.first_response(session, rng, settings.content_types, settings.reply_types)
    if kpi == "levels":
        return engagement.levels(session, rng, settings.weights)
    assert kpi == "recognition"
    return recognition.recognition(session, rng)


KPIS = ("activity", "actives", "retention", "churn", "first_response", "levels", "recognition")


def assert_same(gk: GuildKit) -> None:
    for rng in ranges(gk):
        for kpi in KPIS:
            assert getattr(gk.analytics, kpi)(rng).out() == live(gk, kpi, rng).out(), (kpi, rng.start, rng.bucket)


def rows(gk: GuildKit) -> dict[str, list[tuple[Any, ...]]]:
    with gk.store.engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(sa.select(t))) for t in rollup.ROLLUP_TABLES}


def expected_spans(gk: GuildKit) -> dict[str, list[tuple[Any, ...]]]:
    """The calendar rows (guildkit/analytics/spans.py) worked out in Python from the activity log."""
    activities = table_of(Activity)
    settings = gk.analytics.settings
    found = gk.session.execute(
        sa.select(
            activities.c.actor_id,
            activities.c.occurred_at,
            type_matches(settings.content_types),
            weight_expression(settings.weights),
        ).where(participation())
    ).all()
    days: dict[tuple[int, int], list[float]] = {}  # (member, day) -> [content, score]
    for member, when, content, weight in found:
        day = rollup.day_of(when, gk.state.zone)
        totals = days.setdefault((member, day), [0, 0.0])
        totals[0] += 1 if content else 0
        totals[1] += float(weight)
    zone = gk.state.zone
    members = table_of(Member)
    found = gk.session.execute(sa.select(members.c.id, members.c.joined_at))
    joined = {m: spans.week_of(rollup.day_of(t, zone)) for m, t in found}
    weeks = {(member, spans.week_of(day), joined[member]) for member, day in days}
    per_cohort: dict[tuple[int, int], int] = {}
    for _, week, cohort in weeks:
        per_cohort[(week, cohort)] = per_cohort.get((week, cohort), 0) + 1
    months: dict[tuple[int, int], list[float]] = {}
    for (member, day), (content, score) in days.items():
        month = months.setdefault((spans.month_of(day), member), [0.0, 0])
        month[0] += score
        month[1] += content
    counts = []
    for span, start_of in (("day", lambda d: d), ("week", spans.week_of), ("month", spans.month_of)):
        active: dict[int, set[int]] = {}
        contributing: dict[int, set[int]] = {}
        for (member, day), (content, _) in days.items():
            active.setdefault(start_of(day), set()).add(member)
            if content:
                contributing.setdefault(start_of(day), set()).add(member)
        counts += [(span, start, len(who), len(contributing.get(start, ()))) for start, who in active.items()]
    return {
        "guildkit_analytics_member_weeks": sorted(weeks),
        "guildkit_analytics_cohort_weeks": sorted((w, c, n) for (w, c), n in per_cohort.items()),
        "guildkit_analytics_member_months": sorted((m, k, s, c) for (m, k), (s, c) in months.items()),
        "guildkit_analytics_period_counts": sorted(counts),
    }


def assert_spans_as_expected(gk: GuildKit) -> None:
    assert gk.analytics.refresh().current
    kept = rows(gk)
    for table, expected in expected_spans(gk).items():
        assert kept[table] == expected, table


def assert_same_as_rebuilt(gk: GuildKit) -> None:
    kept = rows(gk)
    assert gk.analytics.refresh(rebuild=True).rebuilt
    assert rows(gk) == kept


def join(gk: GuildKit, clock: Clock, user: str, when: datetime) -> None:
    clock.set(when)
    gk.join(user, name=user.title())


@pytest.fixture
def community(gk: GuildKit, gk_clock: Clock) -> GuildKit:
    """Eight members over three months, with posts, replies, votes and visits."""
    joined = {
        "ann": at(2025, 12, 28, 10),
        "bob": at(2026, 1, 1, 11),
        "cat": at(2026, 1, 4, 22, 30),  # 23:30 on Sunday the 4th in Berlin: the first week's cohort
        "dan": at(2026, 1, 4, 23, 30),  # 00:30 on Monday the 5th: the next week's
        "eve": at(2026, 1, 20, 9),
        "fay": at(2026, 2, 2, 9),
        "gus": at(2026, 2, 27, 23, 15),  # 28 Feb in Berlin
        "hal": at(2026, 3, 28, 23, 30),  # 29 Mar, the DST day
    }
    for user, when in joined.items():
        join(gk, gk_clock, user, when)
    batch: list[dict[str, Any]] = []

    def act(kind: str, actor: str, when: datetime, target: str | None = None) -> None:
        item = {"type": kind, "key": f"{kind}:{actor}:{len(batch)}", "actor": actor, "occurred_at": when}
        if target:
            item["target"] = target
        batch.append(item)

    start = at(2026, 1, 1, 8)
    users = list(joined)
    for day in range(100):
        moment = start + day * DAY
        for n, user in enumerate(users):
            if moment < joined[user] or (day + n) % (n + 2):
                continue
            act("visit", user, moment + timedelta(hours=n))
            if (day + n) % 5 == 0:
                act("question.posted", user, moment + timedelta(hours=n, minutes=5))
            if (day + n) % 7 == 0:
                other = users[(n + 1) % len(users)]
                act("answer.posted", user, moment + timedelta(hours=n, minutes=30), target=other)
                act("answer.upvoted", other, moment + timedelta(hours=n + 1), target=user)
    # Around local midnights: 22:59 and 23:00 UTC on 31 January are 23:59 and 00:00 in Berlin.
    act("comment.posted", "bob", at(2026, 1, 31, 22, 59), target="ann")
    act("comment.posted", "cat", at(2026, 1, 31, 23, 0), target="ann")
    act("visit", "hal", at(2026, 3, 29, 21, 59))  # 23:59 CEST on the 23-hour day
    act("visit", "hal", at(2026, 3, 29, 22, 0))  # 00:00 on the 30th
    gk_clock.set(at(2026, 4, 15, 12))
    gk.record_many(batch)
    gk.retract(batch[3]["key"], reason="test")
    return gk


def test_every_kpi_equals_the_raw_query(community: GuildKit) -> None:
    assert_same(community)
    assert_spans_as_expected(community)
    state = community.analytics.refresh()
    assert (state.current, state.note) == (True, "already current")


def test_changes_to_past_days_are_taken_in(community: GuildKit, gk_clock: Clock) -> None:
    gk = community
    assert_same(gk)
    keys = [k for (k,) in gk.session.execute(sa.text("SELECT key FROM guildkit_activities ORDER BY id"))]
    # Retractions of old activities, one of them a member's first post; a backfill into January
    # (before the member's first post, moving it and the first reply) and onto a day nobody was
    # active; a reply to the newest member.
    for key in [k for k in keys if k.startswith("question.posted")][:3]:
        gk.retract(key, reason="spam")
    gk.retract(next(k for k in keys if k.startswith("answer.upvoted")), reason="unvote")
    gk.record("question.posted", key="late-1", actor="eve", occurred_at=at(2026, 1, 20, 10))
    gk.record("visit", key="late-2", actor="dan", occurred_at=at(2026, 1, 2, 23, 30))
    gk.record("answer.posted", key="late-3", actor="ann", target="hal", occurred_at=at(2026, 3, 30, 9))
    gk.record("visit", key="late-4", actor="fay", occurred_at=at(2026, 2, 3, 9))  # recorded and retracted
    gk.retract("late-4", reason="test")  # between two refreshes
    assert_same(gk)
    assert_spans_as_expected(gk)
    assert_same_as_rebuilt(gk)
    # A retraction, after a refresh, of dan's only day in a week (and month): his rows there go.
    gk.retract("late-2", reason="test")
    assert_same(gk)
    assert_spans_as_expected(gk)
    assert_same_as_rebuilt(gk)
    # Status changes and an erasure alter members, cohorts, churn and levels for past ranges.
    gk.set_status("bob", "suspended", reason="test")
    gk.set_status("cat", "banned", reason="test")
    gk.privacy.erase("dan", confirm=True, via="account-deletion", reason="asked")
    assert_same(gk)
    assert_same_as_rebuilt(gk)


def test_new_activity_today_is_read_at_once(community: GuildKit, gk_clock: Clock) -> None:
    gk = community
    rng = gk.analytics.range(date(2026, 4, 1), date(2026, 4, 15), "day")
    before = gk.analytics.activity(rng).rows[-1].activities
    gk.record("visit", key="today", actor="ann", occurred_at=at(2026, 4, 15, 11))
    assert gk.analytics.activity(rng).rows[-1].activities == before + 1
    assert_same(gk)


def test_a_refresh_is_idempotent_and_rebuilds_when_settings_change(community: GuildKit, gk_app: Any) -> None:
    gk = community
    first = gk.analytics.refresh()
    kept = rows(gk)
    assert gk.analytics.refresh().note == "already current" and rows(gk) == kept
    gk_app.config["GUILDKIT_ENGAGEMENT_WEIGHTS"] = {"*": 1}
    assert gk.analytics.refresh().rebuilt
    assert_same(gk)
    assert first.current


def test_the_cli_command_refreshes(community: GuildKit, gk_app: Any) -> None:
    import json

    result = gk_app.test_cli_runner().invoke(args=["guildkit", "analytics", "rollup", "--rebuild"])
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)
    assert done["rebuilt"] and done["current"] and done["activities"] > 100
    again = gk_app.test_cli_runner().invoke(args=["guildkit", "analytics", "rollup"])
    assert json.loads(again.output)["note"] == "already current"


def test_postgresql_reads_live_while_a_writer_holds_the_activity_log(
    community: GuildKit, gk_backend: str, gk_clock: Clock
) -> None:
    if gk_backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite refreshes under its write lock")
    gk = community
    rng = gk.analytics.range(date(2026, 4, 1), date(2026, 4, 15), "day")
    gk.record("visit", key="committed", actor="ann", occurred_at=at(2026, 4, 15, 9))
    with gk.store.engine.connect() as writer:
        writer.execute(sa.text("LOCK TABLE guildkit_activities IN ROW EXCLUSIVE MODE"))
        done = gk.analytics.refresh()
        assert (done.current, done.activities) == (False, 0)
        # The rollups are behind, so the KPI is read from the raw tables: still exact.
        assert gk.analytics.activity(rng).out() == live(gk, "activity", rng).out()
        writer.rollback()
    assert gk.analytics.refresh().current
    assert_same(gk)
