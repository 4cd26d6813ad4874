"""Trust and safety for the seeded community: staff, guidelines, trust levels and a little moderation.

Runs last in ``flask seed``, after the Q&A history and the participation seed, on the same
people: the first user (the one you log in as) runs the community as an admin, the second is a
moderator; the guidelines are published and most members have accepted them; the trust sweep
gives everyone the level their history earned; and a few reports make a moderation queue with
one case already resolved with a warning (so the public moderation log is not empty).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .extensions import gk
from .models import User

GUIDELINES = """\
# How we treat each other here

We are here to help each other write better software.

- **Be kind.** Critique the code, never the person. Assume good intent.
- **Stay on topic.** Questions and answers are about programming; take the rest elsewhere.
- **No spam.** Do not advertise, and do not post the same thing twice.
- **Vote on the post, not the person.** Voting for a friend's every post is reversed.

Moderators act on reports, explain what they do, and a sanctioned member may appeal once.
"""


@dataclass
class SafetyStats:
    admin: str = ""
    moderator: str = ""
    promoted: int = 0
    accepted: int = 0
    cases: int = 0


def seed_safety(rng: random.Random, users: list[User], now: datetime) -> SafetyStats:
    stats = SafetyStats(admin=users[0].name, moderator=users[1].name)
    with gk.clock_at(now - timedelta(days=58)):
        gk.award(users[0].id, role="admin", reason="Runs the demo community")
        gk.award(users[1].id, role="moderator", reason="Moderates the demo community", by=users[0].id)
        version = gk.guidelines.publish(users[0].id, title="Community guidelines", body=GUIDELINES)
    for user in users:
        if rng.random() < 0.8:
            with gk.clock_at(now - timedelta(days=rng.randint(1, 57))):
                gk.guidelines.accept(user.id, version.version)
            stats.accepted += 1
    stats.promoted = gk.trust.sweep()["promoted"]
    stats.cases = _moderation(users, now)
    return stats


def _moderation(users: list[User], now: datetime) -> int:
    """Two cases: rudeness that was warned about a week ago, and spam still waiting in the queue."""
    moderator, rude, spammer = users[1], users[6], users[7]
    with gk.clock_at(now - timedelta(days=8)):
        rudeness = gk.moderation.report(
            users[3].id,
            subject=f"member:{rude.id}",
            user_id=rude.id,
            category="harassment",
            comment="Called my question stupid in three comments.",
        )
    with gk.clock_at(now - timedelta(days=7)):
        gk.moderation.assign(moderator.id, rudeness.case_id)
        gk.moderation.resolve(
            moderator.id,
            rudeness.case_id,
            action="warn",
            reason="Critique the code, never the person (guideline 1). Please keep comments kind.",
        )
    for n, reporter in enumerate(users[9:11]):
        with gk.clock_at(now - timedelta(hours=30 - n)):
            gk.moderation.report(
                reporter.id,
                subject=f"member:{spammer.id}",
                user_id=spammer.id,
                category="spam",
                comment="Links to the same course in every answer.",
            )
    return 2
