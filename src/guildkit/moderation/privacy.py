"""A member's data rights in moderation: the reports they made, the sanctions they received, their
appeals and what they said in mediations, in the export; erasing removes what they wrote.

The export leaves out what others reported about them and who reported: a reporter's identity is
theirs to keep. Erasing a member:

* empties the text they wrote: their reports' comments, their appeals' statements, their
  statements in mediations;
* scrubs their user id and names from the records about them that moderators keep (their
  cases' subjects and reasons, the reports and notes on those cases, their sanctions' reasons,
  the mediations they took part in) and from other members' notifications about those
  mediations. The records stay: a case, a sanction and its reason are the community's history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from guildkit.moderation.common import APPEALS, CASES, MEDIATIONS, NOTES, REPORTS, SANCTIONS, STATEMENTS
from guildkit.privacy import rows

if TYPE_CHECKING:
    from guildkit.erasure import Erasure
    from guildkit.extension import GuildKit
    from guildkit.models import Member


def export(gk: GuildKit, member: Member, conn: sa.Connection) -> dict[str, Any]:
    m = member.id

    in_mediation = sa.or_(MEDIATIONS.c.respondent_id == m, MEDIATIONS.c.party_id == m, MEDIATIONS.c.mediator_id == m)
    role = sa.case(
        (MEDIATIONS.c.respondent_id == m, "respondent"), (MEDIATIONS.c.party_id == m, "party"), else_="mediator"
    )
    return {
        "reports_made": rows(
            conn,
            sa.select(REPORTS.c.subject, REPORTS.c.category, REPORTS.c.comment, REPORTS.c.created_at)
            .where(REPORTS.c.reporter_id == m)
            .order_by(REPORTS.c.id),
        ),
        "sanctions": rows(
            conn,
            sa.select(
                SANCTIONS.c.kind,
                SANCTIONS.c.reason,
                SANCTIONS.c.created_at,
                SANCTIONS.c.until,
                SANCTIONS.c.lifted_at,
                SANCTIONS.c.overturned_at,
            )
            .where(SANCTIONS.c.member_id == m)
            .order_by(SANCTIONS.c.id),
        ),
        "appeals": rows(
            conn,
            sa.select(
                APPEALS.c.id,
                APPEALS.c.statement,
                APPEALS.c.state,
                APPEALS.c.created_at,
                APPEALS.c.decided_at,
                APPEALS.c.decision_reason,
            )
            .where(APPEALS.c.member_id == m)
            .order_by(APPEALS.c.id),
        ),
        "mediations": rows(
            conn,
            sa.select(
                MEDIATIONS.c.id,
                role.label("role"),
                MEDIATIONS.c.state,
                MEDIATIONS.c.started_at,
                MEDIATIONS.c.closed_at,
                MEDIATIONS.c.outcome,
            )
            .where(in_mediation)
            .order_by(MEDIATIONS.c.id),
        ),
        "mediation_statements": rows(
            conn,
            sa.select(STATEMENTS.c.mediation_id, STATEMENTS.c.body, STATEMENTS.c.created_at)
            .where(STATEMENTS.c.author_id == m)
            .order_by(STATEMENTS.c.id),
        ),
    }


def erase(gk: GuildKit, erasure: Erasure) -> None:
    conn, m = erasure.conn, erasure.member_id
    written = [
        *conn.execute(sa.select(REPORTS.c.comment).where(REPORTS.c.reporter_id == m)).scalars(),
        *conn.execute(sa.select(APPEALS.c.statement).where(APPEALS.c.member_id == m)).scalars(),
        *conn.execute(sa.select(STATEMENTS.c.body).where(STATEMENTS.c.author_id == m)).scalars(),
    ]
    conn.execute(REPORTS.update().where(REPORTS.c.reporter_id == m).values(comment=""))
    conn.execute(APPEALS.update().where(APPEALS.c.member_id == m).values(statement=""))
    conn.execute(STATEMENTS.update().where(STATEMENTS.c.author_id == m).values(body=""))

    cases = list(conn.execute(sa.select(CASES.c.id).where(CASES.c.member_id == m)).scalars())
    mediations = list(
        conn.execute(
            sa.select(MEDIATIONS.c.id).where(sa.or_(MEDIATIONS.c.respondent_id == m, MEDIATIONS.c.party_id == m))
        ).scalars()
    )
    erasure.scrub_rows(CASES, CASES.c.id.in_(cases), ("subject", "reason"), *written)
    about = sa.or_(REPORTS.c.case_id.in_(cases), REPORTS.c.reporter_id == m)
    erasure.scrub_rows(REPORTS, about, ("subject", "comment", "details"), *written)
    erasure.scrub_rows(NOTES, NOTES.c.case_id.in_(cases), ("body",), *written)
    erasure.scrub_rows(SANCTIONS, SANCTIONS.c.member_id == m, ("reason",), *written)
    erasure.scrub_rows(APPEALS, APPEALS.c.member_id == m, ("decision_reason",), *written)
    erasure.scrub_rows(MEDIATIONS, MEDIATIONS.c.id.in_(mediations), ("outcome",), *written)
    erasure.scrub_rows(STATEMENTS, STATEMENTS.c.mediation_id.in_(mediations), ("body",), *written)
    erasure.scrub_notifications("mediation_id", mediations, *written)
    erasure.scrub_notifications("case_id", cases, *written)
