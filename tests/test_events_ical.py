"""The iCalendar export, parsed back by hand: CRLF lines, folding at 75 octets, TEXT escaping,
UTC times, a stable UID, and the cancelled status."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from guildkit import GuildKit
from guildkit.events import ical
from guildkit.testing import Clock
from tests.events_helpers import make_event


@pytest.fixture
def gk_backend() -> str:
    """The file is built from a view: one backend is enough."""
    return "sqlite"


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)
    assert all(len(line.encode()) <= 75 for line in physical), [len(line.encode()) for line in physical]
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def properties(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in unfold(text):
        name, _, value = line.partition(":")
        found.setdefault(name, value)
    return found


def test_a_whole_calendar_parses_back(gk: GuildKit, gk_clock: Clock) -> None:
    title = "Ünïcode, commas; semicolons \\ backslashes — and a title long enough to be folded twice over, surely"
    description = "First line\nSecond line; with, punctuation\n\n" + "é" * 120
    event = make_event(
        gk, title=title, description=description, location="Café de la Gare, Paris", url="https://example.org/e?a=1"
    )
    text = gk.events.ics(event.id, host="community.example.org:8443")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.index("BEGIN:VEVENT") < lines.index("END:VEVENT")
    props = properties(text)
    assert props["VERSION"] == "2.0" and props["PRODID"]
    assert props["UID"] == f"event-{event.id}@community.example.org"
    assert props["DTSTAMP"] == "20260105T120000Z"
    assert props["DTSTART"] == (gk_clock.now + timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
    assert props["DTEND"] == "20260106T140000Z"
    assert unescape(props["SUMMARY"]) == title
    assert unescape(props["DESCRIPTION"]) == description
    assert unescape(props["LOCATION"]) == "Café de la Gare, Paris"
    assert props["URL"] == "https://example.org/e?a=1"
    assert props["STATUS"] == "CONFIRMED"
    assert "\\;" in props["SUMMARY"] and "\\," in props["SUMMARY"] and "\\\\" in props["SUMMARY"]
    assert "\\n" in props["DESCRIPTION"]


def test_uid_is_stable_and_times_are_utc(gk: GuildKit, gk_clock: Clock) -> None:
    event = make_event(gk, timezone="America/New_York")
    first = properties(gk.events.ics(event.id))
    gk_clock.advance(hours=1)
    gk.events.update(event.id, "org", title="Moved")
    second = properties(gk.events.ics(event.id))
    assert first["UID"] == second["UID"] == f"event-{event.id}@guildkit"
    assert second["DTSTART"].endswith("Z") and second["DTEND"].endswith("Z")
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second["LAST-MODIFIED"] == "20260105T130000Z"


def test_cancelled_online_event(gk: GuildKit) -> None:
    event = make_event(gk, online=True, location="", url="https://meet.example.org/room")
    gk.events.cancel(event.id, "org", "Speaker ill")
    props = properties(gk.events.ics(event.id))
    assert props["STATUS"] == "CANCELLED"
    assert props["LOCATION"] == "Online"
    assert unescape(props["DESCRIPTION"]) == "Cancelled: Speaker ill\n\nJoin: https://meet.example.org/room"


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
