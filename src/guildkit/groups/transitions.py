"""The membership machine: where a member stands with a group, and what each action does.

A member and a group are in one of :data:`STATES` (``none``: no row at all). :data:`TABLE` is
the whole machine, written as a table: ``(state, action) -> new state``; a pair that is not in
it is refused with :class:`~guildkit.groups.errors.MembershipRefused` and nothing is written.

=============  ==========  ============  ==========  ==========
action         from none   requested     invited     member
=============  ==========  ============  ==========  ==========
``join``       member      —             —           —
``request``    requested   —             —           —
``withdraw``   —           none          —           —
``approve``    —           member        —           —
``decline``    —           none          —           —
``invite``     invited     —             —           —
``accept``     —           —             member      —
``refuse``     —           —             none        —
``revoke``     —           —             none        —
``leave``      —           —             —           none
``remove``     —           —             —           none
=============  ==========  ============  ==========  ==========

Who may act (:data:`ACTOR`): the member themself (``self``), or someone who manages the group
(``manager``: an owner or maintainer, or a holder of ``groups.manage``). What the group's policy
allows (``join`` only when open, ``request`` only when it takes requests) and its capacity (every
way into ``member``) are checked besides the table, by :mod:`.membership`.
"""

from __future__ import annotations

from guildkit.groups.errors import MembershipRefused
from guildkit.i18n import gettext as _

NONE = "none"
STATES = (NONE, "requested", "invited", "member")
ACTIONS = ("join", "request", "withdraw", "approve", "decline", "invite", "accept", "refuse", "revoke", "leave",
           "remove")  # fmt: skip

TABLE: dict[tuple[str, str], str] = {
    (NONE, "join"): "member",
    (NONE, "request"): "requested",
    (NONE, "invite"): "invited",
    ("requested", "withdraw"): NONE,
    ("requested", "approve"): "member",
    ("requested", "decline"): NONE,
    ("invited", "accept"): "member",
    ("invited", "refuse"): NONE,
    ("invited", "revoke"): NONE,
    ("member", "leave"): NONE,
    ("member", "remove"): NONE,
}

#: Who takes each action: the member it is about, or a manager of the group.
ACTOR: dict[str, str] = {
    "join": "self", "request": "self", "withdraw": "self", "accept": "self", "refuse": "self", "leave": "self",
    "approve": "manager", "decline": "manager", "invite": "manager", "revoke": "manager", "remove": "manager",
}  # fmt: skip


def refusal(state: str, action: str) -> str:
    """Why ``action`` cannot be taken from ``state``, in a sentence for the member."""
    by_state = {
        "member": {
            "join": _("you are already a member of this group"),
            "request": _("you are already a member of this group"),
            "invite": _("this member already belongs to the group"),
        },
        "requested": {
            "join": _("you have already asked to join: wait for an answer, or withdraw the request"),
            "request": _("you have already asked to join this group"),
            "invite": _("this member has asked to join: approve the request instead"),
        },
        "invited": {
            "join": _("you are invited: accept the invitation to join"),
            "request": _("you are invited: accept the invitation to join"),
            "invite": _("this member is already invited"),
        },
    }
    found = by_state.get(state, {}).get(action)
    if found is not None:
        return found
    return {
        "withdraw": _("there is no request to join to withdraw"),
        "approve": _("there is no request to join to approve"),
        "decline": _("there is no request to join to decline"),
        "accept": _("there is no invitation to accept"),
        "refuse": _("there is no invitation to refuse"),
        "revoke": _("there is no invitation to take back"),
        "leave": _("you are not a member of this group"),
        "remove": _("this person is not a member of the group"),
    }.get(action, _("this cannot be done now"))


def step(state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``; :class:`MembershipRefused` if none."""
    if action not in ACTOR:
        raise ValueError(f"no membership action {action!r}")
    found = TABLE.get((state, action))
    if found is None:
        raise MembershipRefused("group membership", state, action, message=refusal(state, action))
    return found
