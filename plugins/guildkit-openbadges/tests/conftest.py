"""Every test gets a GuildKit with this plugin and a small badge set, on each backend (see guildkit.testing).

Badges: ``helper`` (one level, given by hand) and ``answerer`` (bronze/silver/gold at 1, 3 and 5
answers). ``issued`` gives Ann both, the tiered one at two levels, and returns her user id.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request
from guildkit import BadgeDef, BadgeLevel, BadgeRule, Count, GuildKit, hookimpl
from guildkit.web.blueprint import make_blueprint

import guildkit_openbadges

BASE_URL = "https://community.example.org"


class Badges:
    @hookimpl
    def guildkit_register_badges(self, gk: GuildKit) -> list[BadgeDef]:
        return [
            BadgeDef("helper", "Helper", "Helped a newcomer.", image="/static/helper.png"),
            BadgeDef(
                "answerer",
                "Answerer",
                "Answers questions.",
                levels=(
                    BadgeLevel("bronze"),
                    BadgeLevel("silver", description="Ten good answers."),
                    BadgeLevel("gold"),
                ),
            ),
            BadgeDef("hidden", "Hidden", "A secret.", secret=True),
        ]

    @hookimpl
    def guildkit_register_rules(self, gk: GuildKit) -> list[BadgeRule]:
        return [BadgeRule("answers", "answerer", Count("answer.posted"), (1, 3, 5))]


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (guildkit_openbadges, Badges())


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_OPENBADGES_BASE_URL": BASE_URL, "GUILDKIT_OPENBADGES_ISSUER_NAME": "Test Guild"}


@pytest.fixture
def issued(gk: GuildKit) -> str:
    gk.join("ann", name="Ann")
    for n in range(3):
        gk.record("answer.posted", actor="ann", subject=f"answer:{n}", key=f"post:{n}")
    gk.award("ann", badge="helper", reason="welcomed Bob", key="helper:ann")
    return "ann"


@pytest.fixture
def client(gk_app: Flask, gk: GuildKit) -> Any:
    """guildkit's pages at /community and this plugin at /openbadges; the user is the X-User header."""
    gk_app.register_blueprint(make_blueprint(), url_prefix="/community")

    @gk.current_user_loader
    def who() -> str | None:
        return request.headers.get("X-User")

    return gk_app.test_client()
