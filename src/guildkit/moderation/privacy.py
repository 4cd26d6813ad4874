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
    _scrub(erasure, CASES, CASES.c.id.in_(cases), ("subject", "reason"), written)
    about = sa.or_(REPORTS.c.case_id.in_(cases), REPORTS.c.reporter_id == m)
    _scrub(erasure, REPORTS, about, ("subject", "comment", "details"), written)
    _scrub(erasure, NOTES, NOTES.c.case_id.in_(cases), ("body",), written)
    _scrub(erasure, SANCTIONS, SANCTIONS.c.member_id == m, ("reason",), written)
    _scrub(erasure, APPEALS, APPEALS.c.member_id == m, ("decision_reason",), written)
    _scrub(erasure, MEDIATIONS, MEDIATIONS.c.id.in_(mediations), ("outcome",), written)
    _scrub(erasure, STATEMENTS, STATEMENTS.c.mediation_id.in_(mediations), ("body",), written)
    erasure.scrub_notifications("mediation_id", mediations, *written)
    erasure.scrub_notifications("case_id", cases, *written)


def _scrub(
    erasure: Erasure, table: sa.Table, where: sa.ColumnElement[bool], columns: tuple[str, ...], written: list[str]
) -> None:
    """Run ``columns`` of the rows ``where`` picks through :meth:`Erasure.scrub` (JSON ones too)."""
    rows = erasure.conn.execute(sa.select(table.c.id, *(table.c[c] for c in columns)).where(where)).all()
    for row in rows:
        values = {}
        for column in columns:
            old = getattr(row, column)
            if old is None:
                continue
            new = erasure.scrub_json(old, *written) if not isinstance(old, str) else erasure.scrub(old, *written)
            if new != old:
                values[column] = new
        if values:
            erasure.conn.execute(table.update().where(table.c.id == row.id).values(**values))
