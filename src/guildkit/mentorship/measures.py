"""What mentorship adds to the analytics "programmes" KPI (``guildkit_register_analytics_measures``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from guildkit.mentorship.models import Mentorship
from guildkit.models import table_of
from guildkit.queries import count_of, within

MENTORSHIPS = table_of(Mentorship)
M = MENTORSHIPS.c


def _ended(state: str) -> Callable[[datetime, datetime], sa.ScalarSelect[Any]]:
    return lambda start, end: count_of(MENTORSHIPS, M.state == state, within(M.ended_at, start, end))


MEASURES: tuple[tuple[str, str, Callable[[datetime, datetime], sa.ScalarSelect[Any]]], ...] = (
    (
        "mentorships_requested",
        "mentorships requested",
        lambda s, e: count_of(MENTORSHIPS, within(M.requested_at, s, e)),
    ),
    (
        "mentorships_started",
        "mentorships that became active",
        lambda s, e: count_of(MENTORSHIPS, within(M.started_at, s, e)),
    ),
    ("mentorships_completed", "mentorships completed", _ended("completed")),
    ("mentorships_ended_early", "mentorships ended early", _ended("ended")),
    (
        "mentees_retained",
        "mentees retained after their mentorship",
        lambda s, e: count_of(MENTORSHIPS, within(M.retained_at, s, e)),
    ),
)
