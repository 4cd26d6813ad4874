"""Where an objective stands: progress from its baseline to its target, its trend, and whether it
is on track. Pure functions over the KPI's readings; :mod:`.service` reads them.

The rule (docs/objectives.md, "On track"):

* **Readings** are the KPI's value on the start date, then every ``GUILDKIT_OBJECTIVES_READING_DAYS``
  days (7: weekly) up to yesterday or the due date, and today's value so far: the trend. A long
  objective spaces them wider, so that a trend has at most :data:`MAX_READINGS` (and today's).
* **Progress** is where the KPI stands between the baseline and the target: 0 at the baseline,
  1 at the target or beyond it (either direction), clipped to 0..1; the target already met is 1.
* **Projection**: the least-squares line through the last :data:`FIT_READINGS` (6) readings that
  have a value, by day, read at the due date: the recent pace, carried on. It is kept within
  what the KPI can be (not below 0; a percentage not above 100). With fewer than
  ``GUILDKIT_OBJECTIVES_MIN_READINGS`` (3) readings there is *not enough data* to project.
* **On track** when the projection meets the target (at least: projection ≥ target; at most:
  projection ≤ target), **off track** otherwise. Before the start date an objective is *not
  started*; once decided it is *met* or *missed*, and an archived one is *archived*.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

#: The most readings a trend has before today's (a long objective spaces them wider).
MAX_READINGS = 26
#: The projection follows the recent pace: the line through this many last readings.
FIT_READINGS = 6
#: What :attr:`Standing.outlook` may be.
OUTLOOKS = ("not_started", "not_enough_data", "on_track", "off_track", "met", "missed", "archived")


@dataclass(frozen=True)
class Standing:
    """Where an objective stands on ``as_of``."""

    #: The KPI's value on ``as_of`` (today so far, or the due date once decided); ``None``: nothing
    #: to measure yet.
    current: float | None
    as_of: date
    #: From 0 (the baseline) to 1 (the target); ``None`` without a baseline or a current value.
    progress: float | None
    #: The current value meets the target.
    reached: bool
    #: The trend's line at the due date (``None``: not enough data).
    projected: float | None
    #: One of :data:`OUTLOOKS`.
    outlook: str
    #: ``(day, value)``, oldest first: the readings, today's last.
    trend: tuple[tuple[date, float | None], ...]


def reading_days(starts_on: date, until: date, every: int) -> list[date]:
    """The days of a trend: ``starts_on``, then every ``every`` days (wider for a long span, so at
    most :data:`MAX_READINGS`), and ``until`` itself last; nothing when ``until`` is before the start."""
    span = (until - starts_on).days
    if span < 0:
        return []
    step = every * max(1, math.ceil((span // every + 1) / MAX_READINGS))
    days = [starts_on + timedelta(days=n * step) for n in range(span // step + 1)]
    if days[-1] != until:
        days.append(until)
    return days


def meets(direction: str, target: float, value: float | None) -> bool:
    """Whether ``value`` meets the target: at least it, or at most it."""
    if value is None:
        return False
    return value >= target if direction == "at_least" else value <= target


def progress(direction: str, baseline: float | None, target: float, current: float | None) -> float | None:
    """From 0 (at the baseline, or behind it) to 1 (at the target or beyond); ``None`` when the
    baseline or the current value is unknown and the target is not met."""
    if meets(direction, target, current):
        return 1.0
    if baseline is None or current is None:
        return None
    sign = 1.0 if direction == "at_least" else -1.0
    gap = sign * (target - baseline)
    if gap <= 0:
        return 0.0  # the baseline already met the target and the KPI has fallen back since
    return min(1.0, max(0.0, sign * (current - baseline) / gap))


def project(points: Sequence[tuple[date, float]], due_on: date) -> float | None:
    """The least-squares line through ``points`` (day, value), read at ``due_on``; ``None`` with
    fewer than two distinct days."""
    if len({day for day, _value in points}) < 2:
        return None
    origin = points[0][0]
    xs = [(day - origin).days for day, _value in points]
    ys = [value for _day, value in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return mean_y + slope * ((due_on - origin).days - mean_x)


def outlook(
    direction: str,
    target: float,
    due_on: date,
    trend: Sequence[tuple[date, float | None]],
    min_readings: int,
    most: float | None = None,
) -> tuple[str, float | None]:
    """``on_track``, ``off_track`` or ``not_enough_data`` for an active objective, with the
    projection (kept from 0 to ``most``: 100 for a percentage)."""
    measured = [(day, value) for day, value in trend if value is not None]
    if len(measured) < min_readings:
        return "not_enough_data", None
    projected = project(measured[-FIT_READINGS:], due_on)
    if projected is None:
        return "not_enough_data", None
    projected = max(0.0, projected if most is None else min(most, projected))
    projected = round(projected, 4)  # a flat trend on the target is on it, not 1e-12 off
    return ("on_track" if meets(direction, target, projected) else "off_track"), projected
