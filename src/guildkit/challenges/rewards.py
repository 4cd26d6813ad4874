"""A completed challenge's reward: an activity of its own, which a rule of this feature rewards.

Each rewarded member gets one ``challenge.completed`` activity (actor: the member, subject:
``challenge:<id>``, key ``challenge:<id>:<user id>``), whose payload carries the challenge's
points and badge as they were when it was completed. :class:`ChallengeReward` (a rule the
plugin registers) turns it into the points and the badge, so the ledger, the rules and the
member's points history see it like any other activity: "You completed the challenge *Spring
answers*". The key makes a second reward of the same challenge to the same member a no-op,
whichever group or path it comes through; ``awarded_at`` on the participant, set in the same
transaction, says it went out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.activity import ActivityInput
from guildkit.challenges import group_service
from guildkit.challenges.models import Challenge, ChallengeParticipant
from guildkit.definitions import source
from guildkit.i18n import N_
from guildkit.models import Member, table_of
from guildkit.notes import Said
from guildkit.rules.base import AwardBadge, AwardPoints

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.metrics import Metric
    from guildkit.registry import Registry
    from guildkit.rules.base import Outcome, RuleContext
    from guildkit.transaction import Transaction

CHALLENGES = table_of(Challenge)
PARTICIPANTS = table_of(ChallengeParticipant)
MEMBERS = table_of(Member)
#: The activity type of a member's reward for a completed challenge.
COMPLETED = "challenge.completed"
#: The notification kind members are told their challenge was completed with.
KIND = "challenge.completed"


def subject_of(challenge_id: int) -> str:
    return f"challenge:{challenge_id}"


def award_key(challenge_id: int, user_id: str) -> str:
    return f"challenge:{challenge_id}:{user_id}"


@dataclass(frozen=True)
class ChallengeReward:
    """The rule: the points and the badge a ``challenge.completed`` activity's payload names, to its actor."""

    name: str = "guildkit.challenges.reward"

    @property
    def triggers(self) -> frozenset[str]:
        return frozenset({COMPLETED})

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return ()

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        activity = ctx.activity
        member, payload = activity.actor_id, activity.payload
        if member is None:
            return
        reason = f"{activity.type} on {activity.subject}"  # the ledger's words come from the activity
        if payload.get("points") and payload.get("point_type"):
            yield AwardPoints(member, str(payload["point_type"]), int(payload["points"]), reason, capped=False)
        if payload.get("badge"):
            yield AwardBadge(member, str(payload["badge"]), 1, reason)

    def describe(self) -> str:
        return "the points and badge of a completed challenge (its activity's payload) to the member"


def payload(challenge: Any) -> dict[str, Any]:
    """What a reward activity carries: the challenge's reward as it is now."""
    return {
        "title": challenge.title,
        "points": challenge.reward_points,
        "point_type": challenge.reward_point_type,
        "badge": challenge.badge,
    }


def known_badge(registry: Registry, challenge: Any) -> bool:
    """Whether this process's registry has the challenge's badge (or it awards none)."""
    return challenge.badge is None or challenge.badge in registry.badges


def award(gk: GuildKit, tx: Transaction, participant_id: int) -> int:
    """Reward a completed participant's member (or its group's members), once; returns how many
    members were newly rewarded. A participant not completed, or already rewarded, gets nothing;
    a group's while no ``gk.groups`` is offered stays due."""
    conn = tx.conn
    participant = conn.execute(
        sa.select(PARTICIPANTS).where(PARTICIPANTS.c.id == participant_id).with_for_update()
    ).one()
    if participant.completed_at is None or participant.awarded_at is not None:
        return 0
    challenge = conn.execute(sa.select(CHALLENGES).where(CHALLENGES.c.id == participant.challenge_id)).one()
    group_name = None
    if participant.member_id is not None:
        member_ids = [participant.member_id]
    else:
        groups = group_service.service(gk)
        if groups is None:
            return 0
        member_ids = groups.members_of(conn, participant.group_id)
        found = group_service.view(gk, participant.group_id)
        group_name = found.name if found is not None else None
    rows = conn.execute(
        sa.select(MEMBERS.c.id, MEMBERS.c.user_id)
        .where(MEMBERS.c.id.in_(sorted(set(member_ids))), MEMBERS.c.status == "active")
        .order_by(MEMBERS.c.id)
    ).all()
    rewarded = 0
    if rows:
        given = payload(challenge)
        items = [
            ActivityInput.build(COMPLETED, key=award_key(challenge.id, user_id), actor=user_id,
                                subject=subject_of(challenge.id), payload=given, now=tx.now)
            for _, user_id in rows
        ]  # fmt: skip
        results = tx.record_inputs(items)
        told = _telling(gk, challenge, group_name)
        for (member_id, _), result in zip(rows, results, strict=True):
            if not result.duplicate:
                rewarded += 1
                tx.tell(member_id, KIND, told, challenge_id=challenge.id, subject=subject_of(challenge.id))
    conn.execute(PARTICIPANTS.update().where(PARTICIPANTS.c.id == participant_id).values(awarded_at=tx.now))
    return rewarded


def _telling(gk: GuildKit, challenge: Any, group: str | None) -> Said:
    """What each rewarded member is told, said again in their language when they read it."""
    values: dict[str, str | int] = {"challenge": challenge.title}
    words: tuple[str, ...] = ()
    if group is not None:
        values["group"] = group
    if challenge.reward_points:
        point_type = gk.registry.point_types.get(challenge.reward_point_type)
        values |= {"points": challenge.reward_points, "unit": source(point_type.name) if point_type else ""}
        words = ("unit",)
        if group is not None:
            message = N_("Your group %(group)s completed the challenge %(challenge)s: +%(points)s %(unit)s.")
        else:
            message = N_("You completed the challenge %(challenge)s: +%(points)s %(unit)s.")
    elif group is not None:
        message = N_("Your group %(group)s completed the challenge %(challenge)s.")
    else:
        message = N_("You completed the challenge %(challenge)s.")
    return Said(message, values, words)
