"""Chat messages go through guildkit-webhooks' background worker: its retries and its log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from guildkit import GuildKit
from guildkit.testing import Members

from guildkit_webhooks.admin import list_deliveries
from guildkit_webhooks.testing import Receiver, poll


@pytest.fixture
def gk_config(slack_receiver: Receiver) -> dict[str, Any]:
    slack_receiver.fail_first = 1
    return {
        "GUILDKIT_WEBHOOKS_WORKER": True,
        "GUILDKIT_WEBHOOKS_BACKOFF_BASE": 0.0,
        "GUILDKIT_WEBHOOKS_POLL_SECONDS": 0.1,
        "GUILDKIT_CHAT_TARGETS": [{"platform": "slack", "url": slack_receiver.url, "events": ["member_joined"]}],
    }


def test_messages_go_through_the_webhooks_worker_with_its_retries_and_log(
    gk: GuildKit, gk_members: Members, slack_receiver: Receiver
) -> None:
    gk_members("Ada")
    first, second = slack_receiver.wait_for(2)
    assert first.body == second.body and first.headers["Guildkit-Delivery"] == second.headers["Guildkit-Delivery"]
    assert json.loads(first.body)["text"] == "Welcome Ada to the community!"
    row = poll(lambda: (r := list_deliveries(gk, source="chat:slack")[0][0])["status"] == "succeeded" and r)
    assert (row["attempts"], row["event"], row["endpoint_id"]) == (2, "member_joined", None)
    assert row["url"].endswith("/…"), "the log does not show a chat webhook's secret path"
