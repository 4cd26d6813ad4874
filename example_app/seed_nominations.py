"""A nomination for the seeded community, through guildkit's own service (``gk.nominations``).

Runs after :mod:`example_app.seed_safety`, which makes the second seeded user a moderator: a
member nominated another for the first nominatable badge ("Community Champion" by default) three
days ago, and the first member holding the approving role (the moderator) approved it the next
day. It needs two approvals from moderators, so it waits, one of two, in the queue of any second
moderator (grant the role in the admin console to see it through). Needs: an approver among
``users`` and at least six users in all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .models import User

REASON = (
    "Answers newcomers' questions within the hour, and always explains the why, not only the fix. "
    "Three of my first questions here were answered this way."
)
APPROVAL = "Seen it myself: patient, precise answers, week after week."


def seed(gk: Any, users: list[User], now: datetime) -> int | None:
    """The pending nomination, one approval of two; its id (``None`` if nothing is nominatable)."""
    options = gk.nominations.badges()
    if not options or len(users) < 6:
        return None
    badge = options[0]
    approvers = [user for user in users if badge.role in gk.roles(user.id)]
    others = [user for user in users[4:] if badge.role not in gk.roles(user.id)]
    if not approvers or len(others) < 2:
        return None
    moderator, nominator, nominee = approvers[0], others[0], others[1]
    with gk.clock_at(now - timedelta(days=3)):
        made = gk.nominations.nominate(nominator.id, nominee.id, badge=badge.badge, level=badge.level, reason=REASON)
    with gk.clock_at(now - timedelta(days=2)):
        gk.nominations.approve(moderator.id, made.id, reason=APPROVAL)
    nomination_id: int = made.id
    return nomination_id
