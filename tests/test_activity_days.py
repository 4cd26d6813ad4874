"""The profile calendar's days are counted by the database (``queries.activity_days``), each moment
moved by its zone's offset at that moment: the counts equal Python's own ``astimezone`` days for
zones with summer time, half-hour and 45-minute offsets, and a half-hour summer shift (Lord Howe),
around every change of offset and for random moments. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guildkit import GuildKit, queries
from guildkit.testing import Clock
from tests.webclient import sqlite_and_postgresql

gk_backend = sqlite_and_postgresql

SINCE = datetime(2026, 1, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "America/St_Johns"]
#: Roughly when these zones change offset in 2026 (UTC); the tests look hours either side.
CHANGES = {
    "Europe/Berlin": [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)],
    "America/New_York": [datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)],
    "Australia/Lord_Howe": [datetime(2026, 4, 4, 15, tzinfo=UTC), datetime(2026, 10, 3, 15, 30, tzinfo=UTC)],
}
EXAMPLES = itertools.count()


def recorded(gk: GuildKit, moments: list[datetime]) -> int:
    """A new member who did something at each of ``moments``; their member id."""
    user = f"cal{next(EXAMPLES)}"
    gk.join(user, name=user)
    gk.record_many([{"type": "answer.posted", "key": f"{user}:{n}", "actor": user, "occurred_at": at}
                    for n, at in enumerate(moments)])  # fmt: skip
    return gk.member(user).id


def as_python_says(moments: list[datetime], zone: ZoneInfo) -> dict[date, int]:
    return dict(Counter(moment.astimezone(zone).date() for moment in moments))


@pytest.fixture(autouse=True)
def after_the_year(gk_clock: Clock) -> None:
    gk_clock.set(datetime(2027, 1, 2, tzinfo=UTC))


def test_the_offsets_of_a_year_are_found_to_the_minute() -> None:
    spans = queries.offset_spans(ZoneInfo("Europe/Berlin"), SINCE.date(), UNTIL.date())
    assert [(at.isoformat(), minutes) for at, minutes in spans] == [
        ("2026-01-01T00:00:00+00:00", 60),
        ("2026-03-29T01:00:00+00:00", 120),
        ("2026-10-25T01:00:00+00:00", 60),
    ]
    assert len(queries.offset_spans(ZoneInfo("UTC"), SINCE.date(), UNTIL.date())) == 1


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_days_around_each_change_of_offset_are_the_zones_days(gk: GuildKit, name: str) -> None:
    zone = ZoneInfo(name)
    moments = [change + timedelta(minutes=m) for change in CHANGES[name] for m in range(-240, 241, 13)]
    member_id = recorded(gk, moments)
    assert queries.activity_days(gk.session, member_id, SINCE, UNTIL, zone) == as_python_says(moments, zone)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(ZONES),
    minutes=st.lists(st.integers(0, 364 * 24 * 60), min_size=1, max_size=20),
)
def test_days_of_random_moments_are_the_zones_days(gk: GuildKit, name: str, minutes: list[int]) -> None:
    zone = ZoneInfo(name)
    moments = [SINCE + timedelta(minutes=m) for m in minutes]
    member_id = recorded(gk, moments)
    assert queries.activity_days(gk.session, member_id, SINCE, UNTIL, zone) == as_python_says(moments, zone)
    # Only the window asked for, and only what the member did (not what others did).
    later = queries.activity_days(gk.session, member_id, SINCE + timedelta(days=200), UNTIL, zone)
    assert sum(later.values()) == sum(1 for m in moments if m >= SINCE + timedelta(days=200))
