"""The job (``guildkit.challenges.upkeep``): weekly series, ended challenges, rewards still due.

Each part is safe to repeat and to run in several processes at once:

* **Weekly series.** A weekly challenge is a chain of instances, each a challenge row of its
  own (its own participants and counts), pointing at the one it follows (``previous_id``,
  unique) and at the first of the chain (``series_id``); all share the first's badge. When an
  instance is within ``GUILDKIT_CHALLENGES_OPEN_AHEAD_HOURS`` of its end, the job opens the next:
  same title, steps and reward, a week later (later still when weeks were missed: never one that
  is already over). Members join each week's instance. Closing an instance ends its series.
  Two jobs opening the same week collide on ``previous_id``: one row, whoever wins.
* **Ended challenges.** Their progress rows stop being ``active`` (``settled_at`` says it was
  done): the counting ``UPDATE`` already ignores them by their end, and this keeps the rows it
  looks through to those of open challenges, however many ended before.
* **Rewards due.** Participants completed but not rewarded: a group's members (rewarded right
  after the completion commits, here if that failed) and whatever a crash left.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app

from guildkit.challenges import rewards
from guildkit.challenges.models import Challenge, ChallengeParticipant, ChallengeProgress, ChallengeStep
from guildkit.models import table_of
from guildkit.store import upsert

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

CHALLENGES = table_of(Challenge)
STEPS = table_of(ChallengeStep)
PARTICIPANTS = table_of(ChallengeParticipant)
PROGRESS = table_of(ChallengeProgress)
WEEK = timedelta(days=7)
#: Copied from an instance to the next.
_KEPT = (
    "title", "description", "audience", "group_id", "ordered", "reward_points", "reward_point_type", "badge",
    "recurrence", "created_by",
)  # fmt: skip


def run(gk: GuildKit) -> dict[str, Any]:
    opened = open_next_weeks(gk)
    settled = settle(gk)
    awarded = award_due(gk)
    return {"opened": opened, "settled": settled, "awarded": awarded}


def next_week(previous: Any, now: datetime) -> tuple[datetime, datetime]:
    """The next instance's range: a week after ``previous``'s, or as many weeks as it takes to
    end after ``now``."""
    weeks = 1
    while previous.ends_at + weeks * WEEK <= now:
        weeks += 1
    return previous.starts_at + weeks * WEEK, previous.ends_at + weeks * WEEK


def open_next_weeks(gk: GuildKit) -> list[int]:
    """Open the next instance of every weekly series due; returns the new challenges' ids."""
    now = gk.clock()
    ahead = timedelta(hours=current_app.config["GUILDKIT_CHALLENGES_OPEN_AHEAD_HOURS"])
    following = sa.orm.aliased(Challenge)
    with gk.store.engine.connect() as conn:
        due = (
            conn.execute(
                sa.select(CHALLENGES.c.id)
                .where(
                    CHALLENGES.c.recurrence == "weekly",
                    CHALLENGES.c.closed_at.is_(None),
                    CHALLENGES.c.ends_at <= now + ahead,
                    ~sa.exists().where(following.previous_id == CHALLENGES.c.id),
                )
                .order_by(CHALLENGES.c.id)
            )
            .scalars()
            .all()
        )
    opened = []
    for previous_id in due:
        made = gk.store.run_write(lambda conn, previous_id=previous_id: _open_next(conn, previous_id, gk.clock()))
        if made is not None:
            opened.append(made)
    return opened


def _open_next(conn: sa.Connection, previous_id: int, now: datetime) -> int | None:
    previous = conn.execute(sa.select(CHALLENGES).where(CHALLENGES.c.id == previous_id)).one()
    if previous.closed_at is not None:
        return None
    starts_at, ends_at = next_week(previous, now)
    values = {name: getattr(previous, name) for name in _KEPT}
    made = conn.execute(
        upsert(conn.dialect.name, CHALLENGES, ("previous_id",), returning=("id",)).values(
            **values, starts_at=starts_at, ends_at=ends_at, previous_id=previous_id,
            series_id=previous.series_id or previous.id, created_at=now, revision=1,
        )
    ).first()  # fmt: skip
    if made is None:
        return None  # another process opened it
    steps = conn.execute(
        sa.select(STEPS.c.position, STEPS.c.activity_type, STEPS.c.count, STEPS.c.audience).where(
            STEPS.c.challenge_id == previous_id
        )
    ).all()
    window = {"starts_at": starts_at, "ends_at": ends_at, "open": True}
    conn.execute(STEPS.insert(), [{"challenge_id": made.id, **step._asdict(), **window} for step in steps])
    return int(made.id)


def settle(gk: GuildKit) -> int:
    """Stop the rows of the challenges that ended counting; returns how many challenges."""
    now = gk.clock()

    def body(conn: sa.Connection) -> int:
        ended = (
            conn.execute(
                sa.select(CHALLENGES.c.id)
                .where(CHALLENGES.c.settled_at.is_(None), CHALLENGES.c.ends_at <= now)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        if ended:
            conn.execute(
                PROGRESS.update().where(PROGRESS.c.challenge_id.in_(ended), PROGRESS.c.active).values(active=False)
            )
            conn.execute(CHALLENGES.update().where(CHALLENGES.c.id.in_(ended)).values(settled_at=now))
        return len(ended)

    settled: int = gk.store.run_write(body)
    return settled


def award_due(gk: GuildKit, participant_id: int | None = None) -> int:
    """Reward the completed participants not rewarded yet (see :func:`guildkit.challenges.rewards.award`)."""
    query = (
        sa.select(PARTICIPANTS.c.id, CHALLENGES.c.badge)
        .join(CHALLENGES, CHALLENGES.c.id == PARTICIPANTS.c.challenge_id)
        .where(PARTICIPANTS.c.completed_at.is_not(None), PARTICIPANTS.c.awarded_at.is_(None))
        .order_by(PARTICIPANTS.c.id)
    )
    if participant_id is not None:
        query = query.where(PARTICIPANTS.c.id == participant_id)
    with gk.store.engine.connect() as conn:
        due = conn.execute(query).all()
    rewarded = 0
    for found, badge in due:
        if badge is not None and badge not in gk.registry.badges:
            gk.reload_definitions()  # a badge made in another process since this one built its registry

        def body(tx: Transaction, found: int = found) -> int:
            return rewards.award(gk, tx, found)

        rewarded += gk.transaction(body)
    return rewarded
