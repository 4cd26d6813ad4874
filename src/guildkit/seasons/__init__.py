"""Seasons: named date ranges with their own leaderboards and badges ("Top 10 of Spring 2027").

``gk.seasons`` is a :class:`Seasons`; see ``docs/seasons.md``. The modules, one concept each:
:mod:`.service` (the public methods and who may call them), :mod:`.standings` (the standings
kept from the ledger, and read as a leaderboard), :mod:`.closing` (freezing and the awards),
:mod:`.badges` (the badges seasons define), :mod:`.views` (what is returned).
"""

from guildkit.seasons.service import Seasons
from guildkit.seasons.views import Closed, SeasonBoard, SeasonView

__all__ = ["Closed", "SeasonBoard", "SeasonView", "Seasons"]
