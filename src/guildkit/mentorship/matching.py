"""How well a mentor suits a mentee: a documented score with the reasons shown to the mentee.

:func:`score` is pure: it reads a :class:`MentorSeeker` (what the mentee asks for) and a
:class:`MentorCandidate` (a mentor's profile, free slots and record) and returns a
:class:`MentorScore` — the total, each part, and human reasons ("3 shared topics", "same time
zone"). The parts, with the weights in :data:`WEIGHTS`:

=============  ===================================================================================
``topics``     ``3.0`` per topic both name (case-insensitive)
``language``   ``2.0`` when the mentor speaks the mentee's language
``timezone``   ``2.0 * (1 - hours apart / 12)``: hours between the two zones' UTC offsets *now*,
               wrapped so that the most two zones can be apart is 12 hours
``capacity``   ``1.0 * free slots / capacity``
``record``     ``2.0 * (completed + 1) / (completed + ended early + 2)``: a newcomer starts at 1.0
=============  ===================================================================================

A part the mentee left open (no language, no time zone) scores 0 for every mentor. Mentors
with no free slot are not suggested at all. :func:`rank` sorts by total, highest first, then
by user id; the service calls the ``guildkit_mentor_score`` hook on each score in between.

The reasons are in the reader's language, a language's name from Babel's data ("speaks
English", "spricht Englisch").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import units

from guildkit import i18n
from guildkit.i18n import gettext as _
from guildkit.i18n import ngettext

#: The weight of each part of the score.
WEIGHTS: dict[str, float] = {"topics": 3.0, "language": 2.0, "timezone": 2.0, "capacity": 1.0, "record": 2.0}


@dataclass(frozen=True)
class MentorSeeker:
    """What a mentee is looking for. Empty fields are not scored."""

    topics: tuple[str, ...] = ()
    language: str | None = None
    timezone: str | None = None
    goals: str = ""
    #: The mentee's host user id (``None`` for an anonymous search).
    user_id: str | None = None


@dataclass(frozen=True)
class MentorCandidate:
    """A mentor as matching (and their profile page) sees them."""

    user_id: str
    name: str
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    timezone: str
    capacity: int
    #: Mentorships accepted or active now.
    active_count: int
    completed: int = 0
    ended_early: int = 0
    pitch: str = ""
    availability: str = ""
    open: bool = True

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.active_count)


@dataclass(frozen=True)
class MentorScore:
    """A mentor's score for one mentee: the total, its parts, and reasons a person can read."""

    total: float
    parts: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()


def language_name(code: str) -> str:
    """``"pt-BR"`` → "Portuguese" in the reader's language; a code Babel does not know, as it is."""
    names = i18n.current_locale().languages
    return str(names.get(code.split("-")[0].lower(), code))


def hours_apart(zone_a: str, zone_b: str, at: datetime) -> float:
    """Hours between two zones' UTC offsets at ``at``, wrapped to 0-12 (UTC+14 and UTC-10 are 0 apart)."""
    offset_a = at.astimezone(ZoneInfo(zone_a)).utcoffset()
    offset_b = at.astimezone(ZoneInfo(zone_b)).utcoffset()
    assert offset_a is not None and offset_b is not None
    difference = abs(offset_a - offset_b).total_seconds() / 3600 % 24
    return min(difference, 24 - difference)


def _hours_apart(hours: float) -> str:
    """How far apart two zones are ("5.5 hours apart"): CLDR's units word a fraction of an hour
    right in each language."""
    duration = units.format_unit(hours, "duration-hour", locale=i18n.current_locale())
    apart: str = _("%(duration)s apart", duration=duration)
    return apart


def score(seeker: MentorSeeker, candidate: MentorCandidate, at: datetime) -> MentorScore:
    """guildkit's own score of ``candidate`` for ``seeker`` at the instant ``at`` (see the module doc)."""
    parts: dict[str, float] = {}
    reasons: list[str] = []

    wanted = {t.casefold() for t in seeker.topics}
    shared = [t for t in candidate.topics if t.casefold() in wanted]
    parts["topics"] = WEIGHTS["topics"] * len(shared)
    if shared:
        reasons.append(
            ngettext(
                "%(count)s shared topic (%(topics)s)",
                "%(count)s shared topics (%(topics)s)",
                len(shared),
                count=i18n.format_number(len(shared)),
                topics=", ".join(shared),
            )
        )

    parts["language"] = 0.0
    if seeker.language:
        spoken = {lang.casefold() for lang in candidate.languages}
        if seeker.language.casefold() in spoken:
            parts["language"] = WEIGHTS["language"]
            reasons.append(_("speaks %(language)s", language=language_name(seeker.language)))

    parts["timezone"] = 0.0
    if seeker.timezone:
        apart = hours_apart(seeker.timezone, candidate.timezone, at)
        parts["timezone"] = WEIGHTS["timezone"] * (1 - apart / 12)
        reasons.append(_("same time zone") if apart == 0 else _hours_apart(apart))

    capacity = max(candidate.capacity, 1)
    parts["capacity"] = WEIGHTS["capacity"] * candidate.free / capacity
    reasons.append(
        ngettext(
            "%(free)s of %(count)s mentee slot free",
            "%(free)s of %(count)s mentee slots free",
            candidate.capacity,
            free=i18n.format_number(candidate.free),
            count=i18n.format_number(candidate.capacity),
        )
    )

    done, early = candidate.completed, candidate.ended_early
    parts["record"] = WEIGHTS["record"] * (done + 1) / (done + early + 2)
    reasons.append(
        ngettext(
            "completed %(count)s mentorship", "completed %(count)s mentorships", done, count=i18n.format_number(done)
        )
        if done
        else _("new mentor")
    )

    return MentorScore(total=sum(parts.values()), parts=parts, reasons=tuple(reasons))


def rank(scored: Iterable[tuple[MentorCandidate, MentorScore]]) -> list[tuple[MentorCandidate, MentorScore]]:
    """Highest total first; equal totals in user id order, so the order never depends on the database."""
    return sorted(scored, key=lambda pair: (-pair[1].total, pair[0].user_id))
