"""Kudos: members recognising each other with a short message, from a budget that refills.

``gk.kudos`` is a :class:`Kudos`; see ``docs/kudos.md``. The modules, one concept each:
:mod:`.service` (giving and reading), :mod:`.budget` (periods, and spending a budget in the
database), :mod:`.rewards` (the default point type, rule and badge), :mod:`.words` (what members
read about the ``kudos.given`` activity), :mod:`.views` (what is returned), :mod:`.errors`.
"""

from guildkit.kudos.service import Kudos
from guildkit.kudos.views import BudgetView, KudosPage, KudosView

__all__ = ["BudgetView", "Kudos", "KudosPage", "KudosView"]
