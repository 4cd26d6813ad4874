"""Fixtures: guildkit-webhooks and guildkit-chat registered on every backend, one real HTTP
receiver standing in for Slack and one for Discord, and a small community to announce."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from guildkit import (
    BadgeDef,
    BadgeLevel,
    BadgeRule,
    Count,
    GuildKit,
    Levels,
    PointsRule,
    PointTypeDef,
    RoleDef,
    RoleRule,
)

import guildkit_chat
import guildkit_webhooks
from guildkit_webhooks.testing import Receiver, serve_receiver


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (guildkit_webhooks, guildkit_chat)


@pytest.fixture
def slack_receiver() -> Iterator[Receiver]:
    with serve_receiver() as receiver:
        yield receiver


@pytest.fixture
def discord_receiver() -> Iterator[Receiver]:
    with serve_receiver() as receiver:
        yield receiver


@pytest.fixture
def per_minute() -> int:
    return 20


@pytest.fixture
def gk_config(slack_receiver: Receiver, discord_receiver: Receiver, per_minute: int) -> dict[str, Any]:
    return {
        "GUILDKIT_WEBHOOKS_WORKER": False,
        "GUILDKIT_CHAT_TARGETS": [
            {"platform": "slack", "url": slack_receiver.url, "events": ["*"], "per_minute": per_minute},
            {"platform": "discord", "url": discord_receiver.url, "events": ["*"], "per_minute": per_minute},
        ],
    }


@pytest.fixture(autouse=True)
def _stop_workers(request: pytest.FixtureRequest) -> Iterator[None]:
    app: Flask | None = request.getfixturevalue("gk_app") if "gk_app" in request.fixturenames else None
    yield
    if app is not None:
        with app.app_context():
            assert app.extensions["guildkit"].gk.jobs.stop()


@pytest.fixture
def community(gk: GuildKit) -> GuildKit:
    gk.define(
        point_types=[PointTypeDef("rep", "Reputation")],
        badges=[
            BadgeDef(
                "answerer",
                "Answerer",
                levels=(BadgeLevel("bronze"), BadgeLevel("gold", "Gold Answerer", "Two upvoted answers")),
            )
        ],
        roles=[RoleDef("trusted", "Trusted")],
        rules=[
            PointsRule("upvote", "answer.upvoted", 10, "rep"),
            BadgeRule("answerer", "answerer", Count("answer.upvoted", "target"), (1, 2)),
            RoleRule("trusted", "trusted", Count("answer.upvoted", "target"), 2),
            Levels("rep", (10, 20), ("Rising", "Veteran")),
        ],
    )
    return gk
