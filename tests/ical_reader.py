"""A strict reader of the iCalendar files guildkit writes, for the tests (no parser is installed).

It checks RFC 5545's syntax as it reads: CRLF line ends, folded lines of at most 75 octets,
content lines ``name *(";" param) ":" value`` with parameter values plain or quoted, BEGIN/END
nesting. Date-times are resolved to UTC instants independently of guildkit's code: a ``TZID``
time through the calendar's own ``VTIMEZONE`` (observances with ``DTSTART``, ``TZOFFSETFROM``
and ``TZOFFSETTO``; the subset guildkit writes, so ``RRULE`` and ``RDATE`` are refused), never
through zoneinfo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

LINE_OCTETS = 75
NAME = re.compile(r"[A-Za-z0-9-]+")
# RFC 5545, 3.1: SAFE-CHAR (no control characters, DQUOTE, ";", ":" or ","), QSAFE-CHAR.
PARAM_TEXT = re.compile(r'[^\x00-\x08\x0a-\x1f\x7f";:,]*')
QUOTED = re.compile(r'"[^\x00-\x08\x0a-\x1f\x7f"]*"')
VALUE = re.compile(r"[^\x00-\x08\x0a-\x1f\x7f]*")
DATE_TIME = re.compile(r"(\d{8}T\d{6})(Z?)")
UTC_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})(\d{2})?")


@dataclass(frozen=True)
class Prop:
    name: str
    params: dict[str, list[str]]
    value: str


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def one(self, name: str) -> Prop:
        found = [p for p in self.props if p.name == name]
        assert len(found) == 1, f"{self.name} has {len(found)} {name}"
        return found[0]

    def get(self, name: str) -> Prop | None:
        found = [p for p in self.props if p.name == name]
        assert len(found) <= 1, f"{self.name} has {len(found)} {name}"
        return found[0] if found else None

    def value(self, name: str) -> str:
        return self.one(name).value

    def components(self, name: str) -> list[Component]:
        return [c for c in self.children if c.name == name]

    def only(self, name: str) -> Component:
        found = self.components(name)
        assert len(found) == 1, f"{self.name} has {len(found)} {name}"
        return found[0]


def unfold(text: str) -> list[str]:
    """The logical content lines: CRLF everywhere, every physical line at most 75 octets."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)
    assert all(len(line.encode()) <= LINE_OCTETS for line in physical), [len(line.encode()) for line in physical]
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            assert logical, "a continuation line before any content line"
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def content_line(line: str) -> Prop:
    """``name *(";" param-name "=" param-value *("," param-value)) ":" value``, strictly."""
    match = NAME.match(line)
    assert match, line
    name, at = match.group().upper(), match.end()
    params: dict[str, list[str]] = {}
    while line[at] == ";":
        match = NAME.match(line, at + 1)
        assert match and line[match.end()] == "=", line
        param, at = match.group().upper(), match.end() + 1
        values: list[str] = []
        while True:
            quoted = QUOTED.match(line, at)
            match = quoted or PARAM_TEXT.match(line, at)
            assert match, line
            values.append(match.group()[1:-1] if quoted else match.group())
            at = match.end()
            if line[at] != ",":
                break
            at += 1
        assert param not in params, f"{param} twice in {line!r}"
        params[param] = values
    assert line[at] == ":", line
    value = line[at + 1 :]
    assert VALUE.fullmatch(value), line
    return Prop(name, params, value)


def parse(text: str) -> Component:
    """The ``VCALENDAR`` in ``text``: exactly one, properly nested."""
    stack: list[Component] = []
    root: Component | None = None
    for line in unfold(text):
        prop = content_line(line)
        if prop.name == "BEGIN":
            assert not prop.params and NAME.fullmatch(prop.value), line
            component = Component(prop.value.upper())
            if stack:
                stack[-1].children.append(component)
            else:
                assert root is None, "a second component after the calendar"
                root = component
            stack.append(component)
        elif prop.name == "END":
            assert stack and stack[-1].name == prop.value.upper(), f"{line} closes {stack[-1].name if stack else None}"
            stack.pop()
        else:
            assert stack, f"{line} outside any component"
            stack[-1].props.append(prop)
    assert root is not None and not stack, "unclosed components"
    assert root.name == "VCALENDAR"
    return root


def unescape(value: str) -> str:
    """A TEXT value: every backslash starts one of the four escapes RFC 5545 allows."""
    assert re.fullmatch(r"(?:[^\\;,]|\\[\\;,nN])*", value), f"a bad escape or a bare ; or , in {value!r}"
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def offset(value: str) -> timedelta:
    match = UTC_OFFSET.fullmatch(value)
    assert match and value != "-0000", value
    sign, hours, minutes, seconds = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    return -delta if sign == "-" else delta


def floating(value: str) -> datetime:
    match = DATE_TIME.fullmatch(value)
    assert match and not match.group(2), value
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S")


@dataclass(frozen=True)
class Observance:
    onset: datetime  # UTC
    offset_to: timedelta
    daylight: bool
    name: str | None


def observances(zone: Component) -> list[Observance]:
    """A ``VTIMEZONE``'s observances, by onset."""
    found = []
    for part in zone.children:
        assert part.name in ("STANDARD", "DAYLIGHT"), part.name
        assert part.get("RRULE") is None and part.get("RDATE") is None, "only single onsets are written"
        start = part.one("DTSTART")
        assert not start.params
        onset = (floating(start.value) - offset(part.value("TZOFFSETFROM"))).replace(tzinfo=UTC)
        name = part.get("TZNAME")
        found.append(
            Observance(
                onset, offset(part.value("TZOFFSETTO")), part.name == "DAYLIGHT", unescape(name.value) if name else None
            )
        )
    assert found, "a VTIMEZONE needs at least one STANDARD or DAYLIGHT"
    return sorted(found, key=lambda o: o.onset)


def in_zone(zone: Component, local: datetime) -> datetime:
    """The instant a local time of ``zone`` names: the observance whose span holds it (the first
    of two, when the clocks went back: RFC 5545, 3.3.5)."""
    parts = observances(zone)
    instants = []
    for n, part in enumerate(parts):
        instant = (local - part.offset_to).replace(tzinfo=UTC)
        until = parts[n + 1].onset if n + 1 < len(parts) else None
        if part.onset <= instant and (until is None or instant < until):
            instants.append(instant)
    assert instants, f"{local} is in no observance of {zone.value('TZID')}"
    return min(instants)


def instant(calendar: Component, prop: Prop) -> datetime:
    """A DATE-TIME property as a UTC instant: ``…Z``, or local with a ``TZID`` the calendar defines."""
    assert set(prop.params) <= {"TZID"}, prop
    match = DATE_TIME.fullmatch(prop.value)
    assert match, prop
    if match.group(2):
        assert "TZID" not in prop.params, "a UTC time takes no TZID"
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    (tzid,) = prop.params["TZID"]
    zones = [z for z in calendar.components("VTIMEZONE") if z.value("TZID") == tzid]
    assert len(zones) == 1, f"{len(zones)} VTIMEZONE for {tzid}"
    return in_zone(zones[0], floating(prop.value))
