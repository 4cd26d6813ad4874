"""Streaks done properly (guildkit/streaks, docs/streaks.md): days in the member's time zone,
freezes (earned, granted, used by themselves on a missed day), absences, recounts that keep
bridged gaps without spending twice, bad input refused with nothing written, and the streak
badges of before, with the feature on and off. Each test runs on every backend (``gk_backend``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from guildkit import GuildKit, hookimpl
from guildkit.errors import NotAllowed, UnknownMember, ValidationError
from guildkit.models import Counter, Notification, table_of
from guildkit.streaks.hookspecs import FreezeUsed
from guildkit.streaks.models import Absence, FreezeLogEntry, StreakFreezes
from guildkit.testing import Clock, make_app
from tests.plugins import qa_rules

COUNTERS = table_of(Counter)
LOG = table_of(FreezeLogEntry)
ABSENCES = table_of(Absence)
FREEZES = table_of(StreakFreezes)
NOTIFICATIONS = table_of(Notification)
#: Day 0 of the tests, a Monday.
DAY0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


def on(day: int, hour: int = 9) -> datetime:
    return DAY0.replace(hour=hour) + timedelta(days=day)


def visit(gk: GuildKit, clock: Clock, user: str, day: int, hour: int = 9) -> None:
    clock.set(on(day, hour))
    gk.record("visit", actor=user, key=f"visit:{user}:{day}:{hour}")


def counters(gk: GuildKit, user: str) -> tuple[int, int]:
    """(current, best) of the user's visit streak."""
    member = gk.member(user).id
    with gk.store.engine.connect() as conn:
        values = dict(
            conn.execute(
                sa.select(COUNTERS.c.name, COUNTERS.c.value).where(
                    COUNTERS.c.member_id == member, COUNTERS.c.name.like("streak:visit:actor:%")
                )
            ).all()
        )
    return values.get("streak:visit:actor:current", 0), values.get("streak:visit:actor:best", 0)


def count(gk: GuildKit, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with gk.store.engine.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.count()).select_from(table).where(*where)) or 0)


def used_days(gk: GuildKit) -> list[date]:
    with gk.store.engine.connect() as conn:
        return list(conn.scalars(sa.select(LOG.c.day).where(LOG.c.kind == "used").order_by(LOG.c.day)))


@pytest.fixture
def ann(gk: GuildKit, gk_clock: Clock) -> str:
    gk_clock.set(DAY0 - timedelta(days=10))
    gk.join("ann", name="Ann")
    gk.join("bob", name="Bob")
    return "ann"


# -- the member's day -----------------------------------------------------------------------


def test_a_berlin_member_at_2330_utc_is_on_the_next_day(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    gk.preferences.set("ann", time_zone="Europe/Berlin")
    # 23:30 UTC on day 0 is 00:30 on day 1 in Berlin; then day 2 at noon: two days in a row.
    for user in ("ann", "bob"):
        visit(gk, gk_clock, user, 0, 23)
        gk_clock.set(on(0, 23).replace(minute=30))
        gk.record("visit", actor=user, key=f"late:{user}", occurred_at=on(0, 23).replace(minute=30))
        visit(gk, gk_clock, user, 2, 12)
    # ann (Berlin): day 1 (00:00 and 00:30), day 2; bob (UTC): day 0, then day 2 after a gap.
    assert counters(gk, "ann") == (2, 2)
    assert counters(gk, "bob") == (1, 1)


# -- freezes ---------------------------------------------------------------------------------


def test_a_freeze_bridges_a_missed_day_and_the_streak_badge_still_comes(
    gk: GuildKit, gk_clock: Clock, ann: str
) -> None:
    assert gk.streaks.grant_freezes("ann", 1, reason="welcome") == 1
    visit(gk, gk_clock, "ann", 0)
    visit(gk, gk_clock, "ann", 1)
    gk_clock.set(on(3))
    result = gk.record("visit", actor="ann", key="visit:ann:3")  # day 2 missed
    assert [(b.badge, b.level) for b in result.badges] == [("regular", 1)]  # 3 active days, a freeze between
    assert counters(gk, "ann") == (3, 3)
    assert gk.streaks.held("ann") == 0
    assert used_days(gk) == [on(2).date()]
    assert count(gk, NOTIFICATIONS, NOTIFICATIONS.c.kind == "streaks.freeze_used") == 1
    overview = gk.streaks.overview("ann")
    assert overview.streaks[0].current == 3 and overview.streaks[0].last_frozen == on(2).date()
    assert [e.kind for e in overview.history] == ["used", "granted"]


def test_a_gap_longer_than_the_freezes_held_breaks_and_spends_nothing(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    gk.streaks.grant_freezes("ann", 1, reason="welcome")
    visit(gk, gk_clock, "ann", 0)
    visit(gk, gk_clock, "ann", 1)
    visit(gk, gk_clock, "ann", 4)  # days 2 and 3 missed: one freeze is not enough
    assert counters(gk, "ann") == (1, 2)
    assert gk.streaks.held("ann") == 1
    assert used_days(gk) == []


def test_an_absence_bridges_without_spending(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    gk.streaks.grant_freezes("ann", 1, reason="welcome")
    visit(gk, gk_clock, "ann", 0)
    gk.streaks.declare_absence("ann", on(1).date(), on(2).date().isoformat())
    visit(gk, gk_clock, "ann", 3)
    visit(gk, gk_clock, "ann", 5)  # day 4 missed: the freeze covers it
    assert counters(gk, "ann") == (3, 3)
    assert gk.streaks.held("ann") == 0
    assert used_days(gk) == [on(4).date()]


@pytest.mark.parametrize("gk_config", [{"GUILDKIT_STREAKS_FREEZE_EVERY": 2}])
def test_freezes_are_earned_every_n_days_up_to_the_most_held(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    for day in range(7):
        visit(gk, gk_clock, "ann", day)
        visit(gk, gk_clock, "ann", day, 10)  # a second visit on a day earns nothing more
        if day == 1:
            assert gk.streaks.held("ann") == 1
    assert gk.streaks.held("ann") == 2  # days 2, 4 and 6; the most held is 2
    assert count(gk, LOG, LOG.c.kind == "earned") == 2
    assert count(gk, NOTIFICATIONS, NOTIFICATIONS.c.kind == "streaks.freeze_earned") == 2


def test_granted_freezes_go_beyond_the_most_earned(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    gk.award("mo", role="admin", reason="staff")
    assert gk.streaks.grant_freezes("ann", 3, reason="for the outage", by="mo") == 3
    assert gk.streaks.grant_freezes("ann", reason="and one more") == 4
    granted = [e for e in gk.streaks.overview("ann").history if e.kind == "granted"]
    assert [(e.count, e.reason, e.by) for e in granted] == [(1, "and one more", None), (3, "for the outage", "mo")]


def test_a_recount_keeps_bridged_gaps_without_spending_twice(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    gk.streaks.grant_freezes("ann", 2, reason="welcome")
    for day in (0, 1, 3, 4):  # day 2 bridged by a freeze
        visit(gk, gk_clock, "ann", day)
    assert counters(gk, "ann") == (4, 4) and gk.streaks.held("ann") == 1
    gk.retract("visit:ann:0:9", reason="bot")  # a recount: days 1, (2), 3, 4
    assert counters(gk, "ann") == (3, 3)
    # An earlier day arriving late recounts too: day 0 again, then 1, (2), 3, 4.
    gk.record("visit", actor="ann", key="late:0", occurred_at=on(0))
    assert counters(gk, "ann") == (4, 4)
    assert gk.streaks.held("ann") == 1 and used_days(gk) == [on(2).date()]


def test_a_rule_change_replay_keeps_bridged_gaps_and_members_days(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    """Replaying the history (a rule change) counts each member's days in their own time zone
    and keeps the gaps the live database bridged, spending nothing: the same rules change no one."""
    gk.streaks.grant_freezes("ann", 1, reason="welcome")
    for day in (0, 1, 3):  # day 2 bridged: the "regular" badge came with the third day
        visit(gk, gk_clock, "ann", day)
    gk.preferences.set("bob", time_zone="Pacific/Auckland")  # UTC+13 in March
    # UTC days 0, 1, 2 (three in a row) are Auckland days 1, 1, 2: two in a row, no badge.
    for day, hour in ((0, 23), (1, 1), (2, 9)):
        visit(gk, gk_clock, "bob", day, hour)
    live = {user: (counters(gk, user), [b.badge_slug for b in gk.badges(user)]) for user in ("ann", "bob")}
    assert live == {"ann": ((3, 3), ["regular"]), "bob": ((2, 2), [])}

    assert gk.rules.preview().members == []
    gk.rules.apply()
    assert {user: (counters(gk, user), [b.badge_slug for b in gk.badges(user)]) for user in ("ann", "bob")} == live
    assert gk.streaks.held("ann") == 0 and used_days(gk) == [on(2).date()]


def test_with_the_feature_off_streaks_and_their_badges_work_as_before(tmp_path: Path, gk_backend: str) -> None:
    clock = Clock()
    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.streaks"]}
    with make_app(gk_backend, tmp_path, config=config, plugins=(qa_rules,), clock=clock) as (_app, gk):
        for day in (0, 1, 3, 4):  # a gap after day 1 breaks it: nobody bridges
            visit(gk, clock, "ann", day)
        assert gk.badges("ann") == [] and counters(gk, "ann") == (2, 2)
        clock.set(on(5))
        result = gk.record("visit", actor="ann", key="visit:5")
        assert [(b.badge, b.level) for b in result.badges] == [("regular", 1)]


# -- bad input -----------------------------------------------------------------------------


def test_bad_absences_are_refused_naming_every_field_and_nothing_is_written(
    gk: GuildKit, gk_clock: Clock, ann: str
) -> None:
    gk_clock.set(on(5))
    with pytest.raises(ValidationError) as refused:
        gk.streaks.declare_absence("ann", on(4).date(), on(3).date())  # in the past, and ends before it starts
    assert set(refused.value.errors or {}) == {"starts_on", "ends_on"}
    with pytest.raises(ValidationError) as refused:
        gk.streaks.declare_absence("ann", on(6).date(), on(6 + 30).date())  # 31 days
    assert refused.value.field == "ends_on"
    with pytest.raises(ValidationError) as refused:
        gk.streaks.declare_absence("ann", "tomorrow", on(6).date())
    assert refused.value.field == "starts_on"
    gk.streaks.declare_absence("ann", on(6).date(), on(8).date())
    with pytest.raises(ValidationError) as refused:
        gk.streaks.declare_absence("ann", on(8).date(), on(9).date())  # overlaps
    assert refused.value.field == "starts_on"
    assert count(gk, ABSENCES) == 1


def test_bad_grants_are_refused_and_nothing_is_written(gk: GuildKit, ann: str) -> None:
    with pytest.raises(UnknownMember):
        gk.streaks.grant_freezes("nobody", 1, reason="why not")
    with pytest.raises(NotAllowed):
        gk.streaks.grant_freezes("ann", 1, reason="from a friend", by="bob")
    with pytest.raises(ValidationError) as refused:
        gk.streaks.grant_freezes("ann", 0, reason=" ")
    assert set(refused.value.errors or {}) == {"count", "reason"}
    assert count(gk, LOG) == 0 and count(gk, FREEZES) == 0


def test_only_a_future_absence_can_be_cancelled(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    from guildkit.streaks.errors import AbsenceStarted, UnknownAbsence

    gk_clock.set(on(0))
    today = gk.streaks.declare_absence("ann", on(0).date(), on(1).date())
    later = gk.streaks.declare_absence("ann", on(3).date(), on(4).date())
    with pytest.raises(AbsenceStarted):
        gk.streaks.cancel_absence("ann", today.id)
    with pytest.raises(UnknownAbsence):
        gk.streaks.cancel_absence("bob", later.id)
    gk.streaks.cancel_absence("ann", later.id)
    assert [a.id for a in gk.streaks.overview("ann").absences] == [today.id]


def test_data_rights_export_and_erase(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    gk.streaks.grant_freezes("ann", 2, reason="welcome")
    gk_clock.set(on(0))
    gk.streaks.declare_absence("ann", on(2).date(), on(3).date())
    section = gk.privacy.export("ann")["plugins"]["streaks"]
    assert section["freezes_held"] == 2 and len(section["freezes"]) == 1 and len(section["absences"]) == 1
    gk.privacy.erase("ann", confirm=True)
    assert count(gk, LOG) == count(gk, ABSENCES) == count(gk, FREEZES) == 0


# -- the hooks --------------------------------------------------------------------------------


class Told:
    def __init__(self) -> None:
        self.used: list[FreezeUsed] = []

    @hookimpl
    def guildkit_streak_freeze_used(self, gk: GuildKit, used: FreezeUsed) -> None:
        self.used.append(used)


def test_guildkit_streak_freeze_used_is_told_after_the_commit(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    told = Told()
    gk.register(told)
    gk.streaks.grant_freezes("ann", 2, reason="welcome")
    visit(gk, gk_clock, "ann", 0)
    visit(gk, gk_clock, "ann", 3)  # days 1 and 2 missed: two freezes
    assert [(u.user_id, u.activity_type, u.role, u.days, u.left) for u in told.used] == [
        ("ann", "visit", "actor", (on(1).date(), on(2).date()), 0)
    ]


class Weekends:
    """A plugin of its own answering the core hook: weekends never break a streak."""

    def __init__(self) -> None:
        self.asked: list[tuple[date, date, bool]] = []

    @hookimpl(tryfirst=True)
    def guildkit_streak_gap_bridged(
        self, member_id: int, activity_type: str, first_missed: date, last_missed: date, recount: bool
    ) -> bool | None:
        self.asked.append((first_missed, last_missed, recount))
        days = [first_missed + timedelta(days=n) for n in range((last_missed - first_missed).days + 1)]
        return True if all(d.weekday() >= 5 for d in days) else None


def test_guildkit_streak_gap_bridged_decides_for_any_plugin(gk: GuildKit, gk_clock: Clock, ann: str) -> None:
    weekends = Weekends()
    gk.register(weekends)
    for day in (3, 4, 7):  # Thursday, Friday, then Monday: the weekend is bridged
        visit(gk, gk_clock, "ann", day)
    assert counters(gk, "ann") == (3, 3)
    assert weekends.asked == [(on(5).date(), on(6).date(), False)]
    visit(gk, gk_clock, "ann", 9)  # Tuesday missed, no freeze held: the streak feature says no
    assert counters(gk, "ann") == (1, 3)
    gk.retract("visit:ann:4:9")  # a recount asks again, saying so
    assert (on(4).date(), on(6).date(), True) in weekends.asked
