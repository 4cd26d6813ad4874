"""How the example community configures guildkit's trust and safety for its own activity types.

guildkit's default trust criteria are Discourse's, over activities a forum reports (topics
entered, posts read, likes). This Q&A app reports visits, posts and votes instead, so it says
what each trust level asks of *those*; without this its members would all stay at level 0.
The privileges follow Stack Exchange's reputation thresholds, scaled to a small community.
"""

from __future__ import annotations

from typing import Any


def _criterion(label: str, type: str, threshold: int, **extra: Any) -> dict[str, Any]:
    return {"label": label, "type": type, "threshold": threshold, **extra}


TRUST_LEVELS: dict[int, dict[str, Any]] = {
    0: {"name": "New"},
    1: {
        "name": "Basic",
        "criteria": [
            _criterion("days visited", "visit", 3, measure="distinct_days"),
            _criterion("answers posted", "answer.posted", 1),
        ],
    },
    2: {
        "name": "Member",
        "criteria": [
            _criterion("days visited", "visit", 10, measure="distinct_days"),
            _criterion("answers posted", "answer.posted", 3),
            _criterion("answer upvotes received", "answer.upvoted", 3, role="target"),
            _criterion("votes cast", "answer.upvoted", 3),
        ],
    },
    3: {
        "name": "Regular",
        "criteria": [
            _criterion("days visited in the last 100 days", "visit", 25, measure="distinct_days", window_days=100),
            _criterion("answers posted in the last 100 days", "answer.posted", 8, window_days=100),
            _criterion(
                "answer upvotes received in the last 100 days", "answer.upvoted", 15, role="target", window_days=100
            ),
            _criterion("answers accepted in the last 100 days", "answer.accepted", 2, role="target", window_days=100),
        ],
    },
    4: {"name": "Leader"},
}

PRIVILEGES: dict[str, Any] = {
    "flag": {"trust_level": 1},
    "vote_down": [{"points": {"reputation": 50}}, {"trust_level": 2}],
    "comment_everywhere": {
        "label": "Comment on any post",
        "description": "Not only on your own questions and answers.",
        "requires": {"points": {"reputation": 25}},
    },
    "edit_others": [{"trust_level": 3}, {"role": "moderator"}],
}

SETTINGS: dict[str, Any] = {
    "GUILDKIT_TRUST_LEVELS": TRUST_LEVELS,
    "GUILDKIT_PRIVILEGES": PRIVILEGES,
    # Generous for people, tight for scripts: a burst of 60 activities a minute from one account.
    "GUILDKIT_RATE_LIMITS": {"*": "60/minute", "answer.upvoted": "200/day"},
    "GUILDKIT_SERIAL_VOTING": {
        "types": ["question.upvoted", "answer.upvoted"],
        "threshold": 8,
        "window_hours": 24,
        "lookback_days": 7,
    },
}
