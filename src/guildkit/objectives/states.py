"""An objective's lifecycle as a table: which action moves it from which state, and who takes it.

============  ===============================  ===========================================
state         action (who)                     next state
============  ===============================  ===========================================
(none)        create (a manager)               ``active``
``active``    edit (a manager)                 ``active``
``active``    archive (a manager)              ``archived``
``active``    meet (the due-date job)          ``met``: the KPI reached the target
``active``    miss (the due-date job)          ``missed``: it did not (or nothing to measure)
``met``       archive (a manager)              ``archived`` (the outcome is kept)
``missed``    archive (a manager)              ``archived`` (the outcome is kept)
``archived``  restore (a manager)              ``met`` or ``missed`` as decided, else ``active``
============  ===============================  ===========================================

Any pair the table does not name is an :class:`~guildkit.errors.InvalidTransition`: a decided
objective is a record and no longer changes (archive it and set a new one), an archived one is
restored before it is changed, and only an active one is decided, once.
"""

from __future__ import annotations

from guildkit.errors import InvalidTransition
from guildkit.i18n import gettext as _

ACTIONS = ("edit", "archive", "restore", "meet", "miss")

#: ``(state, action) → the states it may lead to``; any other pair is refused.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("active", "edit"): ("active",),
    ("active", "archive"): ("archived",),
    ("active", "meet"): ("met",),
    ("active", "miss"): ("missed",),
    ("met", "archive"): ("archived",),
    ("missed", "archive"): ("archived",),
    ("archived", "restore"): ("active", "met", "missed"),
}

#: Who takes each action: ``manager`` (``objectives.manage``) or ``system`` (the due-date job).
ACTORS: dict[str, str] = {"edit": "manager", "archive": "manager", "restore": "manager", "meet": "system",
                          "miss": "system"}  # fmt: skip


def next_state(state: str, action: str, outcome: str | None = None) -> str:
    """Where ``action`` takes an objective in ``state`` (``outcome``: the decision an archived one
    keeps). Any pair the table does not allow is an :class:`InvalidTransition`."""
    allowed = TRANSITIONS.get((state, action))
    if allowed is None:
        raise InvalidTransition("objective", state, action, message=refusal(state, action))
    if action == "restore":
        return outcome or "active"
    return allowed[0]


def refusal(state: str, action: str) -> str:
    """Why ``action`` cannot be taken on an objective in ``state``, as one sentence."""
    if action in ("meet", "miss"):
        return _("only an active objective can be decided")
    if action == "restore":
        return _("only an archived objective can be restored")
    if state == "archived" and action == "archive":
        return _("this objective is already archived")
    if state == "archived":
        return _("this objective is archived: restore it to change it")
    if state in ("met", "missed"):
        return _("this objective is decided: it can no longer change (archive it and set a new one)")
    return _("an objective cannot be changed that way")
