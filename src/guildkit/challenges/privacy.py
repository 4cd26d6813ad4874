"""The challenges feature's part of a member's data rights: the challenges they took part in (or
entered a group in), with their count on each step, and those they made, are in their export.

Erasing needs nothing here: participants and counts name the member by its row, which the
erasure pseudonymises, so each challenge's participants and completions still add up; the
rewards are ordinary activities and ledger rows, which the core's erasure handles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.challenges.models import Challenge, ChallengeParticipant, ChallengeProgress
from guildkit.models import table_of
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.models import Member

CHALLENGES = table_of(Challenge)
PARTICIPANTS = table_of(ChallengeParticipant)
PROGRESS = table_of(ChallengeProgress)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any] | None:
    taking_part = rows(
        conn,
        sa.select(
            PARTICIPANTS.c.challenge_id, CHALLENGES.c.title, PARTICIPANTS.c.group_id, PARTICIPANTS.c.joined_at,
            PARTICIPANTS.c.steps_done, PARTICIPANTS.c.steps_total, PARTICIPANTS.c.completed_at,
        )
        .join(CHALLENGES, CHALLENGES.c.id == PARTICIPANTS.c.challenge_id)
        .where(sa.or_(PARTICIPANTS.c.member_id == member.id, PARTICIPANTS.c.joined_by == member.id))
        .order_by(PARTICIPANTS.c.id),
    )  # fmt: skip
    counts = rows(
        conn,
        sa.select(PROGRESS.c.challenge_id, PROGRESS.c.position, PROGRESS.c.activity_type, PROGRESS.c.count,
                  PROGRESS.c.target)
        .where(PROGRESS.c.member_id == member.id)
        .order_by(PROGRESS.c.challenge_id, PROGRESS.c.position),
    )  # fmt: skip
    made = rows(
        conn,
        sa.select(CHALLENGES.c.id, CHALLENGES.c.title, CHALLENGES.c.created_at)
        .where(CHALLENGES.c.created_by == member.id)
        .order_by(CHALLENGES.c.id),
    )
    if not (taking_part or counts or made):
        return None
    return {"taking_part": taking_part, "step_counts": counts, "made": made}
