"""Fixtures: a GuildKit with the plugin (on each backend), served over real HTTP, and a sender
that delivers webhooks the way GitHub does (signed raw body, event and delivery headers).

The payload files under ``payloads/`` are trimmed copies of the examples in GitHub's webhook
documentation: octocat (583231) authors the pull request, the issue; monalisa (2154792) reviews
and merges; hubot (480938) closes the issue and publishes the release.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from guildkit import GuildKit
from werkzeug.serving import make_server

import guildkit_github
from github_support import HUBOT, MONALISA, OCTOCAT, PAYLOADS, SECRET, GitHub, Recorder


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def gk_plugins(recorder: Recorder) -> tuple[object, ...]:
    return (guildkit_github, recorder)


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {"GUILDKIT_GITHUB_SECRET": SECRET}


@pytest.fixture
def payloads() -> Callable[[str], dict[str, Any]]:
    """``payloads("issues_opened")``: a fresh copy of ``payloads/issues_opened.json``."""

    def load(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
        return data

    return load


@pytest.fixture
def github(gk_app: Flask) -> Iterator[GitHub]:
    """The app served on 127.0.0.1 (a threaded WSGI server), and a sender aimed at it."""
    server = make_server("127.0.0.1", 0, gk_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="github-receiver", daemon=True)
    thread.start()
    try:
        yield GitHub("127.0.0.1", server.server_port, gk_app.config["GUILDKIT_GITHUB_WEBHOOK_PATH"])
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()


@pytest.fixture
def linked(gk: GuildKit) -> dict[str, str]:
    """octocat, monalisa and hubot as members, linked to their GitHub accounts: login -> user id."""
    users = {}
    for login, github_id in (("octocat", OCTOCAT), ("monalisa", MONALISA), ("hubot", HUBOT)):
        user_id = f"host-{login}"
        gk.join(user_id, name=login.title())
        guildkit_github.link(gk, github_id=github_id, user_id=user_id, login=login)
        users[login] = user_id
    return users
