"""Counting recorded activities toward challenges: incremental, in the recording transaction.

The plugin implements the core hook ``guildkit_activities_applied``: once per pass of the
recording pipeline, inside its transaction, with the activities it stored. For them:

1. **Which kinds count** — one seek of the steps' ``(activity_type, ends_at)`` index: whether
   open steps count these types, for members or for groups. A pass whose types no open step
   counts ends here, after that one statement.
2. **Counting** — per activity, one ``UPDATE … SET count = count + 1 … RETURNING`` over the
   progress rows of its actor (and, for group challenges, of the actor's groups, from
   ``gk.groups.group_ids_of``) whose step is open, counts this type and whose window holds the
   activity. The statement keys on an index of the member (or group), the type and ``active``,
   and reads nothing else: its cost does not grow with the history. A step's row stops being
   ``active`` in the same statement that brings it to its target.
3. **A step finished** (the returned count reached the target) — one ``UPDATE`` of the
   participant: ``steps_done + 1``, and ``completed_at`` when that was the last step, under
   ``completed_at IS NULL``; in order, the next step's row opens. Each step reaches its target
   once (the row lock, or SQLite's write lock, serialises the increments, and ``count < target``
   is part of the match), so each participant completes exactly once, whatever runs at once.
4. **Completed** — a member is rewarded in this same transaction (:mod:`.rewards`); a group's
   members just after the commit (recording for many members here would lock them while their
   own activities wait on the group's rows), through the feature's own
   ``guildkit_challenge_completed`` implementation, with the job as the backstop. Everyone is
   told ``guildkit_challenge_completed`` after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.challenges import group_service, rewards
from guildkit.challenges.hookspecs import ChallengeCompletion
from guildkit.challenges.models import Challenge, ChallengeParticipant, ChallengeProgress, ChallengeStep
from guildkit.models import Member, table_of
from guildkit.models.base import UTCDateTime
from guildkit.store import Prepared, fetch, in_list

if TYPE_CHECKING:
    from guildkit.activity import ActivityView
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

CHALLENGES = table_of(Challenge)
STEPS = table_of(ChallengeStep)
PARTICIPANTS = table_of(ChallengeParticipant)
PROGRESS = table_of(ChallengeProgress)
MEMBERS = table_of(Member)
_WHEN = UTCDateTime()


def _counting(types: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """The kinds of counting the open steps do for these types: (activity type, audience), once
    per open step (a few rows: no DISTINCT, whose temporary tree costs more than the rows)."""
    return sa.select(STEPS.c.activity_type, STEPS.c.audience).where(
        types,
        STEPS.c.ends_at > sa.bindparam("first", type_=_WHEN),
        STEPS.c.starts_at <= sa.bindparam("last", type_=_WHEN),
        STEPS.c.open == sa.true(),
    )


#: For one activity type (the usual pass: one ``gk.record``), and for several (a batch).
COUNTING_ONE = Prepared(lambda dialect: _counting(STEPS.c.activity_type == sa.bindparam("t", type_=sa.String)))
COUNTING_MANY = Prepared(lambda dialect: _counting(in_list(STEPS.c.activity_type, "types", dialect)))


def _increment(key: sa.ColumnElement[bool]) -> sa.Update:
    return (
        PROGRESS.update()
        .where(
            key,
            PROGRESS.c.activity_type == sa.bindparam("t", type_=PROGRESS.c.activity_type.type),
            PROGRESS.c.active == sa.true(),
            PROGRESS.c.counts_from <= sa.bindparam("at", type_=_WHEN),
            PROGRESS.c.ends_at > sa.bindparam("at", type_=_WHEN),
        )
        .values(
            count=PROGRESS.c.count + 1,
            active=sa.case((PROGRESS.c.count + 1 < PROGRESS.c.target, sa.true()), else_=sa.false()),
        )
        .returning(PROGRESS.c.participant_id, PROGRESS.c.position, PROGRESS.c.count, PROGRESS.c.target)
    )


#: One activity on its actor's own progress rows.
BY_MEMBER = Prepared(lambda dialect: _increment(PROGRESS.c.member_id == sa.bindparam("m", type_=sa.Integer)))
#: One activity on the progress rows of its actor's groups.
BY_GROUP = Prepared(lambda dialect: _increment(in_list(PROGRESS.c.group_id, "g", dialect)))


def count(gk: GuildKit, tx: Transaction, activities: Sequence[ActivityView]) -> None:
    """Move the progress rows these activities count for (see the module's docstring)."""
    done = [a for a in activities if a.actor_id is not None]
    if not done:
        return
    conn = tx.conn
    types = sorted({a.type for a in done})
    window = {"first": min(a.occurred_at for a in done), "last": max(a.occurred_at for a in done)}
    if len(types) == 1:
        found = fetch(conn, COUNTING_ONE, window | {"t": types[0]})
    else:
        found = fetch(conn, COUNTING_MANY, window | {"types": types})
    kinds = {(t, audience) for t, audience in found}
    if not kinds:
        return
    groups_of: dict[int, list[int]] = {}
    for activity in done:
        actor = activity.actor_id
        assert actor is not None
        values = {"t": activity.type, "at": activity.occurred_at}
        finished: list[Any] = []
        if (activity.type, "individual") in kinds:
            finished += fetch(conn, BY_MEMBER, values | {"m": actor})
        if (activity.type, "group") in kinds:
            ids = groups_of.get(actor)
            if ids is None:
                groups = group_service.service(gk)
                ids = groups_of[actor] = sorted(groups.group_ids_of(conn, actor)) if groups is not None else []
            if ids:
                finished += fetch(conn, BY_GROUP, values | {"g": ids})
        for participant_id, position, reached, target in finished:
            if reached >= target:
                _step_finished(gk, tx, participant_id, position)


def _step_finished(gk: GuildKit, tx: Transaction, participant_id: int, position: int) -> None:
    conn = tx.conn
    now = sa.bindparam("now", tx.now, type_=_WHEN)
    row = conn.execute(
        PARTICIPANTS.update()
        .where(PARTICIPANTS.c.id == participant_id, PARTICIPANTS.c.completed_at.is_(None))
        .values(
            steps_done=PARTICIPANTS.c.steps_done + 1,
            completed_at=sa.case((PARTICIPANTS.c.steps_done + 1 >= PARTICIPANTS.c.steps_total, now), else_=sa.null()),
        )
        .returning(PARTICIPANTS.c.challenge_id, PARTICIPANTS.c.completed_at)
    ).first()
    if row is None:
        return
    if row.completed_at is None:
        # In order, the next step opens now; in any order it is open already, or finished.
        conn.execute(
            PROGRESS.update()
            .where(
                PROGRESS.c.participant_id == participant_id,
                PROGRESS.c.position == position + 1,
                PROGRESS.c.count < PROGRESS.c.target,
            )
            .values(active=True)
        )
        return
    _completed(gk, tx, participant_id, row.challenge_id, row.completed_at)


def _completed(gk: GuildKit, tx: Transaction, participant_id: int, challenge_id: int, when: datetime) -> None:
    conn = tx.conn
    challenge = conn.execute(sa.select(CHALLENGES).where(CHALLENGES.c.id == challenge_id)).one()
    who = conn.execute(
        sa.select(PARTICIPANTS.c.group_id, MEMBERS.c.user_id)
        .select_from(PARTICIPANTS)
        .outerjoin(MEMBERS, MEMBERS.c.id == PARTICIPANTS.c.member_id)
        .where(PARTICIPANTS.c.id == participant_id)
    ).one()
    if who.user_id is not None and rewards.known_badge(gk.registry, challenge):
        rewards.award(gk, tx, participant_id)
    tx.announce(
        "challenge_completed",
        completion=ChallengeCompletion(
            challenge_id=challenge.id, title=challenge.title, participant_id=participant_id, user_id=who.user_id,
            group_id=who.group_id, completed_at=when, reward_points=challenge.reward_points,
            reward_point_type=challenge.reward_point_type, badge=challenge.badge,
        ),
    )  # fmt: skip
