"""Community objectives: targets on the analytics KPIs by a date ("MAU 1,200 by 30 June"), with
their progress, trend and whether they are on track.

``gk.objectives`` is an :class:`Objectives`; see ``docs/objectives.md``. The modules, one concept
each: :mod:`.service` (the public methods and who may call them), :mod:`.states` (the lifecycle
table), :mod:`.progress` (progress, projection and the on-track rule), :mod:`.readings` (the KPI
readings of the trends, from ``gk.analytics``), :mod:`.views` (what is returned).
"""

from guildkit.objectives.progress import Standing
from guildkit.objectives.service import Objectives
from guildkit.objectives.views import ObjectiveView, Upkept

__all__ = ["ObjectiveView", "Objectives", "Standing", "Upkept"]
