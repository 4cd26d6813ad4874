"""The seasons feature's part of a member's data rights: their points and final rank in each
season are in their export. Erasing them needs nothing here: the standings name the member by
its row, which the erasure pseudonymises, so every season's board still adds up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.models import table_of
from guildkit.privacy import rows
from guildkit.seasons.models import Season, SeasonStanding

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.models import Member

SEASONS = table_of(Season)
STANDINGS = table_of(SeasonStanding)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> list[dict[str, Any]] | None:
    query = (
        sa.select(SEASONS.c.slug.label("season"), SEASONS.c.name, STANDINGS.c.points, STANDINGS.c.rank)
        .join(SEASONS, SEASONS.c.id == STANDINGS.c.season_id)
        .where(STANDINGS.c.member_id == member.id)
        .order_by(SEASONS.c.starts_at, SEASONS.c.id)
    )
    return rows(conn, query) or None
