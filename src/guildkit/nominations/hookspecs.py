"""The hook of the nominations feature, the record it carries and its signal (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit


@dataclass(frozen=True)
class NominationDecided:
    """A nomination reached a final state: ``approved``, ``rejected``, ``withdrawn`` or ``expired``."""

    nomination_id: int
    #: Host user ids of the member nominated and of the member who nominated them.
    nominee: str
    nominator: str
    badge: str
    level: int
    #: ``approved``, ``rejected``, ``withdrawn`` or ``expired``.
    state: str
    #: The host user id of whoever decided: the last approver, the approver who rejected, the
    #: nominator who withdrew (``None``: guildkit itself, when it expired).
    by: str | None
    #: Their reason (empty for an expiry, and for a withdrawal without one).
    reason: str
    approvals: int
    needed: int
    #: The key of the ``guildkit.award`` activity that gave the badge (``None`` unless approved).
    award_key: str | None = None


#: A nomination was decided. Sender: ``GuildKit``; kwargs: ``decision`` (NominationDecided).
nomination_decided = declare("nomination_decided")


@hookspec
def guildkit_nomination_decided(gk: GuildKit, decision: NominationDecided) -> None:
    """A nomination was approved, rejected, withdrawn or expired (told after the commit).

    An approved nomination has awarded its badge in the same transaction (the ``guildkit.award``
    activity named by ``decision.award_key``). Called once per nomination: a nomination decided
    is never decided again. See ``docs/nominations.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param decision: the nomination, its nominee and nominator, badge level, final state, who
        decided and why.
    """
