"""The streaks feature's errors, in guildkit's error tree (:mod:`guildkit.errors`).

The API answers each with its status: a bad field is 422 naming it, an unknown absence 404, an
absence that already started 409. Messages are said in the reader's language.
"""

from __future__ import annotations

from guildkit.errors import Conflict, NotFound
from guildkit.i18n import gettext as _


class UnknownAbsence(NotFound):
    code = "unknown_absence"

    def __init__(self, absence_id: object) -> None:
        super().__init__(_("no such absence of yours"), absence_id=absence_id)
        self.absence_id = absence_id


class AbsenceStarted(Conflict):
    """Only an absence that has not started yet may be cancelled."""

    code = "absence_started"

    def __init__(self, absence_id: int) -> None:
        super().__init__(_("this absence has started: only a future absence can be cancelled"), absence_id=absence_id)
        self.absence_id = absence_id
