"""Helpers shared by the plugin's tests (imported by name: pytest puts this folder on sys.path).

``GitHub`` delivers webhooks over real HTTP, signed the way GitHub signs them; ``Recorder`` is a
plugin that keeps every activity guildkit reports as recorded.
"""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guildkit import ActivityResult, ActivityView, GuildKit, hookimpl

import guildkit_github

SECRET = "It's a Secret to Everybody"
PAYLOADS = Path(__file__).parent / "payloads"
OCTOCAT, MONALISA, HUBOT = 583231, 2154792, 480938


class Recorder:
    """A plugin that keeps every ``github.*`` activity guildkit reports as recorded (after the commit)."""

    def __init__(self) -> None:
        self.activities: list[ActivityView] = []
        self.lock = threading.Lock()

    @hookimpl
    def guildkit_activity_recorded(self, gk: GuildKit, activity: ActivityView, result: ActivityResult) -> None:
        if activity.type.startswith("github."):
            with self.lock:
                self.activities.append(activity)

    def by_key(self, key: str) -> ActivityView:
        (found,) = [a for a in self.activities if a.key == key]
        return found


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    content_type: str


@dataclass
class GitHub:
    """Delivers webhooks to the receiver over HTTP, signed like GitHub signs them."""

    host: str
    port: int
    path: str = "/hooks/github"
    sent: list[str] = field(default_factory=list)

    def deliver(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        delivery: str | None = None,
        secret: str | None = SECRET,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        body = self.encode(payload)
        delivery = delivery or str(uuid.uuid4())
        self.sent.append(delivery)
        sent_headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/044aadd",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-GitHub-Hook-ID": "109948940",
        }
        if secret is not None:
            sent_headers["X-Hub-Signature-256"] = guildkit_github.sign(secret, body)
        sent_headers.update(headers or {})
        return self.post(body, {k: v for k, v in sent_headers.items() if v != ""})

    @staticmethod
    def encode(payload: dict[str, Any]) -> bytes:
        return json.dumps(payload).encode()

    def post(self, body: bytes | Iterable[bytes], headers: dict[str, str], *, chunked: bool = False) -> Reply:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("POST", self.path, body=body, headers=headers, encode_chunked=chunked)
            response = conn.getresponse()
            data = response.read()
            content_type = response.getheader("Content-Type") or ""
            parsed = json.loads(data) if "json" in content_type else {"raw": data.decode(errors="replace")}
            return Reply(response.status, parsed, content_type)
        finally:
            conn.close()
