"""The titles feature's part of a member's data rights: the badge they chose, and when; erasing
them deletes the row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.models import table_of
from guildkit.privacy import rows
from guildkit.titles.models import MemberTitle

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member

TITLES = table_of(MemberTitle)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any] | None:
    found = rows(conn, sa.select(TITLES.c.badge, TITLES.c.chosen_at).where(TITLES.c.member_id == member.id))
    return found[0] if found else None


def erase(gk: GuildKit, erasure: Erasure) -> None:
    erasure.conn.execute(TITLES.delete().where(TITLES.c.member_id == erasure.member_id))
