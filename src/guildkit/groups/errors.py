"""The groups feature's errors, in guildkit's error tree (:mod:`guildkit.errors`).

Each says what happened in a sentence a member can read (``gettext``), and carries what a
caller needs to react (the group, the state, the action).
"""

from __future__ import annotations

from guildkit.errors import CapacityReached, InvalidTransition, NotAllowed, NotFound
from guildkit.i18n import gettext as _


class UnknownGroup(NotFound):
    code = "unknown_group"

    def __init__(self, group: str | int) -> None:
        super().__init__(_("there is no group %(group)s", group=repr(group)), group=group)
        self.group = group


class UnknownGoal(NotFound):
    code = "unknown_goal"

    def __init__(self, goal_id: object) -> None:
        super().__init__(_("there is no goal %(goal)s in this group", goal=repr(goal_id)), goal_id=goal_id)
        self.goal_id = goal_id


class MembershipRefused(InvalidTransition):
    """A membership action the member's state does not allow (joining twice, accepting no
    invitation): see :mod:`guildkit.groups.transitions`."""

    code = "membership_refused"


class PolicyRefused(NotAllowed):
    """The group's policy does not take this way in (joining an invite-only group)."""

    code = "group_policy"

    def __init__(self, message: str, *, policy: str, action: str) -> None:
        super().__init__(message, policy=policy, action=action)
        self.policy = policy
        self.action = action


class GroupFull(CapacityReached):
    code = "group_full"

    def __init__(self, slug: str, capacity: int) -> None:
        super().__init__(
            _("the group is full: it takes at most %(capacity)s members", capacity=capacity),
            group=slug,
            capacity=capacity,
        )
        self.capacity = capacity


class TooManyGroups(CapacityReached):
    code = "too_many_groups"

    def __init__(self, user_id: str, most: int) -> None:
        super().__init__(
            _("a member may belong to at most %(most)s groups: leave one first", most=most), user_id=user_id, most=most
        )
        self.most = most
