"""Kudos for the seeded community, through ``gk.kudos`` itself: four weeks of members thanking
each other, each from their weekly budget, so the wall, the members' Kudos points and the first
Generous badges look lived in.

Runs after the Q&A history (:mod:`example_app.seed`), on the same people: ``seed(gk, users, now)``
takes the ``GuildKit``, the seeded ``User`` rows (their ``id`` is the host user id) and the
present moment. Each give is stamped with ``gk.clock_at`` at a moment of the past, so budgets
and the weeks they refill in are those of the history; the kudos of the current week leave each
giver some budget for the demo.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guildkit import GuildKit

    from .models import User

WEEKS = 4
#: What members thank each other for.
MESSAGES = (
    "Thanks for the thorough review of my answer, the edge case you found was real.",
    "Your explanation of window functions finally made it click for me.",
    "Thank you for pairing with me on that flaky test, it was a timezone bug after all.",
    "Great answer on connection pooling, I shared it with my whole team.",
    "Thanks for welcoming me and pointing me to the right tags!",
    "You answered my question at midnight. Legend.",
    "Thanks for the patient follow-up comments, I learned a lot.",
    "Your benchmark settled a week-long argument at work. Thank you!",
    "Thanks for editing my question into something people could answer.",
    "That regex explanation was a work of art.",
)


def seed(gk: GuildKit, users: list[User], now: datetime) -> dict[str, Any]:
    """Give kudos among ``users`` over the last :data:`WEEKS` weeks; returns how many kudos were
    given (none on a second run: the keys are the same) and by how many members."""
    rng = random.Random(2027)
    ids = [user.id for user in users]
    givers = ids[: max(2, len(ids) * 2 // 3)]  # not everyone thanks; the most active do most
    given = 0
    for week in range(WEEKS, -1, -1):
        monday = (now - timedelta(weeks=week)).replace(hour=9, minute=0, second=0, microsecond=0)
        monday -= timedelta(days=monday.weekday())
        for giver in givers:
            # The current week: at most two, so the demo's members still have kudos to give.
            count = rng.randint(0, 2) if week == 0 else rng.randint(1, 5)
            receivers = rng.sample([user_id for user_id in ids if user_id != giver], k=min(count, len(ids) - 1))
            for n, receiver in enumerate(receivers):
                # Tuesday to Saturday: inside the budget's week whatever the community's time zone.
                when = monday + timedelta(days=rng.randint(1, 5), hours=n, minutes=rng.randint(0, 59))
                if when >= now:
                    continue
                with gk.clock_at(when):
                    kudos = gk.kudos.give(giver, receiver, rng.choice(MESSAGES), key=f"seed:{week}:{giver}:{receiver}")
                given += not kudos.duplicate  # a second run gives nothing more
    return {"kudos": given, "givers": len(givers)}
