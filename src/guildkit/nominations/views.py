"""What the nominations service returns (frozen views, never ORM rows) and the queries that read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from guildkit.models import Member, table_of
from guildkit.nominations.models import Nomination, NominationVote

NOMINATIONS = table_of(Nomination)
VOTES = table_of(NominationVote)
MEMBERS = table_of(Member)


@dataclass(frozen=True)
class VoteView:
    approver: str
    decision: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class NominationView:
    id: int
    nominee: str
    nominator: str
    badge: str
    level: int
    reason: str
    #: As stored; a pending nomination past ``expires_at`` reads as ``expired`` (see :attr:`state`).
    stored_state: str
    needed: int
    role: str
    approvals: int
    created_at: datetime
    expires_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    withdraw_reason: str
    award_key: str | None
    nominee_id: int
    nominator_id: int
    #: When it was read: a pending nomination past its time is expired from then on, even before
    #: the expiry job writes it so.
    read_at: datetime
    votes: tuple[VoteView, ...] = ()

    @property
    def state(self) -> str:
        if self.stored_state == "pending" and self.overdue:
            return "expired"
        return self.stored_state

    @property
    def overdue(self) -> bool:
        return self.expires_at is not None and self.expires_at <= self.read_at

    def vote_of(self, user_id: str | None) -> VoteView | None:
        return next((v for v in self.votes if v.approver == user_id), None)

    @classmethod
    def of(cls, row: Any, now: datetime, votes: tuple[VoteView, ...] = ()) -> NominationView:
        return cls(
            id=row.id, nominee=row.nominee, nominator=row.nominator, badge=row.badge, level=row.level,
            reason=row.reason, stored_state=row.state, needed=row.needed, role=row.role, approvals=row.approvals,
            created_at=row.created_at, expires_at=row.expires_at, decided_at=row.decided_at,
            decided_by=row.decider, withdraw_reason=row.withdraw_reason, award_key=row.award_key,
            nominee_id=row.nominee_id, nominator_id=row.nominator_id, read_at=now, votes=votes,
        )  # fmt: skip


# Made once: an ORM alias works out its columns when first used (~4 ms each, on every page
# that shows a nomination had they been made per query).
_NOMINEE = aliased(Member, name="nominee_member")
_NOMINATOR = aliased(Member, name="nominator_member")
_DECIDER = aliased(Member, name="decider_member")


def select() -> sa.Select[Any]:
    """Nominations with the user ids of their nominee, nominator and decider."""
    nominee, nominator, decider = _NOMINEE, _NOMINATOR, _DECIDER
    return (
        sa.select(
            NOMINATIONS,
            nominee.user_id.label("nominee"),
            nominator.user_id.label("nominator"),
            decider.user_id.label("decider"),
        )
        .join(nominee, nominee.id == NOMINATIONS.c.nominee_id)
        .join(nominator, nominator.id == NOMINATIONS.c.nominator_id)
        .outerjoin(decider, decider.id == NOMINATIONS.c.decided_by)
    )


def votes_of(conn: sa.Connection | Any, ids: list[int]) -> dict[int, tuple[VoteView, ...]]:
    """The votes on the nominations ``ids``, in the order they were cast."""
    if not ids:
        return {}
    rows = conn.execute(
        sa.select(VOTES.c.nomination_id, MEMBERS.c.user_id, VOTES.c.decision, VOTES.c.reason, VOTES.c.created_at)
        .join(MEMBERS, MEMBERS.c.id == VOTES.c.approver_id)
        .where(VOTES.c.nomination_id.in_(ids))
        .order_by(VOTES.c.id)
    )
    found: dict[int, list[VoteView]] = {}
    for nomination_id, user_id, decision, reason, at in rows:
        found.setdefault(nomination_id, []).append(VoteView(user_id, decision, reason, at))
    return {key: tuple(value) for key, value in found.items()}


def load(conn: sa.Connection | Any, query: sa.Select[Any], now: datetime) -> list[NominationView]:
    """The nominations ``query`` (built on :func:`select`) finds, each with its votes."""
    rows = conn.execute(query).all()
    votes = votes_of(conn, [row.id for row in rows])
    return [NominationView.of(row, now, votes.get(row.id, ())) for row in rows]
