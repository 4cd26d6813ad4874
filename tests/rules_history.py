"""A crafted history and two rule sets, for the rule-change tests and their worker processes.

``V1`` is in force while the history is recorded; ``V2`` changes thresholds, amounts and a level
scale, adds a badge and drops a role rule. :func:`standing` reads what members hold, in a form
two databases can be compared by.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from guildkit import (
    BadgeDef,
    BadgeLevel,
    BadgeRule,
    Count,
    EventBadgeRule,
    GuildKit,
    Levels,
    PointsRule,
    PointsTotal,
    PointTypeDef,
    RoleDef,
    RoleRule,
)
from guildkit.models import BadgeAward, Balance, Member, RoleGrant
from guildkit.rules.ruleset import RuleSet

START = datetime(2026, 1, 5, 9, tzinfo=UTC)

POINT_TYPES = [PointTypeDef("rep", "Reputation"), PointTypeDef("xp", "Experience")]
BADGES = [
    BadgeDef("answerer", "Answerer", levels=(BadgeLevel("bronze"), BadgeLevel("silver"), BadgeLevel("gold"))),
    BadgeDef("accepted", "Accepted", repeatable=True),
    BadgeDef("prolific", "Prolific"),
]
ROLES = [RoleDef("trusted", "Trusted")]


def v1() -> RuleSet:
    return RuleSet(
        point_types=list(POINT_TYPES),
        badges=list(BADGES),
        roles=list(ROLES),
        rules=[
            PointsRule("upvote", "answer.upvoted", 10, "rep"),
            PointsRule("downvote", "answer.downvoted", -2, "rep"),
            PointsRule("answer-xp", "answer.posted", 5, "xp", to="actor"),
            BadgeRule("answerer", "answerer", Count("answer.posted"), (2, 4, 6)),
            EventBadgeRule("accepted", "accepted", "answer.accepted", to="target"),
            RoleRule("trusted", "trusted", PointsTotal("rep"), 50),
            Levels("xp", (10, 50, 100)),
        ],
    )


def v2() -> RuleSet:
    """Thresholds, amounts and a level scale changed; a badge added; accepted answers earn points."""
    return RuleSet(
        point_types=list(POINT_TYPES),
        badges=list(BADGES),
        roles=list(ROLES),
        rules=[
            PointsRule("upvote", "answer.upvoted", 7, "rep"),
            PointsRule("downvote", "answer.downvoted", -2, "rep"),
            PointsRule("answer-xp", "answer.posted", 5, "xp", to="actor"),
            PointsRule("accepted-rep", "answer.accepted", 15, "rep"),
            BadgeRule("answerer", "answerer", Count("answer.posted"), (3, 5, 9)),
            BadgeRule("prolific", "prolific", Count("answer.posted"), (12,)),
            EventBadgeRule("accepted", "accepted", "answer.accepted", to="target"),
            RoleRule("trusted", "trusted", PointsTotal("rep"), 80),
            Levels("xp", (20, 40, 60)),
        ],
    )


def history(count: int, *, members: int = 40, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` activities among ``members`` people, over about a month, in time order."""
    rnd = random.Random(seed)
    users = [f"u{i:03d}" for i in range(members)]
    kinds = ["answer.posted"] * 4 + ["answer.upvoted"] * 4 + ["answer.downvoted", "answer.accepted"]
    items = []
    for n in range(count):
        kind = rnd.choice(kinds)
        actor, target = rnd.sample(users, 2)
        item: dict[str, Any] = {
            "type": kind,
            "key": f"h{n:06d}",
            "occurred_at": START + timedelta(minutes=40 * n),
        }
        if kind == "answer.posted":
            item["actor"] = actor
        else:
            item["actor"], item["target"] = actor, target
        items.append(item)
    return items


def retracted(items: list[dict[str, Any]], *, every: int = 37) -> list[str]:
    return [item["key"] for item in items[::every]]


def standing(gk: GuildKit) -> dict[str, Any]:
    """Every member's balances and levels, live badges (with counts) and roles."""
    session = gk.session
    users: dict[int, str] = dict(session.execute(sa.select(Member.id, Member.user_id)).all())
    found: dict[str, Any] = {}
    for member, point_type, balance, level in session.execute(
        sa.select(Balance.member_id, Balance.point_type, Balance.balance, Balance.level)
    ):
        if balance or level:
            found.setdefault(users[member], {})[f"{point_type}"] = (balance, level)
    for member, badge, level, count in session.execute(
        sa.select(BadgeAward.member_id, BadgeAward.badge_slug, BadgeAward.level, sa.func.count())
        .where(BadgeAward.revoked_at.is_(None))
        .group_by(BadgeAward.member_id, BadgeAward.badge_slug, BadgeAward.level)
    ):
        found.setdefault(users[member], {})[f"badge:{badge}:{level}"] = count
    for member, role in session.execute(
        sa.select(RoleGrant.member_id, RoleGrant.role_slug).where(RoleGrant.revoked_at.is_(None))
    ):
        found.setdefault(users[member], {})[f"role:{role}"] = True
    session.rollback()
    return found


def host_app(url: str, engine_options: dict[str, Any], rules: RuleSet) -> tuple[Flask, GuildKit]:
    """An app on an existing database (its tables made by the test), in a worker process."""
    app = Flask("rules_worker")
    app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, TESTING=True)
    if url.startswith("sqlite"):
        app.config.update(GUILDKIT_DATABASE_URI=url)
        gk = GuildKit(app, plugins=[rules])
    else:
        app.config.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options)
        db = SQLAlchemy()
        db.init_app(app)
        gk = GuildKit(app, db=db, plugins=[rules])
    return app, gk
