"""The public, anonymized moderation log: how many cases were resolved, by month, category and action.

No names, no subjects, no case ids: only counts. Months and days are the community's
(``GUILDKIT_TIMEZONE``): a case resolved at 23:30 UTC on 31 January counts for February in
Europe/Berlin. A case's category is the one most of its reports name (ties: in the order of
:data:`~guildkit.models.REPORT_CATEGORIES`), so each case counts once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guildkit.errors import ValidationError
from guildkit.i18n import gettext as _
from guildkit.i18n import ngettext
from guildkit.moderation.common import CASE_ACTIONS, CASES, REPORTS
from guildkit.moderation.models import REPORT_CATEGORIES

#: The longest period one call covers (ten years of months).
MAX_MONTHS = 120


@dataclass(frozen=True)
class LogCount:
    category: str
    action: str
    cases: int


@dataclass(frozen=True)
class LogMonth:
    """One month (``"2026-01"``) of the public log: its total and its counts by category and action."""

    month: str
    total: int
    counts: list[LogCount] = field(default_factory=list)

    @property
    def first_day(self) -> date:
        """The month as a day, for a page to name it in the reader's language."""
        return date.fromisoformat(f"{self.month}-01")


def check_period(start: object, end: object) -> tuple[date, date]:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ValidationError(_("%(field)s must be a date", field=name), field=name)
        if not 1900 <= value.year <= 9998:
            raise ValidationError(_("%(field)s must be a date from 1900 to 9998", field=name), field=name)
    assert isinstance(start, date) and isinstance(end, date)
    if end < start:
        raise ValidationError(_("end must not be before start"), field="end")
    if len(months(start, end)) > MAX_MONTHS:
        raise ValidationError(
            ngettext(
                "the log covers at most %(num)d month at a time",
                "the log covers at most %(num)d months at a time",
                MAX_MONTHS,
            ),
            field="end",
        )
    return start, end


def months(start: date, end: date) -> list[str]:
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def public_log(conn: Any, zone: ZoneInfo, start: date, end: date) -> list[LogMonth]:
    """Resolved cases from ``start`` to ``end`` (both days included, in ``zone``), by month."""
    since = datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    resolved = {
        row.id: (row.resolved_at, row.action)
        for row in conn.execute(
            sa.select(CASES.c.id, CASES.c.resolved_at, CASES.c.action).where(
                CASES.c.status == "resolved", CASES.c.resolved_at >= since, CASES.c.resolved_at < until
            )
        )
    }
    categories: dict[int, Counter[str]] = {case_id: Counter() for case_id in resolved}
    if resolved:
        for case_id, category in conn.execute(
            sa.select(REPORTS.c.case_id, REPORTS.c.category).where(REPORTS.c.case_id.in_(list(resolved)))
        ):
            categories[case_id][category] += 1
    tally: dict[str, Counter[tuple[str, str]]] = {month: Counter() for month in months(start, end)}
    for case_id, (resolved_at, action) in resolved.items():
        month = resolved_at.astimezone(zone).strftime("%Y-%m")
        tally[month][(main_category(categories[case_id]), action)] += 1
    order = {name: n for n, name in enumerate((*REPORT_CATEGORIES, *CASE_ACTIONS))}
    return [
        LogMonth(
            month,
            sum(counts.values()),
            [
                LogCount(category, action, n)
                for (category, action), n in sorted(counts.items(), key=lambda kv: (order[kv[0][0]], order[kv[0][1]]))
            ],
        )
        for month, counts in tally.items()
    ]


def main_category(counts: Counter[str]) -> str:
    if not counts:
        return "other"
    return max(REPORT_CATEGORIES, key=lambda c: (counts[c], -REPORT_CATEGORIES.index(c)))
