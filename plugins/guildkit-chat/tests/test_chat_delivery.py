"""Rate limiting per target (a token bucket in the database, on every backend), delivery through
guildkit-webhooks' worker to a real local HTTP server, and start-up checks."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from flask import Flask
from guildkit import ConfigurationError, GuildKit
from guildkit.testing import Clock, Members, make_app

import guildkit_chat
import guildkit_webhooks
from guildkit_webhooks import deliver_due
from guildkit_webhooks.testing import Receiver, serve_receiver


@pytest.mark.parametrize("per_minute", [3])
def test_the_rate_limit_drops_the_excess_and_says_so_in_the_next_message(
    gk: GuildKit,
    gk_clock: Clock,
    gk_members: Members,
    slack_receiver: Receiver,
    discord_receiver: Receiver,
    per_minute: int,
) -> None:
    assert per_minute == 3
    for n in range(8):
        gk_members(f"Member {n}")  # eight "member_joined" messages in the same minute
    assert deliver_due(gk) == 2 * 3
    assert [json.loads(r.body)["text"] for r in slack_receiver.requests] == [
        f"Welcome Member {n} to the community!" for n in (0, 1, 2)
    ]
    gk_clock.advance(seconds=20)  # one token back (3 a minute)
    gk_members("Late")
    gk_members("Later")  # no token left again
    deliver_due(gk)
    assert json.loads(slack_receiver.requests[-1].body)["text"] == "Welcome Late to the community! (and 5 more…)"
    assert json.loads(discord_receiver.requests[-1].body)["content"].endswith("(and 5 more…)")
    assert len(slack_receiver.requests) == len(discord_receiver.requests) == 4
    gk_clock.advance(minutes=5)
    gk_members("Much later")
    deliver_due(gk)
    assert json.loads(slack_receiver.requests[-1].body)["text"].endswith("to the community! (and 1 more…)")


def test_targets_only_get_their_events(gk_app: Flask, gk: GuildKit, gk_members: Members) -> None:
    with serve_receiver() as badges_only:
        gk_app.extensions["guildkit_chat"] = guildkit_chat.parse_targets(
            [{"platform": "discord", "url": badges_only.url, "events": ["badge_awarded"]}]
        )
        gk_members("Ada")
        assert deliver_due(gk) == 0 and badges_only.requests == []


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ("slack", "must be a list"),
        ([{"platform": "teams", "url": "https://x.test/", "events": ["*"]}], r"\[0\]\.platform"),
        ([{"platform": "slack", "url": "ftp://x.test/", "events": ["*"]}], r"\[0\]\.url"),
        ([{"platform": "slack", "url": "https://x.test/", "events": []}], r"\[0\]\.events"),
        ([{"platform": "slack", "url": "https://x.test/", "events": ["badge_revoked"]}], "unknown 'badge_revoked'"),
        ([{"platform": "slack", "url": "https://x.test/", "events": ["*"], "per_minute": 0}], "per_minute"),
        ([{"platform": "slack", "url": "https://x.test/", "events": ["*"], "channel": "#x"}], "unknown keys"),
    ],
)
def test_bad_targets_fail_at_start_up(tmp_path: Path, targets: object, message: str) -> None:
    config = {"GUILDKIT_CHAT_TARGETS": targets}
    with (
        pytest.raises(ConfigurationError, match=message),
        make_app("sqlite", tmp_path, config=config, plugins=(guildkit_webhooks, guildkit_chat)),
    ):
        pass


def test_targets_need_the_webhooks_plugin(tmp_path: Path) -> None:
    config = {"GUILDKIT_CHAT_TARGETS": [{"platform": "slack", "url": "https://x.test/", "events": ["*"]}]}
    with (
        pytest.raises(ConfigurationError, match="guildkit-webhooks"),
        make_app("sqlite", tmp_path, config=config, plugins=(guildkit_chat,)),
    ):
        pass
    with make_app("sqlite", tmp_path / "inert", plugins=(guildkit_chat,)) as (_, gk):
        gk.join("ada")  # unconfigured: inert, even without guildkit-webhooks


def test_entry_point_is_declared_and_loads(tmp_path: Path) -> None:
    found = {ep.name: ep for ep in entry_points(group="guildkit")}
    assert found["chat"].value == "guildkit_chat" and found["chat"].load() is guildkit_chat
    config = {"GUILDKIT_LOAD_ENTRY_POINTS": True, "GUILDKIT_PLUGINS_ALLOW": ["chat", "webhooks"]}
    with make_app("sqlite", tmp_path, config=config) as (_, gk):
        assert gk.pm.get_plugin("chat") is guildkit_chat and gk.pm.get_plugin("webhooks") is guildkit_webhooks
