"""The objectives feature's part of a member's data rights (docs/objectives.md, "Data rights").

Export: the objectives the member owns or set, each with the role they had (``owner``,
``creator`` or both).

Erasing them keeps every objective: they are the community's targets, not the member's data, and
the member shows as "A former member" where they owned or set one (the core pseudonymises their
row). Titles and notes, written by managers, are scrubbed of the member's user id and names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.models import table_of
from guildkit.objectives.models import Objective
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member

OBJECTIVES = table_of(Objective)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> list[dict[str, Any]] | None:
    owner, creator = OBJECTIVES.c.owner_id == member.id, OBJECTIVES.c.created_by == member.id
    role = sa.case((sa.and_(owner, creator), "both"), (owner, "owner"), else_="creator")
    found = rows(
        conn,
        sa.select(
            OBJECTIVES.c.id, role.label("as"), OBJECTIVES.c.title, OBJECTIVES.c.notes, OBJECTIVES.c.kpi,
            OBJECTIVES.c.direction, OBJECTIVES.c.target, OBJECTIVES.c.starts_on, OBJECTIVES.c.due_on,
            OBJECTIVES.c.state, OBJECTIVES.c.outcome, OBJECTIVES.c.created_at,
        )
        .where(sa.or_(owner, creator))
        .order_by(OBJECTIVES.c.id),
    )  # fmt: skip
    return found or None


def erase(gk: GuildKit, erasure: Erasure) -> None:
    # Any objective's words may name them, whoever owns it: there are few objectives.
    erasure.scrub_rows(OBJECTIVES, sa.true(), ("title", "notes"))
