"""The nominations feature's errors, in guildkit's error tree (:mod:`guildkit.errors`)."""

from __future__ import annotations

from guildkit.errors import Conflict, NotFound, ValidationError
from guildkit.i18n import gettext as _


class UnknownNomination(NotFound):
    code = "unknown_nomination"

    def __init__(self, nomination_id: object) -> None:
        super().__init__(_("there is no nomination %(id)s", id=repr(nomination_id)), nomination_id=nomination_id)
        self.nomination_id = nomination_id


class NotNominatable(ValidationError):
    """The badge is unknown, or members may not nominate each other for it."""

    code = "not_nominatable"

    def __init__(self, badge: object, level: object = 1) -> None:
        super().__init__(
            _("members cannot nominate each other for this badge: choose one of the nominatable badges"),
            field="badge",
            badge=badge,
            level=level,
        )
        self.badge = badge


class DuplicateNomination(Conflict):
    """The nominee already has a pending nomination for this badge level."""

    code = "duplicate_nomination"

    def __init__(self, nomination_id: int | None = None) -> None:
        super().__init__(_("this member already has a pending nomination for this badge"), nomination_id=nomination_id)
        self.nomination_id = nomination_id


class AlreadyVoted(Conflict):
    """An approver decides once per nomination."""

    code = "already_voted"

    def __init__(self, nomination_id: int) -> None:
        super().__init__(_("you have already given your decision on this nomination"), nomination_id=nomination_id)
        self.nomination_id = nomination_id
