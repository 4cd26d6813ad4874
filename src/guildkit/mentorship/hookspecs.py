"""The hooks of the mentorship feature, the records they carry, and their signals (see docs/hooks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from guildkit.contracts import a_finite_number, returns
from guildkit.markers import hookspec
from guildkit.signals import declare

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.mentorship.matching import MentorCandidate, MentorScore, MentorSeeker


def _a_mentor_score(result: Any, kwargs: dict[str, Any]) -> None:
    from guildkit.mentorship.matching import MentorScore

    if not isinstance(result, MentorScore) or not a_finite_number(result.total):
        raise TypeError(f"returned {result!r}, not a MentorScore with a finite total")


@dataclass(frozen=True)
class MentorshipChange:
    """A mentorship moved from one state to another (``requested`` → ``accepted`` …)."""

    mentorship_id: int
    mentor: str
    mentee: str
    old_state: str | None
    new_state: str
    #: The host user id of whoever made the change (``None``: guildkit itself, e.g. expiry).
    by: str | None
    reason: str = ""


#: A mentorship changed state. Sender: ``GuildKit``; kwargs: ``change`` (MentorshipChange).
mentorship_changed = declare("mentorship_changed")


@hookspec(firstresult=True)
@returns(_a_mentor_score)
def guildkit_mentor_score(
    gk: GuildKit, seeker: MentorSeeker, candidate: MentorCandidate, score: MentorScore
) -> MentorScore | None:
    """Replace or adjust how well a mentor suits a mentee, when suggesting mentors.

    Called once per candidate mentor (outside any write transaction) after guildkit computed
    its own score (see ``docs/mentorship.md``). Stops at the first non-``None`` result.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param seeker: what the mentee is looking for: topics, language, time zone, goals.
    :param candidate: the mentor's profile, free capacity and completion record.
    :param score: guildkit's score, with the reasons shown to the mentee.
    :return: a :class:`~guildkit.mentorship.MentorScore` to use instead (adjust with
        ``dataclasses.replace(score, ...)``), or ``None`` to keep guildkit's.
    """


@hookspec
def guildkit_mentorship_changed(gk: GuildKit, change: MentorshipChange) -> None:
    """A mentorship changed state (requested, accepted, declined, expired, withdrawn, active...).

    The states are described in ``docs/mentorship.md``.

    :param gk: the :class:`~guildkit.GuildKit`.
    :param change: the mentorship, mentor and mentee, old and new state, who and why.
    """
