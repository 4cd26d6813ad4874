"""The earning gate: with ``GUILDKIT_REQUIRE_GUIDELINES`` on, members who have not accepted the
current guidelines earn nothing until they do (``guildkit_earning_withheld``).

One query per recording transaction, built once, and none when the setting is off.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app

from guildkit.guidelines.models import Guidelines, GuidelinesAcceptance
from guildkit.models import Member, table_of

MEMBERS = table_of(Member)
GUIDELINES = table_of(Guidelines)
ACCEPTANCES = table_of(GuidelinesAcceptance)

_CURRENT = sa.select(sa.func.max(GUIDELINES.c.version)).scalar_subquery()
#: Of the members ``ids``, those who have not accepted the current guidelines (none when there are none).
SELECT_UNACCEPTED = sa.select(MEMBERS.c.id).where(
    MEMBERS.c.id.in_(sa.bindparam("ids", expanding=True)),
    _CURRENT.is_not(None),
    ~sa.exists().where(ACCEPTANCES.c.member_id == MEMBERS.c.id, ACCEPTANCES.c.version == _CURRENT),
)


def unaccepted(conn: sa.Connection, member_ids: Iterable[int]) -> list[Any]:
    """The members who may not earn, when the host requires acceptance; else none."""
    if not current_app.config["GUILDKIT_REQUIRE_GUIDELINES"]:
        return []
    return list(conn.execute(SELECT_UNACCEPTED, {"ids": sorted(member_ids)}).scalars())
