"""Read-side helpers for the pages: the host's own queries, and what guildkit knows about a user."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for

from guildkit import LedgerEntry, UnknownMember

from .extensions import db, gk
from .models import Answer, Comment, Question, User, Vote

REPUTATION = "reputation"
XP = "xp"


def reputations(user_ids: Iterable[int]) -> dict[int, int]:
    """Reputation for many users in one query (users who never joined count as 0)."""
    return {int(u): points for u, points in gk.balances_of(list(user_ids), REPUTATION).items()}


def top_members(limit: int | None = 10) -> list[tuple[User, int]]:
    """Users by reputation, highest first (all of them with ``limit=None``), from guildkit's
    leaderboard: members who opted out of leaderboards are left out."""
    ranked: list[tuple[int, int]] = []
    board = gk.leaderboard(REPUTATION, limit=min(limit or 100, 100))
    while True:
        ranked += [(int(s.user_id), s.points) for s in board.standings if s.user_id.isdigit()]
        if board.next_after is None or (limit is not None and len(ranked) >= limit):
            break
        board = gk.leaderboard(REPUTATION, limit=100, after=board.next_after)
    ranked = ranked[:limit] if limit is not None else ranked
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_([i for i, _ in ranked])))}
    return [(users[i], points) for i, points in ranked if i in users]


def question_list(sort: str, page: int, per_page: int) -> tuple[list[Any], int]:
    answers = (
        sa.select(sa.func.count(Answer.id))
        .where(Answer.question_id == Question.id)
        .correlate(Question)
        .scalar_subquery()
    )
    solved = sa.exists().where(Answer.question_id == Question.id, Answer.accepted.is_(True)).correlate(Question)
    order = (
        (Question.score.desc(), Question.created_at.desc(), Question.id.desc())
        if sort == "votes"
        else (Question.created_at.desc(), Question.id.desc())
    )
    rows = db.session.execute(
        sa.select(Question, answers.label("answers"), solved.label("solved"))
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Question)) or 0
    return list(rows), total


def comments_for(question: Question) -> dict[tuple[str, int], list[Comment]]:
    answer_ids = [a.id for a in question.answers]
    rows = db.session.scalars(
        sa.select(Comment)
        .where(
            sa.or_(
                sa.and_(Comment.post_kind == "question", Comment.post_id == question.id),
                sa.and_(Comment.post_kind == "answer", Comment.post_id.in_(answer_ids)),
            )
        )
        .order_by(Comment.created_at, Comment.id)
    )
    grouped: dict[tuple[str, int], list[Comment]] = {}
    for note in rows:
        grouped.setdefault((note.post_kind, note.post_id), []).append(note)
    return grouped


def votes_by(user_id: int, question: Question) -> dict[tuple[str, int], int]:
    answer_ids = [a.id for a in question.answers]
    rows = db.session.scalars(
        sa.select(Vote).where(
            Vote.user_id == user_id,
            sa.or_(
                sa.and_(Vote.post_kind == "question", Vote.post_id == question.id),
                sa.and_(Vote.post_kind == "answer", Vote.post_id.in_(answer_ids)),
            ),
        )
    )
    return {(v.post_kind, v.post_id): v.value for v in rows}


# -- the user page ----------------------------------------------------------------------------


@dataclass
class BadgeView:
    name: str
    tier: str
    description: str
    earned: datetime


@dataclass
class LedgerView:
    when: datetime
    amount: int
    point_type: str
    reason: str
    link: str | None


@dataclass
class Standing:
    """What guildkit knows about a user, ready for a template."""

    member: bool = False
    reputation: int = 0
    xp: int = 0
    level: int = 0
    level_name: str = "Not yet ranked"
    next_level_at: int | None = None
    badges: list[BadgeView] = field(default_factory=list)
    progress: list[Any] = field(default_factory=list)
    ledger: list[LedgerView] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


SUBJECT_RE = re.compile(r"\b(question|answer):(\d+)\b")


def subject_link(reason: str) -> str | None:
    """A subject key (``answer:42``) links to that answer."""
    match = SUBJECT_RE.search(reason)
    if match is None:
        return None
    kind, post_id = match.group(1), int(match.group(2))
    if kind == "question":
        return url_for("qa.question", question_id=post_id)
    return url_for("qa.answer_link", answer_id=post_id)


def _ledger_views(user_id: int, ledger: list[LedgerEntry]) -> list[LedgerView]:
    """Each points change said in words, as guildkit's own pages say it ("Your answer to … was
    accepted"), never as the rule's internal reason."""
    said = gk.describe_ledger(user_id, ledger)
    names = {slug: str(definition.name) for slug, definition in gk.registry.point_types.items()}
    return [
        LedgerView(
            row.created_at, row.amount, names.get(row.point_type, row.point_type), words, subject_link(row.reason)
        )
        for row, words in zip(ledger, said, strict=True)
    ]


def standing(user_id: int, ledger_rows: int = 25) -> Standing:
    try:
        balances = gk.balances(user_id)
        awards = gk.badges(user_id)
        progress = gk.progress(user_id)
        ledger: list[LedgerEntry] = gk.ledger(user_id, limit=ledger_rows)
        roles = gk.roles(user_id)
    except UnknownMember:
        return Standing()
    registry = gk.registry
    view = Standing(member=True, reputation=balances.get(REPUTATION, 0), xp=balances.get(XP, 0), roles=roles)
    levels = registry.levels.get(XP)
    if levels is not None:
        view.level = levels.level_for(view.xp)
        if view.level:
            view.level_name = levels.name_of(view.level)
        if view.level < len(levels.thresholds):
            view.next_level_at = levels.thresholds[view.level]
    for award in awards:
        badge = registry.badges.get(award.badge_slug)
        if badge is None:
            continue
        tier = badge.levels[award.level - 1].tier if award.level <= len(badge.levels) else "bronze"
        view.badges.append(BadgeView(badge.level_name(award.level), tier, badge.description, award.awarded_at))
    view.progress = [p for p in progress if p.next_threshold is not None]
    view.ledger = _ledger_views(user_id, ledger)
    return view
