"""A member's data rights in guidelines: the versions they accepted, in the export.

Erasing keeps the acceptances: they hold no text and no identifier, only which version the
(now pseudonymous) member accepted when; the guidelines an erased admin published stay the
community's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.guidelines.models import Guidelines, GuidelinesAcceptance
from guildkit.models import table_of
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.extension import GuildKit
    from guildkit.models import Member

GUIDELINES = table_of(Guidelines)
ACCEPTANCES = table_of(GuidelinesAcceptance)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any]:
    query = (
        sa.select(ACCEPTANCES.c.version, GUIDELINES.c.title, ACCEPTANCES.c.accepted_at)
        .join(GUIDELINES, GUIDELINES.c.version == ACCEPTANCES.c.version)
        .where(ACCEPTANCES.c.member_id == member.id)
        .order_by(ACCEPTANCES.c.version)
    )
    return {"accepted": rows(conn, query)}
