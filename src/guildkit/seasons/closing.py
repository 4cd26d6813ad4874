"""Closing a season: its standings refreshed a last time and frozen, then its badges awarded.

Two transactions, each safe to repeat:

1. **Freeze.** With the season's row locked: the standings are brought up to the settled end of
   the ledger, every listed member with points gets a final ``rank`` (ties share one), and the
   season is marked closed. A closed season is never refreshed or changed again. A season closed
   before its end (by an admin) ends then: its range shrinks to ``[starts_at, now)`` and its
   standings are summed again over it.
2. **Awards.** Every active member ranked ``top_n`` or better (so everyone tied with the Nth) is
   given the season badge as an ordinary ``guildkit.award`` activity ("Top 10 of Spring 2027")
   with the key ``season:<slug>:<user id>``, all in one transaction that also sets
   ``awarded_at``. A crash before its commit leaves the season closed with its awards due, and
   the next close (the job, the CLI, the console) awards them; the keys make an award already
   recorded a no-op, so nobody gets a season badge twice, whatever the interleaving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from guildkit import audit
from guildkit.builtin.manual import AWARD, award_payload
from guildkit.errors import GuildKitError, InvalidTransition
from guildkit.models import Member, table_of
from guildkit.seasons import standings
from guildkit.seasons.models import Season, SeasonStanding
from guildkit.seasons.views import Closed, award_reason

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.transaction import Transaction

SEASONS = table_of(Season)
STANDINGS = table_of(SeasonStanding)
MEMBERS = table_of(Member)
#: How long closing waits on PostgreSQL for the ledger's writers to finish.
LOCK_TIMEOUT = "5s"


def award_key(slug: str, user_id: str) -> str:
    return f"season:{slug}:{user_id}"


def close(gk: GuildKit, season_id: int, actor: str | None, by: str | int | None) -> Closed:
    """Freeze the season if it is not closed yet, then award what is due."""
    horizon = standings.settled_horizon(gk.store.engine, LOCK_TIMEOUT)
    with gk.store.engine.connect() as conn:
        slug = conn.execute(sa.select(SEASONS.c.slug).where(SEASONS.c.id == season_id)).scalar_one()
    if horizon is None:
        return Closed(slug, False, error="writers held the ledger; try again")
    closer = gk.member(by).id if by is not None else None

    def freeze(conn: sa.Connection) -> int | None:
        row = conn.execute(sa.select(SEASONS).where(SEASONS.c.id == season_id).with_for_update()).one()
        if row.closed_at is not None:
            return None
        now = gk.clock()
        if now <= row.starts_at:
            raise InvalidTransition("season", "upcoming", "close")
        if now < row.ends_at:
            # Ended early: only what was earned until now counts, summed afresh over the new range.
            conn.execute(STANDINGS.delete().where(STANDINGS.c.season_id == season_id))
            conn.execute(SEASONS.update().where(SEASONS.c.id == season_id).values(ends_at=now, ledger_id=None))
        standings.refresh(conn, [season_id], horizon, now)
        ranked = standings.freeze_ranks(conn, season_id)
        conn.execute(SEASONS.update().where(SEASONS.c.id == season_id).values(closed_at=now, closed_by=closer))
        audit.write(conn, now, area="seasons", actor=actor, action="season.close", target=f"season:{row.slug}",
                    details={"ranked": ranked, "ends_at": min(now, row.ends_at).isoformat()})  # fmt: skip
        return ranked

    ranked = gk.store.run_write(freeze)
    awarded, error = award(gk, season_id)
    return Closed(slug, ranked is not None, ranked or 0, awarded, error)


def award(gk: GuildKit, season_id: int) -> tuple[int, str | None]:
    """Award the season badge to the top N of a closed season, once; returns (awarded, error)."""
    with gk.store.engine.connect() as conn:
        season = conn.execute(sa.select(SEASONS).where(SEASONS.c.id == season_id)).one()
    if season.closed_at is None or season.badge is None or season.awarded_at is not None:
        return 0, None
    if season.badge not in gk.registry.badges:
        gk.reload_definitions()  # a badge the season defines, made in another process
    try:
        payload = award_payload(gk.registry, award_reason(season.top_n, season.name), badge=season.badge, level=1)
    except GuildKitError as exc:
        return 0, str(exc)

    def body(tx: Transaction) -> int:
        row = tx.conn.execute(sa.select(SEASONS.c.awarded_at).where(SEASONS.c.id == season_id).with_for_update()).one()
        if row.awarded_at is not None:
            return 0
        winners = (
            tx.conn.execute(
                sa.select(MEMBERS.c.user_id)
                .join(STANDINGS, STANDINGS.c.member_id == MEMBERS.c.id)
                .where(
                    STANDINGS.c.season_id == season_id,
                    STANDINGS.c.rank.is_not(None),
                    STANDINGS.c.rank <= season.top_n,
                    MEMBERS.c.status == "active",  # only active members take part, then as now
                )
                .order_by(STANDINGS.c.rank, STANDINGS.c.member_id)
            )
            .scalars()
            .all()
        )
        awarded = 0
        for user_id in winners:
            result = tx.record(AWARD, key=award_key(season.slug, user_id), target=user_id, payload=payload)
            awarded += not result.duplicate
        tx.conn.execute(SEASONS.update().where(SEASONS.c.id == season_id).values(awarded_at=tx.now))
        return awarded

    try:
        awarded: int = gk.transaction(body)
    except GuildKitError as exc:
        return 0, str(exc)
    return awarded, None
