"""Turning a :class:`~.messages.Message` into each platform's incoming-webhook JSON.

* **Slack** — ``{"text": fallback, "blocks": [section with mrkdwn]}``. User values are escaped
  as Slack asks (``&`` ``<`` ``>`` become entities), which also defuses ``<!channel>`` and
  ``<@U123>`` mentions and links; values are shown in bold.
* **Discord** — ``{"content": line, "embeds": [...], "allowed_mentions": {"parse": []}}``.
  Markdown characters in user values are backslash-escaped, and every ``@`` gets a zero-width
  space after it, so ``@everyone``, ``@here`` and ``<@id>`` never ping (``allowed_mentions``
  says the same to Discord, belt and braces).

``more`` (messages dropped by the rate limit since the last one sent) adds "(and N more…)".
"""

from __future__ import annotations

import re
from typing import Any

from guildkit_webhooks.outbox import isoformat

from .messages import Message

ZERO_WIDTH_SPACE = "\u200b"
DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<:])")
#: Discord's limits: 2,000 characters of content, 4,096 of embed description.
DISCORD_CONTENT_MAX = 2000
SLACK_TEXT_MAX = 3000


def slack_escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def discord_escape(value: str) -> str:
    return DISCORD_MARKDOWN.sub(r"\\\1", value).replace("@", "@" + ZERO_WIDTH_SPACE)


def _more(more: int) -> str:
    return f" (and {more} more…)" if more > 0 else ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack(message: Message, more: int = 0) -> dict[str, Any]:
    fallback = message.template.format(**{k: slack_escape(v) for k, v in message.values.items()}) + _more(more)
    rich = message.template.format(**{k: f"*{slack_escape(v)}*" for k, v in message.values.items()}) + _more(more)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(rich, SLACK_TEXT_MAX)}}
    ]
    if message.details.get("description"):
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": _clip(slack_escape(message.details["description"]), SLACK_TEXT_MAX)}
                ],
            }
        )
    return {"text": _clip(fallback, SLACK_TEXT_MAX), "blocks": blocks}


def discord(message: Message, more: int = 0) -> dict[str, Any]:
    line = message.template.format(**{k: f"**{discord_escape(v)}**" for k, v in message.values.items()}) + _more(more)
    embed: dict[str, Any] = {"title": message.title, "color": message.color, "timestamp": isoformat(message.at)}
    if message.details.get("description"):
        embed["description"] = _clip(discord_escape(message.details["description"]), 4096)
    return {"content": _clip(line, DISCORD_CONTENT_MAX), "embeds": [embed], "allowed_mentions": {"parse": []}}


RENDERERS = {"slack": slack, "discord": discord}


def render(platform: str, message: Message, more: int = 0) -> dict[str, Any]:
    return RENDERERS[platform](message, more)
