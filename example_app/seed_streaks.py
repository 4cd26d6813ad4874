"""Streaks for the seeded community, through ``gk.streaks`` itself: a member whose visit streak
survived a missed day because a freeze was used, and one who declared an absence, so the demo's
profiles and the streaks page show both.

Runs after the Q&A history (:mod:`example_app.seed`), on the same people: ``seed(gk, users, now)``
takes the ``GuildKit``, the seeded ``User`` rows and the present moment. The members chosen are
those with no visit in the last fortnight, so their new days make a clean run; each visit is
stamped with ``gk.clock_at`` at a moment of the past, as a real visit would have been.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guildkit import GuildKit

    from .models import User

#: The frozen member's visits, in days before now: day 3 is missed, a freeze keeps the run.
VISITS = (6, 5, 4, 2, 1, 0)


def _quiet_members(gk: GuildKit, users: list[User], wanted: int) -> list[str]:
    """Up to ``wanted`` seeded users whose last visit day is more than two weeks ago (or never)."""
    quiet = []
    for user_id in reversed([str(u.id) for u in users]):
        overview = gk.streaks.overview(user_id)
        last = next((s.last_day for s in overview.streaks if s.activity_type == "visit"), None)
        if last is None or last < overview.today - timedelta(days=14):
            quiet.append(user_id)
        if len(quiet) == wanted:
            break
    return quiet


def seed(gk: GuildKit, users: list[User], now: datetime) -> dict[str, Any]:
    """A frozen streak and a declared absence; returns who has them (``None`` when no one fits)."""
    chosen = _quiet_members(gk, users, 2)
    frozen = chosen[0] if chosen else None
    away = chosen[1] if len(chosen) > 1 else None
    if frozen is not None:
        for days_ago in VISITS:
            with gk.clock_at(now - timedelta(days=days_ago)):
                gk.record("visit", actor=frozen, key=f"demo-streak:{frozen}:{days_ago}")
                if days_ago == max(VISITS):  # a member now: given the freeze the missed day will use
                    gk.streaks.grant_freezes(frozen, 1, reason="Welcome to the community!")
    if away is not None:
        gk.streaks.declare_absence(away, (now + timedelta(days=3)).date(), (now + timedelta(days=10)).date())
    return {"frozen": frozen, "away": away}
