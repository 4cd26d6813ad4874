"""Groups: teams, chapters, cohorts and interest groups members belong to, with goals and team boards.

``gk.groups`` is a :class:`Groups`; see ``docs/groups.md``. The modules, one concept each:
:mod:`.service` (the public methods), :mod:`.transitions` (the membership machine, as a table),
:mod:`.membership` (taking an action: policy, capacity, who may), :mod:`.goals` (making and
reading goals), :mod:`.counting` (counting activities toward them, incrementally),
:mod:`.awarding` (a reached goal's badges), :mod:`.badges` (the badges goals define),
:mod:`.boards` (the team board), :mod:`.views` (what is returned).
"""

from guildkit.groups.service import Groups
from guildkit.groups.views import GoalView, GroupBadgeView, GroupView, Membership, Progress, TeamStanding

__all__ = ["GoalView", "GroupBadgeView", "GroupView", "Groups", "Membership", "Progress", "TeamStanding"]
