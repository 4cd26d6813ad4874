"""``flask webhooks ...``: add, list, remove, log, replay and deliver --once (cron)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from guildkit import GuildKit
from guildkit.testing import Members

from guildkit_webhooks.testing import Receiver


@pytest.fixture(params=["sqlite"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["webhooks", *args])


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_add_list_deliver_log_replay_remove(
    gk_app: Flask, gk: GuildKit, gk_members: Members, receiver: Receiver
) -> None:
    receiver.fail_first = 1
    endpoint = as_json(run(gk_app, "add", receiver.url, "--event", "member_joined", "--description", "crm"))
    assert endpoint["secret"].startswith("whsec_") and endpoint["events"] == ["member_joined"]
    assert endpoint["signing"] == "standard-webhooks"
    listed = as_json(run(gk_app, "list"))
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]

    gk_members("Ada")
    delivered = run(gk_app, "deliver", "--once")
    assert delivered.exit_code == 0 and delivered.output.strip() == "1 attempts made"
    [pending] = as_json(run(gk_app, "log", "--status", "pending"))
    assert pending["last_error"].startswith("HTTP 500")

    copy = as_json(run(gk_app, "replay", str(pending["id"])))
    assert copy["replay_of"] == pending["id"] and "_url" not in copy
    assert run(gk_app, "deliver", "--once").output.strip() == "1 attempts made"
    assert [d["status"] for d in as_json(run(gk_app, "log", "--endpoint", str(endpoint["id"])))] == [
        "succeeded",
        "pending",
    ]

    assert run(gk_app, "remove", str(endpoint["id"])).output.strip() == f"removed endpoint {endpoint['id']}"
    assert as_json(run(gk_app, "list")) == []


def test_the_old_signing_scheme_can_be_chosen(gk_app: Flask) -> None:
    legacy = as_json(run(gk_app, "add", "https://x.test/", "--event", "*", "--signing", "guildkit-v1"))
    assert legacy["signing"] == "guildkit-v1" and not legacy["secret"].startswith("whsec_")
    assert run(gk_app, "add", "https://x.test/", "--event", "*", "--signing", "hmac").exit_code == 2


def test_errors_are_clear(gk_app: Flask) -> None:
    bad = run(gk_app, "add", "ftp://x.test/", "--event", "member_joined")
    assert bad.exit_code != 0 and "url must start with http:// or https://" in bad.output
    unknown = run(gk_app, "add", "https://x.test/", "--event", "nope")
    assert unknown.exit_code != 0 and "unknown: 'nope'" in unknown.output
    assert "no webhook endpoint with id 7" in run(gk_app, "remove", "7").output
    assert "no webhook delivery with id 7" in run(gk_app, "replay", "7").output
    assert run(gk_app, "log", "--status", "lost").exit_code == 2
