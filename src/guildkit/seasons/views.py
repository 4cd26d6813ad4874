"""What the seasons service returns: frozen views, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guildkit.definitions import Text, source
from guildkit.i18n import lazy_gettext
from guildkit.leaderboards import Standing

#: What a season may be: before its start, between its start and end, ended but not yet
#: closed (the job or an admin closes it), closed (frozen, badges awarded).
STATES = ("upcoming", "running", "ended", "closed")


@dataclass(frozen=True)
class SeasonView:
    id: int
    slug: str
    name: str
    description: str
    point_type: str
    starts_at: datetime
    ends_at: datetime
    top_n: int | None
    badge: str | None
    #: The season defines its badge ("Top 10 of Spring 2027") rather than naming one.
    defines_badge: bool
    created_by: str | None
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    awarded_at: datetime | None
    #: ``upcoming``, ``running``, ``ended`` or ``closed`` (:data:`STATES`), as of when it was read.
    state: str

    @property
    def award_reason(self) -> str | None:
        """What the season badge's award says, as stored: "Top 10 of Spring 2027"."""
        return None if self.top_n is None else award_reason(self.top_n, self.name)

    @classmethod
    def of(cls, row: Any, now: datetime) -> SeasonView:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            description=row.description,
            point_type=row.point_type,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            top_n=row.top_n,
            badge=row.badge,
            defines_badge=row.defined_badge is not None,
            created_by=row.creator,
            created_at=row.created_at,
            closed_at=row.closed_at,
            closed_by=row.closer,
            awarded_at=row.awarded_at,
            state=state_of(row.starts_at, row.ends_at, row.closed_at, now),
        )


def state_of(starts_at: datetime, ends_at: datetime, closed_at: datetime | None, now: datetime) -> str:
    if closed_at is not None:
        return "closed"
    if now < starts_at:
        return "upcoming"
    return "running" if now < ends_at else "ended"


def award_name(top_n: int, name: str) -> Text:
    """The season badge's name, "Top 10 of Spring 2027", in the reader's language when shown."""
    return lazy_gettext("Top %(num)s of %(season)s", num=top_n, season=name)


def award_reason(top_n: int, name: str) -> str:
    """The season badge's name as written (English): what an award stores as its reason."""
    return source(award_name(top_n, name))


@dataclass(frozen=True)
class SeasonBoard:
    """One page of a season's leaderboard, shaped like :class:`guildkit.reading.Leaderboard`:
    ``standings`` best first (ties share a rank), ``me`` when asked ``around`` a member, and
    ``next_after`` to pass as ``after=`` for the next page (``None`` on the last)."""

    season: SeasonView
    standings: list[Standing]
    me: Standing | None
    next_after: Standing | None


@dataclass(frozen=True)
class Closed:
    """What closing one season did."""

    slug: str
    #: Closed by this call (``False``: it was closed already, and only its awards were due).
    closed: bool
    #: Members given a final rank (when closed by this call).
    ranked: int = 0
    #: Season badges awarded by this call (a repeat awards none).
    awarded: int = 0
    #: Why the awards are still due, if they are (they are tried again on the next close).
    error: str | None = None

    def out(self) -> dict[str, Any]:
        return {"slug": self.slug, "closed": self.closed, "ranked": self.ranked, "awarded": self.awarded,
                "error": self.error}  # fmt: skip
