"""What moderation adds to the analytics "programmes" KPI (``guildkit_register_analytics_measures``): reports
filed, cases resolved and sanctions given per period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guildkit.models import table_of
from guildkit.moderation.models import SANCTION_KINDS, ModerationCase, Report, Sanction
from guildkit.queries import count_of, within

REPORTS = table_of(Report)
CASES = table_of(ModerationCase)
SANCTIONS = table_of(Sanction)

Count = Callable[[datetime, datetime], sa.ScalarSelect[Any]]


def _sanctions(kind: str) -> Count:
    return lambda s, e: count_of(SANCTIONS, SANCTIONS.c.kind == kind, within(SANCTIONS.c.created_at, s, e))


MEASURES: tuple[tuple[str, str, Count], ...] = (
    ("reports", "reports filed", lambda s, e: count_of(REPORTS, within(REPORTS.c.created_at, s, e))),
    (
        "cases_resolved",
        "moderation cases resolved",
        lambda s, e: count_of(CASES, CASES.c.status == "resolved", within(CASES.c.resolved_at, s, e)),
    ),
    *((f"sanctions_{kind}", f"sanctions: {kind}", _sanctions(kind)) for kind in SANCTION_KINDS),
)
