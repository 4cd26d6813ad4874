"""Nominations: a member nominates another for a badge with a reason; approvers from a role decide.

``gk.nominations`` is a :class:`Nominations`; see ``docs/nominations.md``. The modules, one
concept each: :mod:`.service` (the public methods), :mod:`.states` (the transition table),
:mod:`.lifecycle` (the transactions: nominate, vote, award, withdraw, expire), :mod:`.badges`
(what may be nominated), :mod:`.notices` (who is told what), :mod:`.views` (what is returned).
"""

from guildkit.nominations.badges import Nominatable
from guildkit.nominations.hookspecs import NominationDecided
from guildkit.nominations.service import Nominations
from guildkit.nominations.views import NominationView, VoteView

__all__ = ["Nominatable", "NominationDecided", "NominationView", "Nominations", "VoteView"]
