"""Reading challenges: one challenge or a page of them, their participants, a member's progress.

Every read is a few index reads: a page of challenges with their steps and counts (three
queries), a page of participants, and a member's own participations (theirs and their groups')
with their progress rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from guildkit.challenges.models import Challenge, ChallengeParticipant, ChallengeProgress, ChallengeStep
from guildkit.challenges.views import ChallengeView, ParticipantView, StepProgress, StepView
from guildkit.models import Member, table_of

CHALLENGES = table_of(Challenge)
STEPS = table_of(ChallengeStep)
PARTICIPANTS = table_of(ChallengeParticipant)
PROGRESS = table_of(ChallengeProgress)
MEMBERS = table_of(Member)


def select_challenges() -> sa.Select[Any]:
    creator = aliased(Member)
    return sa.select(CHALLENGES, creator.user_id.label("creator")).outerjoin(
        creator, creator.id == CHALLENGES.c.created_by
    )


def views(conn: sa.Connection, rows: Sequence[Any], now: datetime) -> list[ChallengeView]:
    """Challenge rows as views, with their steps and how many joined and completed."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    steps: dict[int, list[StepView]] = defaultdict(list)
    for step in conn.execute(
        sa.select(STEPS.c.challenge_id, STEPS.c.position, STEPS.c.activity_type, STEPS.c.count.label("times"))
        .where(STEPS.c.challenge_id.in_(ids))
        .order_by(STEPS.c.challenge_id, STEPS.c.position)
    ):
        steps[step.challenge_id].append(StepView(step.position, step.activity_type, step.times))
    counts = {
        row.challenge_id: (int(row.joined), int(row.completed or 0))
        for row in conn.execute(
            sa.select(
                PARTICIPANTS.c.challenge_id,
                sa.func.count().label("joined"),
                sa.func.count(PARTICIPANTS.c.completed_at).label("completed"),
            )
            .where(PARTICIPANTS.c.challenge_id.in_(ids))
            .group_by(PARTICIPANTS.c.challenge_id)
        )
    }
    return [ChallengeView.of(row, tuple(steps[row.id]), *counts.get(row.id, (0, 0)), now) for row in rows]


def page(
    conn: sa.Connection, state: str | None, now: datetime, limit: int, after: tuple[datetime, int] | None
) -> list[Any]:
    """Up to ``limit`` challenge rows: running and upcoming soonest ending first, finished latest
    ending first (``state``: only those), after the ``(ends_at, id)`` of the last row seen."""
    query = select_challenges()
    finished = sa.or_(CHALLENGES.c.closed_at.is_not(None), CHALLENGES.c.ends_at <= now)
    if state == "finished":
        query = query.where(finished)
    elif state is not None:
        query = query.where(sa.not_(finished))
        started = CHALLENGES.c.starts_at <= now
        query = query.where(started if state == "running" else sa.not_(started))
    descending = state == "finished"
    key = (CHALLENGES.c.ends_at, CHALLENGES.c.id)
    if after is not None:
        at, last = after
        if descending:
            query = query.where(sa.or_(key[0] < at, sa.and_(key[0] == at, key[1] < last)))
        else:
            query = query.where(sa.or_(key[0] > at, sa.and_(key[0] == at, key[1] > last)))
    order = (key[0].desc(), key[1].desc()) if descending else key
    return list(conn.execute(query.order_by(*order).limit(limit)).all())


def participants(
    conn: sa.Connection, challenge_id: int, limit: int, after: tuple[datetime, int] | None
) -> list[ParticipantView]:
    """Participants in the order they joined (members who are not active or chose to be left off
    leaderboards are not listed); ``after`` the ``(joined_at, id)`` of the last one seen."""
    joiner = aliased(Member)
    query = (
        sa.select(PARTICIPANTS, MEMBERS.c.user_id, MEMBERS.c.display_name, joiner.user_id.label("joiner"))
        .outerjoin(MEMBERS, MEMBERS.c.id == PARTICIPANTS.c.member_id)
        .join(joiner, joiner.id == PARTICIPANTS.c.joined_by)
        .where(
            PARTICIPANTS.c.challenge_id == challenge_id,
            sa.or_(
                PARTICIPANTS.c.member_id.is_(None),
                sa.and_(MEMBERS.c.status == "active", MEMBERS.c.leaderboard_opt_out == sa.false()),
            ),
        )
    )
    if after is not None:
        at, last = after
        query = query.where(
            sa.or_(PARTICIPANTS.c.joined_at > at, sa.and_(PARTICIPANTS.c.joined_at == at, PARTICIPANTS.c.id > last))
        )
    rows = conn.execute(query.order_by(PARTICIPANTS.c.joined_at, PARTICIPANTS.c.id).limit(limit)).all()
    return [_participant(row) for row in rows]


def mine(conn: sa.Connection, challenge_id: int, member_id: int, group_ids: Iterable[int]) -> list[ParticipantView]:
    """The member's own participation and their groups', each with its steps' progress."""
    joiner = aliased(Member)
    who = [PARTICIPANTS.c.member_id == member_id]
    groups = sorted(set(group_ids))
    if groups:
        who.append(PARTICIPANTS.c.group_id.in_(groups))
    rows = conn.execute(
        sa.select(PARTICIPANTS, MEMBERS.c.user_id, MEMBERS.c.display_name, joiner.user_id.label("joiner"))
        .outerjoin(MEMBERS, MEMBERS.c.id == PARTICIPANTS.c.member_id)
        .join(joiner, joiner.id == PARTICIPANTS.c.joined_by)
        .where(PARTICIPANTS.c.challenge_id == challenge_id, sa.or_(*who))
        .order_by(PARTICIPANTS.c.group_id.is_not(None), PARTICIPANTS.c.id)
    ).all()
    return with_steps(conn, [_participant(row) for row in rows])


def one(conn: sa.Connection, participant_id: int) -> ParticipantView:
    joiner = aliased(Member)
    row = conn.execute(
        sa.select(PARTICIPANTS, MEMBERS.c.user_id, MEMBERS.c.display_name, joiner.user_id.label("joiner"))
        .outerjoin(MEMBERS, MEMBERS.c.id == PARTICIPANTS.c.member_id)
        .join(joiner, joiner.id == PARTICIPANTS.c.joined_by)
        .where(PARTICIPANTS.c.id == participant_id)
    ).one()
    return with_steps(conn, [_participant(row)])[0]


def with_steps(conn: sa.Connection, found: list[ParticipantView]) -> list[ParticipantView]:
    if not found:
        return []
    steps: dict[int, list[StepProgress]] = defaultdict(list)
    for row in conn.execute(
        sa.select(PROGRESS, PROGRESS.c.count.label("counted"))
        .where(PROGRESS.c.participant_id.in_([p.id for p in found]))
        .order_by(PROGRESS.c.participant_id, PROGRESS.c.position)
    ):
        steps[row.participant_id].append(
            StepProgress(row.position, row.activity_type, row.counted, row.target, bool(row.active))
        )
    return [replace(p, steps=tuple(steps[p.id])) for p in found]


def _participant(row: Any) -> ParticipantView:
    return ParticipantView(
        id=row.id,
        challenge_id=row.challenge_id,
        user_id=row.user_id,
        name=row.display_name,
        group_id=row.group_id,
        joined_by=row.joiner,
        joined_at=row.joined_at,
        steps_done=row.steps_done,
        steps_total=row.steps_total,
        completed_at=row.completed_at,
        awarded_at=row.awarded_at,
    )
