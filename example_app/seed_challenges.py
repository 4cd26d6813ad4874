"""Challenges for the seeded community, through guildkit's own services and the app's actions.

Runs after the Q&A history (:mod:`example_app.seed`), on the same people. guildkit stamps joins
and completions with ``gk.clock()``, so the seed sets that clock to each moment in turn:

* **Helping hands** — running since three days ago, for four more days: answer two questions
  and leave a comment, for 25 reputation and a badge of its own. One member has done it all,
  one is part-way (one answer of two), and one has just joined.
* **Weekly regular** — a weekly challenge starting next Monday: visit on three days of the week.
  The job opens each following week's instance as the current one nears its end.

The answers and comments go through :mod:`example_app.actions`, the functions the views call, so
the host's posts and guildkit's counts agree; the challenges count only what members do after
joining, as on a live site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from guildkit import GuildKit

from . import actions
from .extensions import db
from .models import Question, User


@dataclass
class ChallengeStats:
    challenges: int = 0
    joined: int = 0
    completed: int = 0


def seed(gk: GuildKit, users: list[User], now: datetime) -> ChallengeStats:
    """Make the two challenges and their participants. Needs three active members besides the
    first two users (the admin and the moderator) and a few questions; with fewer, it makes none."""
    stats = ChallengeStats()
    questions = db.session.scalars(sa.select(Question).order_by(Question.created_at.desc()).limit(3)).all()
    people = [u for u in users[2:] if gk.member(u.id).status == "active"][:3]
    if len(people) < 3 or len(questions) < 2:
        return stats
    started = now - timedelta(days=3)
    with gk.clock_at(started - timedelta(hours=1)):
        helping = gk.challenges.create(
            None,
            via="seed",
            title="Helping hands",
            description="A week of helping each other: answer two questions and leave a kind comment.",
            starts_at=started,
            ends_at=started + timedelta(days=7),
            steps=[{"activity_type": "answer.posted", "count": 2}, {"activity_type": "comment.posted", "count": 1}],
            reward_points=25,
            reward_point_type="reputation",
            award_badge=True,
        )
        monday = (now + timedelta(days=7 - now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        gk.challenges.create(
            None,
            via="seed",
            title="Weekly regular",
            description="Drop by on three days of the week.",
            starts_at=monday,
            ends_at=monday + timedelta(days=7),
            steps=[{"activity_type": "visit", "count": 3}],
            reward_points=10,
            reward_point_type="reputation",
            award_badge=True,
            recurrence="weekly",
        )
    stats.challenges = 2
    finisher, halfway, newcomer = people
    for hours, user in ((2, finisher), (4, halfway), (70, newcomer)):
        with gk.clock_at(started + timedelta(hours=hours)):
            gk.challenges.join(user.id, helping.id)
        stats.joined += 1
    at = started + timedelta(hours=6)
    with gk.clock_at(at):
        for n, question in enumerate(questions[:2], start=1):
            actions.answer(finisher, question, f"Here is what worked for me, step by step (part {n}).", when=at)
        actions.comment(finisher, questions[-1], "Thanks, this was a great question to think about.", when=at)
        actions.answer(halfway, questions[0], "One more way to look at it: measure before you optimise.", when=at)
    stats.completed = len([p for p in gk.challenges.participants(helping.id) if p.completed])
    return stats
