"""A small Q&A rule set, written as a real plugin module, used across the core tests."""

from __future__ import annotations

from guildkit import (
    BadgeDef,
    BadgeLevel,
    BadgeRule,
    Count,
    Distinct,
    EventBadgeRule,
    GuildKit,
    Levels,
    PointsRule,
    PointsTotal,
    PointTypeDef,
    RoleDef,
    RoleRule,
    Streak,
    hookimpl,
)


@hookimpl
def guildkit_register_point_types(gk: GuildKit) -> list[PointTypeDef]:
    return [
        PointTypeDef("reputation", "Reputation", floor=1, daily_cap=200),
        PointTypeDef("xp", "Experience"),
    ]


@hookimpl
def guildkit_register_badges(gk: GuildKit) -> list[BadgeDef]:
    return [
        BadgeDef("first-answer", "First Answer", "Posted an answer"),
        BadgeDef(
            "answerer",
            "Answerer",
            "Posted many answers",
            levels=(BadgeLevel("bronze"), BadgeLevel("silver"), BadgeLevel("gold")),
        ),
        BadgeDef("regular", "Regular", "Visited three days in a row"),
        BadgeDef("supporter", "Supporter", "Upvoted three different people"),
        BadgeDef("accepted", "Accepted", "An answer was accepted", repeatable=True),
        BadgeDef("centurion", "Centurion", "Reached 100 reputation", secret=True),
    ]


@hookimpl
def guildkit_register_roles(gk: GuildKit) -> list[RoleDef]:
    return [RoleDef("trusted", "Trusted", permissions=("edit", "close"))]


@hookimpl
def guildkit_register_rules(gk: GuildKit) -> list[object]:
    return [
        PointsRule("answer-upvoted", "answer.upvoted", 10, "reputation"),
        PointsRule("answer-downvoted", "answer.downvoted", -2, "reputation"),
        PointsRule("downvote-cost", "answer.downvoted", -1, "reputation", to="actor"),
        PointsRule("answer-accepted", "answer.accepted", 15, "reputation", capped=False),
        PointsRule("answer-xp", "answer.posted", 5, "xp", to="actor"),
        BadgeRule("first-answer", "first-answer", Count("answer.posted"), (1,)),
        BadgeRule("answerer", "answerer", Count("answer.posted"), (2, 4, 6)),
        BadgeRule("regular", "regular", Streak("visit"), (3,)),
        BadgeRule("supporter", "supporter", Distinct("answer.upvoted", "actor", "target"), (3,)),
        BadgeRule("centurion", "centurion", PointsTotal("reputation"), (100,)),
        EventBadgeRule("accepted", "accepted", "answer.accepted", to="target"),
        RoleRule("trusted", "trusted", PointsTotal("reputation"), 50),
        Levels("xp", (10, 50, 100), ("Novice", "Adept", "Expert")),
    ]
