"""The hooks of the groups feature, the records they carry, and their signals (see docs/hooks.md).

Both are *told* after the transaction that made the change has committed: an exception in an
implementation is logged and recorded, never undoes the change. Each carries one frozen record,
so a webhook serialises it with ``dataclasses.asdict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class GroupJoined:
    """A member became a member of a group."""

    group_id: int
    group_slug: str
    group_name: str
    user_id: str
    member_id: int
    #: ``owner``, ``maintainer`` or ``member``.
    role: str
    #: How: ``join`` (an open group), ``approve`` (a request approved), ``accept`` (an invitation
    #: accepted), ``create`` (made the group) or ``add`` (host code).
    via: str
    #: The host user id of who let them in (the approver), or ``None``.
    by: str | None


@dataclass(frozen=True)
class GroupGoalReached:
    """A group reached one of its goals for a period (once per goal and period)."""

    group_id: int
    group_slug: str
    group_name: str
    goal_id: int
    goal_name: str
    activity_type: str
    target: int
    #: The period's count when it was reached (at least ``target``).
    count: int
    period_start: datetime
    #: ``None`` for the running period of an open-ended recurring goal.
    period_end: datetime | None
    reached_at: datetime
    #: The badge the group earned, and its contributors with it.
    badge: str


#: A member joined a group. Sender: ``GuildKit``; kwargs: ``joined`` (GroupJoined).
group_joined = declare("group_joined")

#: A group reached a goal. Sender: ``GuildKit``; kwargs: ``reached`` (GroupGoalReached).
group_goal_reached = declare("group_goal_reached")


@hookspec
def guildkit_group_joined(gk: GuildKit, joined: GroupJoined) -> None:
    """A member joined a group (by joining, an approved request, an accepted invitation, or host code).

    Called after the membership is committed, once per membership: leaving and joining again
    tells it again.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param joined: the group, the member, their role, how they came in and who let them in.
    """


@hookspec
def guildkit_group_goal_reached(gk: GuildKit, reached: GroupGoalReached) -> None:
    """A group reached a goal: exactly once per goal and period, however many activities finished it at once.

    Called after the recording transaction that reached it has committed; the group's badge row
    is stored by then. The contributors' badges are awarded in a transaction of their own right
    after (the groups feature does it first among this hook's implementations, and its job
    retries what a crash left due), so an implementation may read them.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param reached: the group, the goal, the period and its count, and the badge earned.
    """
