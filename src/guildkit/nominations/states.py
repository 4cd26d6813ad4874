"""The nomination lifecycle as a table: which action moves a nomination from which state, and who
may take it.

=============  ===================================  ==========================================
state          action (who)                         next state
=============  ===================================  ==========================================
(none)         nominate (any active member)         ``pending``
``pending``    approve (an approver)                ``pending``, or ``approved`` with the last
                                                    approval it needs (the badge is awarded)
``pending``    reject (an approver)                 ``rejected``
``pending``    withdraw (the nominator)             ``withdrawn``
``pending``    expire (guildkit, past its time)     ``expired``
=============  ===================================  ==========================================

``approved``, ``rejected``, ``withdrawn`` and ``expired`` are final: every action on them is an
:class:`~guildkit.errors.InvalidTransition`, and so is any pair the table does not name. An
approver holds the nomination's role, is active, and is neither the nominee nor the nominator;
each votes once.
"""

from __future__ import annotations

from guildkit.errors import InvalidTransition
from guildkit.i18n import gettext as _

ACTIONS = ("approve", "reject", "withdraw", "expire")

#: ``(state, action) → the states it may lead to``; any other pair is refused.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("pending", "approve"): ("pending", "approved"),
    ("pending", "reject"): ("rejected",),
    ("pending", "withdraw"): ("withdrawn",),
    ("pending", "expire"): ("expired",),
}

#: Who may take each action: ``approver``, ``nominator`` or ``system`` (the expiry job).
ACTORS: dict[str, str] = {"approve": "approver", "reject": "approver", "withdraw": "nominator", "expire": "system"}

FINAL_STATES = ("approved", "rejected", "withdrawn", "expired")


def next_state(state: str, action: str, *, reached: bool = False) -> str:
    """Where ``action`` takes a nomination in ``state``; ``reached``: this approval is the last
    one needed. Any pair the table does not allow is an :class:`InvalidTransition`."""
    allowed = TRANSITIONS.get((state, action))
    if allowed is None:
        raise InvalidTransition("nomination", state, action, message=refusal(state, action))
    if action == "approve":
        return "approved" if reached else "pending"
    return allowed[0]


def refusal(state: str, action: str) -> str:
    """Why ``action`` cannot be taken on a nomination in ``state``, as one sentence."""
    if state == "pending":
        return _("a nomination cannot be acted on that way")
    said = {
        "approved": _("this nomination is already approved: it can no longer change"),
        "rejected": _("this nomination was rejected: it can no longer change"),
        "withdrawn": _("this nomination was withdrawn: it can no longer change"),
        "expired": _("this nomination expired: it can no longer change"),
    }
    return said.get(state) or _("this nomination can no longer change")
