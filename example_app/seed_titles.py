"""Titles for the example community, through ``gk.titles`` itself: a few of the members who
earned badges in the seeded history show one after their name (the first in words of those
they hold), so the members page, the leaderboards and the profiles show titles.

Runs after the Q&A history (:mod:`example_app.seed`) and the groups (whose flair
:mod:`example_app.seed_groups` chooses): ``seed(gk, users, now)`` takes the ``GuildKit``, the
seeded ``User`` rows (their ``id`` is the host user id) and the present moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guildkit import GuildKit

    from .models import User

#: How many members show a title.
TITLED = 6


def seed(gk: GuildKit, users: list[User], now: datetime) -> dict[str, Any]:
    """Give the first :data:`TITLED` members holding a badge a title; returns how many."""
    titled = 0
    with gk.clock_at(now):
        for user in users:
            choices = gk.titles.choices(str(user.id))
            if choices:
                gk.titles.choose(str(user.id), choices[0].badge)
                titled += 1
            if titled == TITLED:
                break
    return {"titles": titled}
