"""Payloads per platform for each event type, and escaping of user text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from guildkit import GuildKit
from guildkit.testing import Clock, Members

from guildkit_chat import discord, discord_escape, slack, slack_escape
from guildkit_chat.messages import Message
from guildkit_webhooks import deliver_due
from guildkit_webhooks.testing import Receiver


@pytest.fixture(params=["sqlite"])
def gk_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def sent(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.requests]


def slack_line(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_every_event_type_on_both_platforms(
    community: GuildKit, gk_clock: Clock, gk_members: Members, slack_receiver: Receiver, discord_receiver: Receiver
) -> None:
    gk = community
    voter, ada = gk_members("Vic"), gk_members("Ada")
    gk.record("answer.upvoted", actor=voter, target=ada, key="vote:1")
    gk.record("answer.upvoted", actor=voter, target=ada, key="vote:2")
    event = gk.events.create(
        ada,
        title="Packaging night",
        starts_at=gk_clock() + timedelta(days=2),
        ends_at=gk_clock() + timedelta(days=2, hours=2),
        timezone="UTC",
        online=True,
    )
    gk.events.cancel(event.id, ada, reason="rain")
    gk.mentorship.offer(ada, topics=["python"], languages=["en"], timezone="UTC")
    mentorship = gk.mentorship.request(voter, ada, goals="learn packaging")
    gk.mentorship.accept(mentorship.id, ada)
    assert deliver_due(gk) == 2 * 10

    texts = [m["text"] for m in sent(slack_receiver)]
    assert texts == [
        "Welcome Vic to the community!",  # gk.join stores the name before it announces the join
        "Welcome Ada to the community!",
        "Ada earned Bronze Answerer",
        "Ada reached level 1: Rising (Reputation)",
        "Ada earned Gold Answerer",
        "Ada is now Trusted",
        "Ada reached level 2: Veteran (Reputation)",
        "New event: Packaging night",
        "Event cancelled: Packaging night",
        "Ada is now mentoring Vic",
    ]
    gold = sent(slack_receiver)[4]
    assert gold["blocks"] == [
        slack_line("*Ada* earned *Gold Answerer*"),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Two upvoted answers"}]},
    ]
    assert [m["content"] for m in sent(discord_receiver)][2:5] == [
        "**Ada** earned **Bronze Answerer**",
        "**Ada** reached level **1**: **Rising** (**Reputation**)",
        "**Ada** earned **Gold Answerer**",
    ]
    discord_gold = sent(discord_receiver)[4]
    assert discord_gold["embeds"] == [
        {
            "title": "Badge earned",
            "color": 0xF1C40F,
            "timestamp": "2026-01-05T12:00:00Z",
            "description": "Two upvoted answers",
        }
    ]
    assert all(m["allowed_mentions"] == {"parse": []} for m in sent(discord_receiver))
    assert all("Guildkit-Signature" not in r.headers for r in slack_receiver.requests + discord_receiver.requests)


def test_what_is_not_announced(community: GuildKit, gk_members: Members, slack_receiver: Receiver) -> None:
    gk = community
    ada = gk_members("Ada")
    deliver_due(gk)
    before = len(slack_receiver.requests)
    gk.award(ada, role="trusted", reason="x")
    gk.revoke(ada, role="trusted", reason="no longer")  # revocations are not channel news
    gk.award(ada, points=5, point_type="rep", reason="x")  # points alone are not announced either
    deliver_due(gk)
    assert [m["text"] for m in sent(slack_receiver)[before:]] == ["Ada is now Trusted"]


HOSTILE = "<!channel> Bob & <@U123> *bold* @everyone @here [x](http://evil) `code` :boom:"


def message() -> Message:
    return Message(
        "badge_awarded",
        "{member} earned {badge}",
        {"member": HOSTILE, "badge": "A<b>"},
        "Badge",
        1,
        datetime(2026, 1, 5, tzinfo=UTC),
    )


def test_slack_escapes_user_text() -> None:
    assert slack_escape("a & <b> >") == "a &amp; &lt;b&gt; &gt;"
    body = slack(message())
    text = body["blocks"][0]["text"]["text"]
    assert "<" not in text and ">" not in text.replace("&gt;", "")
    assert text.startswith("*&lt;!channel&gt; Bob &amp; &lt;@U123&gt;") and text.endswith("earned *A&lt;b&gt;*")
    assert body["text"] == slack_escape(HOSTILE) + " earned A&lt;b&gt;"


def test_discord_escapes_markdown_and_never_pings() -> None:
    assert discord_escape("*a* _b_ `c` ~d~ |e| @everyone") == "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\|e\\| @\u200beveryone"
    body = discord(message())
    content = body["content"]
    assert "@everyone" not in content and "@here" not in content and "<@U123>" not in content
    assert "@\u200beveryone" in content and "\\<@\u200bU123\\>" in content
    assert "\\[x\\]\\(http\\:" in content and "\\*bold\\*" in content and "\\:boom\\:" in content
    assert content.endswith("earned **A\\<b\\>**")
    assert body["allowed_mentions"] == {"parse": []}


def test_long_text_is_clipped_to_platform_limits() -> None:
    long = Message("event_changed", "New event: {title}", {"title": "x" * 5000}, "Event", 1, datetime.now(UTC))
    assert len(discord(long)["content"]) == 2000 and discord(long)["content"].endswith("…")
    assert len(slack(long)["text"]) == 3000
