"""Orbit-style engagement levels over a range, from weighted activity.

A member's **score** is the sum of the weights (``GUILDKIT_ENGAGEMENT_WEIGHTS``: an exact type's
weight, else the first matching ``*`` pattern's, else ``"*"``'s) of their live, non-bookkeeping
activities in the range. Members with a positive score are ranked by it, highest first:

* **Orbit 1** (ambassadors): the top 10% (rounded up), and everyone tied with the last of them;
* **Orbit 2** (fans): the next 25% (down to the top 35%, rounded up), with ties likewise;
* **Orbit 3** (observers): every other member with a positive score;
* **Orbit 4** (explorers, barely active): members (not ``deleted``, joined by the range's end)
  with no weighted activity in the range.

Ties never split: equal scores always get the same level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from guildkit.analytics.periods import Range, ratio
from guildkit.analytics.settings import participation, weight_expression
from guildkit.analytics.tables import Table
from guildkit.i18n import format_percent
from guildkit.i18n import gettext as _
from guildkit.models import Activity, Member, table_of

ACTIVITIES = table_of(Activity)
MEMBERS = table_of(Member)
#: (level, cumulative share of the members with a positive score); :func:`level_words` names them.
LEVELS = ((1, 0.10), (2, 0.35), (3, 1.0), (4, None))
#: Members listed per level (levels 1-3); the counts are always complete.
LIST_LIMIT = 25


def level_words() -> dict[int, tuple[str, str]]:
    """Each level's name and what it means, in the reader's language."""
    return {
        1: (_("Ambassadors"), _("top %(share)s by weighted activity", share=format_percent(0.10))),
        2: (_("Fans"), _("next %(share)s by weighted activity", share=format_percent(0.25))),
        3: (_("Observers"), _("the other members with weighted activity")),
        4: (_("Explorers"), _("barely active: no weighted activity in the range")),
    }


@dataclass(frozen=True)
class Scored:
    user_id: str
    name: str | None
    score: float


@dataclass(frozen=True)
class Level:
    level: int
    name: str
    description: str
    members: int
    share: float | None
    min_score: float | None
    top: list[Scored]


@dataclass(frozen=True)
class Levels:
    range: Range
    total_members: int
    weights: dict[str, float]
    levels: list[Level]

    def table(self) -> Table:
        return Table(
            ("level", "name", "members", "share", "min_score"),
            [[lv.level, lv.name, lv.members, lv.share, lv.min_score] for lv in self.levels],
        )

    def out(self) -> dict[str, Any]:
        return {
            "range": self.range.out(),
            "total_members": self.total_members,
            "weights": self.weights,
            "levels": [
                {
                    "level": lv.level,
                    "name": lv.name,
                    "description": lv.description,
                    "members": lv.members,
                    "share": lv.share,
                    "min_score": lv.min_score,
                    "top": [{"user_id": s.user_id, "name": s.name, "score": s.score} for s in lv.top],
                }
                for lv in self.levels
            ],
        }


def _number(value: Any) -> float:
    number = float(value)
    return int(number) if number.is_integer() else round(number, 4)


def levels(session: Session, rng: Range, weights: Mapping[str, float]) -> Levels:
    score = sa.func.sum(weight_expression(weights)).label("score")
    per_member = (
        sa.select(ACTIVITIES.c.actor_id.label("member_id"), score)
        .where(participation(), ACTIVITIES.c.occurred_at >= rng.start_at, ACTIVITIES.c.occurred_at < rng.end_at)
        .group_by(ACTIVITIES.c.actor_id)
        .subquery()
    )
    return rank(session, rng, weights, per_member)


def rank(session: Session, rng: Range, weights: Mapping[str, float], per_member: sa.Subquery) -> Levels:
    """The levels from ``per_member`` (``member_id``, ``score``: each member's score over the range)."""
    listed = sa.and_(MEMBERS.c.status != "deleted", MEMBERS.c.joined_at < rng.end_at)
    # coalesce() keeps the planner off the joined_at index: through it, SQLite looks every
    # member's row up for the status, several times slower than reading the table once.
    scanned = sa.and_(MEMBERS.c.status != "deleted", sa.func.coalesce(MEMBERS.c.joined_at, None) < rng.end_at)
    total = int(session.scalar(sa.select(sa.func.count()).select_from(MEMBERS).where(scanned)) or 0)
    # Every scored member's id and score, best first; names are read for the listed few only
    # (a year of a large community scores tens of thousands of members).
    rows = session.execute(
        sa.select(MEMBERS.c.id, per_member.c.score)
        .join(MEMBERS, MEMBERS.c.id == per_member.c.member_id)
        .where(listed, per_member.c.score > 0)
        .order_by(per_member.c.score.desc(), MEMBERS.c.id)
    ).all()

    def score(at: int) -> float:
        return _number(rows[at][1])

    cuts: list[tuple[int, int]] = []  # each level's [first, end) positions
    at = 0
    for _level, cumulative in LEVELS[:3]:
        assert cumulative is not None
        cut = math.ceil(cumulative * len(rows))
        if cut > at:
            floor = score(cut - 1)
            while cut < len(rows) and score(cut) == floor:
                cut += 1
        cuts.append((at, max(at, cut)))
        at = max(at, cut)
    shown = [k for first, end in cuts for k in range(first, min(end, first + LIST_LIMIT))]
    names = {
        member: (user_id, name)
        for member, user_id, name in session.execute(
            sa.select(MEMBERS.c.id, MEMBERS.c.user_id, MEMBERS.c.display_name).where(
                MEMBERS.c.id.in_([rows[k][0] for k in shown])
            )
        )
    }
    out = []
    words = level_words()
    for (first, end), (level, _share) in zip(cuts, LEVELS[:3], strict=True):
        name, description = words[level]
        top = [Scored(*names[rows[k][0]], score(k)) for k in range(first, min(end, first + LIST_LIMIT))]
        minimum = score(end - 1) if end > first else None
        share = ratio(end - first, total)
        out.append(Level(level, name, description, end - first, share, minimum, top))
    idle = max(0, total - len(rows))
    level = LEVELS[3][0]
    name, description = words[level]
    out.append(Level(level, name, description, idle, ratio(idle, total), None, []))
    return Levels(rng, total, {k: _number(v) for k, v in weights.items()}, out)
