"""The iCalendar export, read back strictly by hand (tests/ical_reader.py): CRLF lines, folding at
75 octets, TEXT escaping, a stable UID, the cancelled status, and times in the event's zone, each
resolved through the file's own VTIMEZONE (never zoneinfo) back to the stored instant.

The revision counter (``SEQUENCE``) is in test_events_ical_sequence.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guildkit import GuildKit
from guildkit.events import EventView, ical
from guildkit.testing import Clock
from tests.events_helpers import make_event
from tests.ical_reader import Component, instant, observances, parse, unescape, unfold

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def gk_backend() -> str:
    """The file is built from a view: one backend is enough."""
    return "sqlite"


def vevent(text: str) -> tuple[Component, Component]:
    calendar = parse(text)
    return calendar, calendar.only("VEVENT")


def a_view(zone: str, starts_at: datetime, ends_at: datetime) -> EventView:
    """An event as the service returns it, for times the clock-bound service would not accept."""
    return EventView(
        id=7, title="Meetup", description="", starts_at=starts_at, ends_at=ends_at, timezone=zone, online=False,
        location="Hall", url=None, capacity=None, visibility="public", created_by="org", created_at=NOW,
        updated_at=NOW, sequence=0, cancelled_at=None, cancel_reason="", organizers=("org",), going=0, maybe=0,
        waitlisted=0, attended=0, has_checkin_code=False,
    )  # fmt: skip


def round_trip(view: EventView) -> tuple[Component, Component]:
    """Render, read back, and check that DTSTART and DTEND name exactly the event's instants."""
    calendar, event = vevent(ical.render(view, now=NOW))
    assert instant(calendar, event.one("DTSTART")) == view.starts_at
    assert instant(calendar, event.one("DTEND")) == view.ends_at
    return calendar, event


def test_a_whole_calendar_parses_back(gk: GuildKit, gk_clock: Clock) -> None:
    title = "Ünïcode, commas; semicolons \\ backslashes — and a title long enough to be folded twice over, surely"
    description = "First line\nSecond line; with, punctuation\n\n" + "é" * 120
    event = make_event(
        gk, title=title, description=description, location="Café de la Gare, Paris", url="https://example.org/e?a=1"
    )
    text = gk.events.ics(event.id, host="community.example.org:8443")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    calendar, vev = vevent(text)
    assert [c.name for c in calendar.children] == ["VTIMEZONE", "VEVENT"]
    assert calendar.value("VERSION") == "2.0" and calendar.value("PRODID")
    assert vev.value("UID") == f"event-{event.id}@community.example.org"
    assert vev.value("DTSTAMP") == "20260105T120000Z"
    assert vev.value("CREATED") == vev.value("LAST-MODIFIED") == "20260105T120000Z"
    assert vev.value("SEQUENCE") == "0"
    # 12:00 UTC is 13:00 in Paris in January.
    start, end = vev.one("DTSTART"), vev.one("DTEND")
    assert (start.params, start.value) == ({"TZID": ["Europe/Paris"]}, "20260106T130000")
    assert (end.params, end.value) == ({"TZID": ["Europe/Paris"]}, "20260106T150000")
    assert instant(calendar, start) == gk_clock.now + timedelta(days=1)
    assert instant(calendar, end) == datetime(2026, 1, 6, 14, 0, tzinfo=UTC)
    assert unescape(vev.value("SUMMARY")) == title
    assert unescape(vev.value("DESCRIPTION")) == description
    assert unescape(vev.value("LOCATION")) == "Café de la Gare, Paris"
    assert vev.value("URL") == "https://example.org/e?a=1"
    assert vev.value("STATUS") == "CONFIRMED"
    assert "\\;" in vev.value("SUMMARY") and "\\," in vev.value("SUMMARY") and "\\\\" in vev.value("SUMMARY")
    assert "\\n" in vev.value("DESCRIPTION")


def test_uid_is_stable_and_times_are_in_the_events_zone(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk, timezone="America/New_York")
    _, first = vevent(gk.events.ics(event.id))
    gk_clock.advance(hours=1)
    gk.events.update(event.id, "org", title="Moved")
    calendar, second = vevent(gk.events.ics(event.id))
    assert first.value("UID") == second.value("UID") == f"event-{event.id}@guildkit"
    assert second.one("DTSTART").params == second.one("DTEND").params == {"TZID": ["America/New_York"]}
    assert (second.value("DTSTART"), second.value("DTEND")) == ("20260106T070000", "20260106T090000")
    (zone,) = calendar.components("VTIMEZONE")
    assert zone.value("TZID") == "America/New_York"
    (standard,) = observances(zone)  # the start and the end are both in winter time
    assert (standard.offset_to, standard.daylight, standard.name) == (timedelta(hours=-5), False, "EST")
    assert standard.onset == datetime(2025, 11, 2, 6, 0, tzinfo=UTC)  # when New York last left summer time
    assert (int(first.value("SEQUENCE")), int(second.value("SEQUENCE"))) == (0, 1)
    assert second.value("LAST-MODIFIED") == "20260105T130000Z"


def test_cancelled_online_event(gk: GuildKit) -> None:
    event = make_event(gk, online=True, location="", url="https://meet.example.org/room")
    gk.events.cancel(event.id, "org", "Speaker ill")
    _, vev = vevent(gk.events.ics(event.id))
    assert vev.value("STATUS") == "CANCELLED"
    assert vev.value("LOCATION") == "Online"
    assert unescape(vev.value("DESCRIPTION")) == "Cancelled: Speaker ill\n\nJoin: https://meet.example.org/room"


def test_an_event_across_a_clock_change_carries_both_observances() -> None:
    # Paris leaves summer time on 2026-10-25 at 01:00 UTC (03:00 CEST becomes 02:00 CET).
    view = a_view("Europe/Paris", datetime(2026, 10, 24, 18, tzinfo=UTC), datetime(2026, 10, 25, 19, tzinfo=UTC))
    calendar, event = round_trip(view)
    assert (event.value("DTSTART"), event.value("DTEND")) == ("20261024T200000", "20261025T200000")
    summer, winter = observances(calendar.only("VTIMEZONE"))
    assert (summer.daylight, summer.offset_to, summer.name) == (True, timedelta(hours=2), "CEST")
    assert summer.onset == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert (winter.daylight, winter.offset_to, winter.name) == (False, timedelta(hours=1), "CET")
    assert winter.onset == datetime(2026, 10, 25, 1, tzinfo=UTC)


def test_the_second_of_two_equal_local_times_is_written_in_utc() -> None:
    # 00:30 and 01:30 UTC are both 02:30 in Paris that night; a TZID time would mean the first.
    first = a_view("Europe/Paris", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 3, tzinfo=UTC))
    _, event = round_trip(first)
    assert (event.one("DTSTART").params, event.value("DTSTART")) == ({"TZID": ["Europe/Paris"]}, "20261025T023000")
    second = dataclasses.replace(first, starts_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    _, event = round_trip(second)
    assert (event.one("DTSTART").params, event.value("DTSTART")) == ({}, "20261025T013000Z")
    assert event.one("DTEND").params == {"TZID": ["Europe/Paris"]}


def test_a_zone_without_changes_and_one_no_longer_known() -> None:
    view = a_view("Asia/Tokyo", datetime(2026, 6, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, 3, tzinfo=UTC))
    calendar, event = round_trip(view)
    assert event.value("DTSTART") == "20260601T100000"
    (only,) = calendar.only("VTIMEZONE").children
    assert (only.name, only.value("TZOFFSETFROM"), only.value("TZOFFSETTO")) == ("STANDARD", "+0900", "+0900")

    gone = dataclasses.replace(view, timezone="Mars/Olympus_Mons")
    calendar, event = round_trip(gone)
    assert calendar.components("VTIMEZONE") == []
    assert (event.value("DTSTART"), event.value("DTEND")) == ("20260601T010000Z", "20260601T030000Z")


ZONES = [
    "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Africa/Casablanca",
    "Pacific/Chatham", "America/Sao_Paulo", "Europe/Moscow", "America/St_Johns", "Antarctica/Troll", "UTC",
]  # fmt: skip


@pytest.mark.parametrize("zone", ZONES)
def test_every_time_resolves_through_the_files_own_vtimezone(zone: str) -> None:
    """Half-hour daylight saving, quarter-hour offsets, Ramadan changes, abolished daylight saving,
    a new standard offset, a two-hour shift: starts every 5 days and 7 hours over eight years, each
    for an hour, a day and a half, and half a year; plus an old date with local mean time."""
    moments = [datetime(2019, 1, 1, tzinfo=UTC) + timedelta(days=5, hours=7) * n for n in range(585)]
    lengths = [timedelta(hours=1), timedelta(hours=36), timedelta(days=183)]
    for n, start in enumerate(moments):
        round_trip(a_view(zone, start, start + lengths[n % 3]))
    round_trip(a_view(zone, datetime(1901, 3, 1, 9, tzinfo=UTC), datetime(1902, 3, 1, 9, tzinfo=UTC)))


def test_observances_begin_where_the_zone_really_changed() -> None:
    paris = ZoneInfo("Europe/Paris")
    found = ical.observance(paris, datetime(2026, 7, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))
    assert found.onset == datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert (found.offset_from, found.offset) == (timedelta(hours=1), timedelta(hours=2))
    assert datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC).astimezone(paris).utcoffset() == timedelta(hours=1)
    # Nothing changed since ``since``: the observance starts there.
    tokyo = ical.observance(ZoneInfo("Asia/Tokyo"), datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    assert tokyo.onset == datetime(2026, 1, 1, tzinfo=UTC) and tokyo.offset_from == tokyo.offset


def test_folding_never_splits_a_character() -> None:
    for text in ("a" * 200, "é" * 100, "€" * 80, "😀" * 60, "a" + "😀" * 50):
        folded = ical.fold("SUMMARY:" + text)
        pieces = folded.split("\r\n ")
        assert all(len(p.encode()) <= 75 - (i > 0) for i, p in enumerate(pieces))
        assert "".join(pieces) == "SUMMARY:" + text
    assert ical.fold("SHORT:x") == "SHORT:x"


def test_escaping_and_host_cleaning() -> None:
    assert ical.escape_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert ical.uid_host("Example.ORG:5000") == "example.org"
    assert ical.uid_host("evil\r\nX-INJECT:1") == "evilx-inject"
    assert ical.uid_host(None) == "guildkit"


def test_parameter_values_and_offsets() -> None:
    assert ical.param_value("America/Argentina/Buenos_Aires") == "America/Argentina/Buenos_Aires"
    assert ical.param_value('Odd:zone;"x"') == '"Odd:zone;x"'
    assert ical.param_value("a\r\nb") == "ab"
    assert ical.utc_offset(timedelta(0)) == "+0000"
    assert ical.utc_offset(timedelta(hours=5, minutes=45)) == "+0545"
    assert ical.utc_offset(-timedelta(hours=3, minutes=30)) == "-0330"
    assert ical.utc_offset(timedelta(minutes=9, seconds=21)) == "+000921"
    assert ical.utc_offset(-timedelta(minutes=17, seconds=30)) == "-001730"
