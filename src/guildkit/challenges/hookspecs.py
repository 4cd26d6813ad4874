"""The hook of the challenges feature, the record it carries, and its signal (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class ChallengeCompletion:
    """A member, or a group, completed every step of a challenge (once per participant).

    ``user_id`` is the member who completed it (an individual challenge), ``group_id`` the group
    (a group challenge: its members are rewarded). The reward is the challenge's
    ``reward_points`` of ``reward_point_type`` and ``badge``, each ``None`` when it has none.
    """

    challenge_id: int
    title: str
    participant_id: int
    user_id: str | None
    group_id: int | None
    completed_at: datetime
    reward_points: int | None
    reward_point_type: str | None
    badge: str | None


#: A challenge was completed. Sender: ``GuildKit``; kwargs: ``completion`` (ChallengeCompletion).
challenge_completed = declare("challenge_completed")


@hookspec
def guildkit_challenge_completed(gk: GuildKit, completion: ChallengeCompletion) -> None:
    """A member or a group completed a challenge: every step counted to its end.

    Called once per participant, after the transaction that recorded the completing activity
    has committed. A member's reward is recorded in that same transaction; a group's members
    are rewarded in a transaction of their own right after it, by the feature's own
    implementation, which runs first (``tryfirst``); should that fail, the feature's job rewards
    them later, so a group's members may not hold the reward yet when this is called.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param completion: the challenge, who completed it and when, and its reward.
    """
