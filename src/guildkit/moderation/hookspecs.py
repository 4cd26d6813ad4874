"""The hooks of the moderation feature, the records they carry, and their signals (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class CaseResolved:
    """A moderation case was resolved: by a moderator's action, or by a mediation's agreed outcome."""

    case_id: int
    #: The host's reference to the reported content (``answer:42``).
    subject: str
    #: The reported member's host user id.
    user_id: str
    #: ``dismiss``, ``warn``, ``mute``, ``suspend``, ``ban``, ``revoke_badge``, ``retract`` or ``mediate``.
    action: str
    #: The moderator's reason (for ``mediate``: the agreed outcome).
    reason: str
    #: The host user id of the moderator (``None``: host code or an API token).
    by: str | None
    #: Whether the reported member's content was hidden while the case was open.
    hidden: bool = False


#: A moderation case was resolved. Sender: ``GuildKit``; kwargs: ``case`` (CaseResolved).
case_resolved = declare("case_resolved")


@hookspec
def guildkit_case_resolved(gk: GuildKit, case: CaseResolved) -> None:
    """A moderation case was resolved, and its effects are committed.

    Told for every resolution: each ``gk.moderation.resolve`` action (``dismiss``, ``warn``,
    ``mute``, ``suspend``, ``ban``, ``revoke_badge``, ``retract``) and a mediation's agreed
    outcome (action ``mediate``). Not told for an appeal's decision: an appeal does not reopen or
    resolve a case. Use it to remove or restore the reported content in your app, or to tell the
    reporters. Cases and actions are described in ``docs/moderation.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param case: the case, its subject and reported member, the action, the reason, who resolved
        it and whether the member's content was hidden while it was open.
    """
