"""A profile's "Recent recognitions": the member's latest badges for everyone, their notable point
awards for themself and moderators, newest first, dated, linked and in words; kept from others,
like the calendar, by a member who keeps off leaderboards."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import Flask

from guildkit import ActivityTypeDef, GuildKit, PointsRule, Subject
from guildkit.testing import Clock
from tests.webclient import Site, mount, sqlite_and_postgresql

gk_backend = sqlite_and_postgresql


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit, gk_clock: Clock) -> Site:
    client = mount(gk_app, gk)
    gk.define(
        rules=[PointsRule("bounty", "bounty.won", 100, "reputation", capped=False)],
        activity_types=[ActivityTypeDef("bounty.won", "Bounty won", target="Your answer to {subject} won a bounty")],
    )

    @gk.subject_loader
    def titles(keys: list[str]) -> dict[str, Subject]:
        return {key: Subject(title=f"Question {key.split(':')[1]}", url=f"/q/{key.split(':')[1]}") for key in keys}

    gk_clock.set(datetime(2026, 5, 4, 10, 0, tzinfo=gk.state.zone))
    gk.join("ann", name="Ann")
    gk.award("mo", role="moderator", reason="elected", key="staff:mo")
    for n in range(5):  # her usual gain: ten points an upvote
        gk.record("answer.upvoted", actor=f"v{n}", target="ann", subject="answer:1", key=f"up:{n}")
    gk.record("answer.posted", actor="ann", subject="answer:1", key="post:1")  # First Answer
    gk_clock.advance(days=2)
    gk.record("bounty.won", actor="v0", target="ann", subject="answer:7", key="bounty:7")
    gk_clock.advance(days=3)
    gk.record("answer.posted", actor="ann", subject="answer:2", key="post:2")  # Bronze Answerer
    gk.record("answer.accepted", actor="v1", target="ann", subject="answer:2", key="accept:2")  # 15: usual enough
    gk_clock.advance(days=1)
    gk.award("ann", points=50, point_type="reputation", reason="Ran the spring meetup", key="thanks")
    gk.award("ann", points=80, point_type="reputation", reason="A mistake", key="oops")
    gk.retract("oops", reason="given to the wrong member")  # taken back: not a recognition
    return Site(client, gk)


def recognitions(html: str) -> list[str]:
    """Each recognition as a screen reader reads it."""
    if 'id="gk-recognitions"' not in html:
        return []
    section = html.split('id="gk-recognitions"', 1)[1].split("</section>", 1)[0]
    items = section.split("<ul", 1)[1].split(">", 1)[1].split("</ul>", 1)[0].split("</li>")[:-1]
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_everyone_sees_the_latest_badges_dated_and_linked(site: Site) -> None:
    html = site.get("/members/ann")
    assert recognitions(html) == [
        "Earned Accepted Bronze · May 9, 2026",
        "Earned Bronze Answerer · May 9, 2026",
        "Earned Centurion Bronze · May 6, 2026",  # a secret badge, shown once held
        "Earned First Answer Bronze · May 4, 2026",
    ]
    section = html.split('id="gk-recognitions"', 1)[1].split("</section>", 1)[0]
    assert 'href="/community/badges/answerer"' in section and 'href="/community/badges/first-answer"' in section
    assert '<time datetime="2026-05-09T10:00:00Z">May 9, 2026</time>' in section
    assert "+50" not in section and "bounty" not in section  # the points history is the member's own


@pytest.mark.parametrize("viewer", ["ann", "mo"])
def test_the_member_and_moderators_also_see_notable_point_awards(site: Site, viewer: str) -> None:
    html = site.get("/members/ann", user=viewer)
    # The six latest: not the upvotes nor the accepted answer (+15, near her usual +10), nor the
    # award taken back; the bounty and the team's thanks stand out.
    assert recognitions(html) == [
        "+50 Reputation: The community team gave you this · Ran the spring meetup · May 10, 2026",
        "Earned Accepted Bronze · May 9, 2026",
        "Earned Bronze Answerer · May 9, 2026",
        "Earned Centurion Bronze · May 6, 2026",
        "+100 Reputation: Your answer to Question 7 won a bounty · May 6, 2026",
        "Earned First Answer Bronze · May 4, 2026",
    ]
    section = html.split('id="gk-recognitions"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/q/7">Question 7</a>' in section  # the subject, titled and linked
    who = "you" if viewer == "ann" else "Ann"
    assert f"Only {who} and moderators see the point awards." in section


def test_no_raw_keys_on_the_profile(site: Site) -> None:
    for viewer in (None, "ann"):
        html = site.get("/members/ann", user=viewer)
        text = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])
        for raw in ("bounty.won", "guildkit.award", "answer:", "first-answer", "answerer ", "reputation"):
            assert raw not in text, (viewer, raw)


def test_a_member_off_the_leaderboards_keeps_them_from_others(site: Site) -> None:
    site.gk.privacy.set_leaderboard_opt_out("ann", True)
    assert recognitions(site.get("/members/ann")) == []
    assert recognitions(site.get("/members/ann", user="bob")) == []
    assert len(recognitions(site.get("/members/ann", user="ann"))) == 6
    assert len(recognitions(site.get("/members/ann", user="mo"))) == 6


def test_only_the_latest_six_newest_first(site: Site, gk_clock: Clock) -> None:
    gk = site.gk
    for n in range(8):
        gk_clock.advance(hours=1)
        gk.award("ann", points=60 + n, point_type="reputation", reason=f"Thanks {n}", key=f"thanks:{n}")
    shown = recognitions(site.get("/members/ann", user="ann"))
    assert [line.split(":", 1)[0] for line in shown] == [f"+{60 + n} Reputation" for n in range(7, 1, -1)]
    assert 'id="gk-recognitions"' not in site.get("/members/mo")  # nothing earned: no section
