"""Community objectives for the seeded community, through ``gk.objectives``.

Runs after the Q&A history (:mod:`example_app.seed`) and the trust and safety seed (the first user,
the admin, owns them): ``seed(gk, users, now)``. Three objectives on the seeded KPIs, started six
weeks ago so that their trends have readings:

* "Grow to 45 monthly active members" in two months: MAU climbed from about 17 to 38 in those six
  weeks, so at that pace it is **on track**;
* "Answer newcomers within 12 hours" (median time to first response at most 12 h) in two months:
  it is about 60 hours and falls slowly, so it is **off track**;
* "Reach 30 members", set eight weeks ago and due two weeks ago: the due-date job decides it at
  once (**met**) and tells its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from guildkit import GuildKit


@dataclass
class ObjectivesStats:
    set: int = 0
    met: int = 0
    missed: int = 0


def seed(gk: GuildKit, users: list[Any], now: datetime) -> ObjectivesStats:
    """Set the demo's objectives as ``users[0]`` (the admin) and run the due-date job once."""
    stats = ObjectivesStats()
    owner = str(users[0].id)
    today = now.astimezone(gk.state.zone).date()
    gk.objectives.create(
        owner,
        title="Grow to 45 monthly active members",
        notes="Invite the people who asked questions last month to answer one this month.",
        kpi="mau",
        direction="at_least",
        target=45,
        starts_on=today - timedelta(days=42),
        due_on=today + timedelta(days=60),
    )
    gk.objectives.create(
        owner,
        title="Answer newcomers within 12 hours",
        notes="A newcomer's first question should get a reply the same day.",
        kpi="first_response_hours",
        direction="at_most",
        target=12,
        starts_on=today - timedelta(days=42),
        due_on=today + timedelta(days=60),
    )
    with gk.clock_at(now - timedelta(days=56)):
        gk.objectives.create(
            owner,
            title="Reach 30 members",
            kpi="members",
            direction="at_least",
            target=30,
            starts_on=today - timedelta(days=56),
            due_on=today - timedelta(days=14),
        )
    stats.set = 3
    done = gk.objectives.upkeep()
    stats.met, stats.missed = done.met, done.missed
    return stats
