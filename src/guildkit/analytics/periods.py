"""Date ranges and buckets (day, week, month) in the community's time zone.

Every KPI reads a :class:`Range`: local calendar dates ``start`` to ``end`` (both included), cut
into buckets. Boundaries are worked out here, in Python, from the zone's rules (so a day is 23 or
25 hours long across a DST change, and a week starts at Monday's local midnight), then passed to
the database as plain UTC bounds. Queries never call a database's time-zone functions, so SQLite
and PostgreSQL give the same numbers, and the time column's index serves every bucket.

Buckets are calendar days, weeks (Monday to Sunday) and months, clipped to the range: the first
and last may be partial, and the buckets of a range always add up to the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from guildkit.errors import ValidationError
from guildkit.i18n import format_date, format_number
from guildkit.i18n import gettext as _

BUCKETS = ("day", "week", "month")
#: The most buckets one range may have (a range of three years in days is a chart nobody reads).
MAX_BUCKETS = 1100
#: Dates outside these bounds are refused: they cannot be real community history.
EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)
#: How far back a range goes by default, per bucket, when no start is given.
DEFAULT_DAYS = {"day": 30, "week": 84, "month": 365}


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone`` (DST-correct)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar date of an aware instant in ``zone``."""
    return moment.astimezone(zone).date()


@dataclass(frozen=True)
class Period:
    """One bucket: local dates ``start`` to ``end`` (included), UTC bounds ``[start_at, end_at)``."""

    #: The calendar bucket's name: ``2026-01-05`` (a day, or the Monday of a week), ``2026-01``.
    label: str
    start: date
    end: date
    start_at: datetime
    end_at: datetime

    def out(self) -> dict[str, Any]:
        return {"label": self.label, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Range:
    """Local dates ``start`` to ``end`` (included) in ``zone``, cut into ``bucket`` periods."""

    start: date
    end: date
    bucket: str
    zone: ZoneInfo
    periods: tuple[Period, ...]

    @property
    def start_at(self) -> datetime:
        return self.periods[0].start_at

    @property
    def end_at(self) -> datetime:
        return self.periods[-1].end_at

    def out(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "bucket": self.bucket, "timezone": self.zone.key}


def _bucket_start(day: date, bucket: str) -> date:
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def _next_bucket(first: date, bucket: str) -> date:
    if bucket == "day":
        return first + timedelta(days=1)
    if bucket == "week":
        return first + timedelta(days=7)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _label(first: date, bucket: str) -> str:
    return first.strftime("%Y-%m") if bucket == "month" else first.isoformat()


def _count_buckets(start: date, end: date, bucket: str) -> int:
    if bucket == "day":
        return (end - start).days + 1
    if bucket == "week":
        return (_bucket_start(end, "week") - _bucket_start(start, "week")).days // 7 + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1


def make_range(start: date | None, end: date | None, bucket: str, zone: ZoneInfo, today: date) -> Range:
    """A validated range. ``end`` defaults to ``today``; ``start`` to :data:`DEFAULT_DAYS` before it.

    Raises :class:`~guildkit.errors.ValidationError` naming ``bucket``, ``start`` or ``end``.
    """
    if bucket not in BUCKETS:
        raise ValidationError(_("bucket must be one of %(buckets)s", buckets=", ".join(BUCKETS)), field="bucket")
    for name, value in (("start", start), ("end", end)):
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise ValidationError(_("%(field)s must be a date (YYYY-MM-DD)", field=name), field=name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValidationError(
                _(
                    "%(field)s must be between %(earliest)s and %(latest)s",
                    field=name,
                    earliest=format_date(EARLIEST),
                    latest=format_date(LATEST),
                ),
                field=name,
            )
    end = end or today
    start = start or max(EARLIEST, end - timedelta(days=DEFAULT_DAYS[bucket] - 1))
    if end < start:
        raise ValidationError(_("end must not be before start"), field="end")
    if _count_buckets(start, end, bucket) > MAX_BUCKETS:
        raise ValidationError(
            _(
                "at most %(most)s buckets per range: choose a larger bucket or a shorter range",
                most=format_number(MAX_BUCKETS),
            ),
            field="bucket",
        )
    periods = []
    first = start
    while first <= end:
        following = _next_bucket(_bucket_start(first, bucket), bucket)
        last = min(end, following - timedelta(days=1))
        periods.append(
            Period(
                _label(_bucket_start(first, bucket), bucket),
                first,
                last,
                local_midnight(first, zone),
                local_midnight(last + timedelta(days=1), zone),
            )
        )
        first = last + timedelta(days=1)
    return Range(start, end, bucket, zone, tuple(periods))


def days_back(end: date, days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds ``[start, stop)`` of the ``days`` local days that end with ``end`` (included)."""
    return local_midnight(end - timedelta(days=days - 1), zone), local_midnight(end + timedelta(days=1), zone)


def ratio(part: int | float, whole: int | float) -> float | None:
    """``part / whole`` rounded to 4 places, or ``None`` when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None
