"""Trust-weighted reports, and hiding a member's content on trusted members' spam reports.

A report adds ``WEIGHTS[category] x GUILDKIT_REPORT_TRUST_WEIGHTS[reporter's trust level]`` to
its case's severity; the report keeps the reporter's level and its weight, so a later change of
level or configuration never rewrites what a case already says.

When an open case has spam reports from at least ``GUILDKIT_HIDE_AFTER_SPAM_REPORTS`` members of
trust level ``GUILDKIT_HIDE_MIN_TRUST_LEVEL`` or more, the case is marked ``hidden``. While a
member has an open hidden case, the built-in ``guildkit_can`` plugin denies them the privilege
``content.visible`` (:data:`VISIBLE`); :func:`is_hidden` answers for one subject. Resolving the
case (any action) ends it: hiding is a stopgap until a moderator looks.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from guildkit.moderation.common import CASES, MEMBERS, REPORTS, WEIGHTS

#: The privilege hosts ask about before showing a member's content.
VISIBLE = "content.visible"


def weight(category: str, level: int | None) -> int:
    """What a report adds to its case's severity; a system flag (no level) counts like level 0."""
    weights: dict[int, int] = current_app.config["GUILDKIT_REPORT_TRUST_WEIGHTS"]
    return WEIGHTS[category] * weights[0 if level is None else level]


def update_hidden(conn: sa.Connection, case_id: int) -> bool:
    """Mark the open case hidden once enough trusted members reported spam; returns ``hidden``."""
    config = current_app.config
    needed = int(config["GUILDKIT_HIDE_AFTER_SPAM_REPORTS"])
    if needed < 1:
        return False
    trusted = conn.scalar(
        sa.select(sa.func.count(sa.distinct(REPORTS.c.reporter_id))).where(
            REPORTS.c.case_id == case_id,
            REPORTS.c.category == "spam",
            REPORTS.c.reporter_id.is_not(None),
            REPORTS.c.reporter_level >= int(config["GUILDKIT_HIDE_MIN_TRUST_LEVEL"]),
        )
    )
    if (trusted or 0) < needed:
        return False
    conn.execute(CASES.update().where(CASES.c.id == case_id, CASES.c.status == "open").values(hidden=True))
    return True


def member_hidden(conn: Any, user_id: str) -> bool:
    """Whether the member has an open case that hides their content."""
    found = conn.scalar(
        sa.select(CASES.c.id)
        .join(MEMBERS, MEMBERS.c.id == CASES.c.member_id)
        .where(MEMBERS.c.user_id == user_id, CASES.c.status == "open", CASES.c.hidden.is_(True))
        .limit(1)
    )
    return found is not None


def subject_hidden(conn: Any, subject: str) -> bool:
    """Whether the subject's open case is hidden."""
    found = conn.scalar(
        sa.select(CASES.c.id).where(CASES.c.subject == subject, CASES.c.status == "open", CASES.c.hidden.is_(True))
    )
    return found is not None
