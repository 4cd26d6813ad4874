"""A member's data rights in analytics: their survey answers in the export; erasing empties the
comments they wrote and keeps the scores, which the survey results count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.analytics.models import Survey, SurveyResponse
from guildkit.models import table_of
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member

SURVEYS = table_of(Survey)
RESPONSES = table_of(SurveyResponse)


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any]:
    responses = rows(
        conn,
        sa.select(
            RESPONSES.c.survey_id,
            SURVEYS.c.question,
            RESPONSES.c.kind,
            RESPONSES.c.score,
            RESPONSES.c.comment,
            RESPONSES.c.created_at,
        )
        .join(SURVEYS, SURVEYS.c.id == RESPONSES.c.survey_id)
        .where(RESPONSES.c.member_id == member.id)
        .order_by(RESPONSES.c.id),
    )
    return {"survey_responses": responses}


def erase(gk: GuildKit, erasure: Erasure) -> None:
    erasure.conn.execute(RESPONSES.update().where(RESPONSES.c.member_id == erasure.member_id).values(comment=""))
