"""Challenges and quests: time-boxed goals of one or more steps, for members or groups.

``gk.challenges`` is a :class:`Challenges`; see ``docs/challenges.md``. The modules, one concept
each: :mod:`.service` (the public methods and who may call them), :mod:`.checks` (a new
challenge's fields), :mod:`.progress` (counting recorded activities), :mod:`.rewards` (the reward
and its rule), :mod:`.upkeep` (weekly series and the job), :mod:`.badges` (the badges challenges
define), :mod:`.reads` and :mod:`.views` (what is read and returned), :mod:`.group_service` (groups,
through ``gk.groups`` only).
"""

from guildkit.challenges.hookspecs import ChallengeCompletion
from guildkit.challenges.service import Challenges
from guildkit.challenges.views import ChallengeView, ParticipantView, StepProgress, StepView

__all__ = ["ChallengeCompletion", "ChallengeView", "Challenges", "ParticipantView", "StepProgress", "StepView"]
