"""What the kudos service returns: frozen views, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from guildkit.text import is_row_id


@dataclass(frozen=True)
class KudosView:
    """One kudos, as stored."""

    id: int
    giver: str
    receiver: str
    #: Empty once the giver's data was erased.
    message: str
    given_at: datetime
    period: date
    #: What the receiver earned from it so far, ``(point type, net amount)``, by point type.
    points: tuple[tuple[str, int], ...] = ()
    #: A give repeated with the key of this one: nothing changed.
    duplicate: bool = False

    @classmethod
    def of(cls, row: Any, points: tuple[tuple[str, int], ...] = (), *, duplicate: bool = False) -> KudosView:
        return cls(
            id=row.id,
            giver=row.giver,
            receiver=row.receiver,
            message=row.message,
            given_at=row.given_at,
            period=row.period,
            points=points,
            duplicate=duplicate,
        )


#: Where a kudos stands in the newest-first order: ``(given_at, id)``.
Position = tuple[datetime, int]
#: The largest id a kudos has: ids are 32-bit ``INTEGER`` columns.


@dataclass(frozen=True)
class KudosPage:
    """Kudos newest first (by when they were given); ``next_before``, passed as ``before=``,
    gives the next page (``None`` on the last)."""

    items: list[KudosView]
    next_before: Position | None

    def cursor(self) -> list[Any] | None:
        """``next_before`` as a cursor key (ISO time, id), for the API and the pages."""
        if self.next_before is None:
            return None
        given_at, kudos_id = self.next_before
        return [given_at.isoformat(), kudos_id]


def position_of(key: list[Any]) -> Position:
    """A cursor key from :meth:`KudosPage.cursor` back as a position; ``ValueError`` if it is not one."""
    given_at, kudos_id = key
    if not isinstance(given_at, str) or not isinstance(kudos_id, int) or isinstance(kudos_id, bool):
        raise ValueError("not a kudos cursor")
    moment = datetime.fromisoformat(given_at)
    if moment.tzinfo is None or not is_row_id(kudos_id):
        raise ValueError("not a kudos cursor")
    return moment, kudos_id


@dataclass(frozen=True)
class BudgetView:
    """A member's budget in the period in force, and whether they may give at all."""

    budget: int
    used: int
    #: ``day``, ``week`` or ``month``.
    period: str
    period_start: date
    refills_at: datetime
    #: Their trust level is at least the minimum (always, when trust is off or the minimum is 0).
    trusted: bool
    #: The minimum trust level to give kudos (0: none).
    min_trust_level: int

    @property
    def left(self) -> int:
        return max(0, self.budget - self.used)

    @property
    def can_give(self) -> bool:
        return self.trusted and self.left > 0
