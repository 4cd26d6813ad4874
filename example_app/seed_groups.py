"""Groups for the example community: a few teams the host mirrors (``gk.groups.ensure``), with
members, a request and an invitation waiting, a goal already reached (its badge on the team's
page and on its contributors' profiles), a monthly goal half-way, and a few members showing their
team after their name (group flair).

Call ``seed(gk, users, now)`` after the history is seeded (every user is a member by then):
``users`` are the host's ``User`` rows (only ``.id`` is read), at least :data:`PEOPLE` of them; ``now`` is an
aware datetime. Everything goes through guildkit's Python API, as host code would; the visits it
records are today's, under the keys the app's own ``record_visit`` uses, so a member visiting
later today is a harmless replay.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

#: (host key, name, about, policy, capacity): the host's own teams, mirrored.
TEAMS = (
    ("team:backend", "Backend", "We keep the API fast and the database honest. Ask us anything about SQL.",
     "open", None),
    ("team:frontend", "Frontend", "Pages, forms and everything members click. We review each other's answers.",
     "request", None),
    ("chapter:berlin", "Berlin chapter", "Monthly meetups and co-working days in Berlin.", "invite", 12),
)  # fmt: skip


#: How many users the teams, their request and their invitation take.
PEOPLE = 17


def seed(gk: Any, users: Sequence[Any], now: datetime) -> dict[str, int]:
    """Make the groups, their members and goals; returns what it made, for the seed's summary."""
    ids = [str(user.id) for user in users]
    zone = gk.state.zone
    month = datetime.combine(now.astimezone(zone).date().replace(day=1), time(), tzinfo=zone)
    made: dict[str, Any] = {}
    with gk.clock_at(now - timedelta(days=20)):
        for key, name, about, policy, capacity in TEAMS:
            made[key] = gk.groups.ensure(key, name=name, description=about, policy=policy, capacity=capacity)
    backend, frontend, berlin = (made[key].id for key, *_ in TEAMS)
    with gk.clock_at(now - timedelta(days=19)):
        # Joining counts: the Frontend team's first goal is to welcome five members (reached below).
        gk.groups.create_goal(
            None, frontend, name="Welcome five members", activity_type="groups.joined", target=5,
            starts_at=now - timedelta(days=19), ends_at=now + timedelta(days=30), min_contribution=1,
        )  # fmt: skip
        for n, user in enumerate(ids[0:6]):
            gk.groups.add(backend, user, role="owner" if n == 0 else "maintainer" if n == 1 else "member")
        for n, user in enumerate(ids[6:11]):
            gk.groups.add(frontend, user, role="owner" if n == 0 else "member")
        for n, user in enumerate(ids[11:15]):
            gk.groups.add(berlin, user, role="owner" if n == 0 else "member")
        gk.groups.add(berlin, ids[2])  # a member of two groups
    with gk.clock_at(now - timedelta(days=2)):
        gk.groups.request(frontend, ids[15])  # waiting for a maintainer
        gk.groups.invite(ids[11], berlin, ids[16])  # waiting for an answer
    # The Backend team's monthly goal, two visits a member: today's visits make it half-way.
    members = ids[0:6]
    with gk.clock_at(now):
        gk.groups.create_goal(
            None, backend, name="Show up together", activity_type="visit", target=2 * len(members),
            starts_at=month, recurring="monthly", min_contribution=1,
        )  # fmt: skip
        day = now.astimezone(zone).date().isoformat()
        for user in members:
            gk.record("visit", key=f"visit:{user}:{day}", actor=user, occurred_at=now)
        # Flair: a few members show a team after their name (one of the two groups for ids[2]).
        for user, group in ((ids[0], backend), (ids[2], berlin), (ids[6], frontend), (ids[11], berlin)):
            gk.groups.choose_flair(user, group)
    return {"groups": len(TEAMS), "memberships": 6 + 5 + 5, "goals": 2, "visits": len(members), "flair": 4}
