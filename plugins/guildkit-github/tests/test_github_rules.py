"""The default rule set: ``contribution`` points, the first-merge badge and the tiered reviewer
badge; and when the rule set is registered at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from guildkit import GuildKit
from guildkit.testing import Activities, Clock, Members, make_app

import guildkit_github
from github_support import SECRET, GitHub
from guildkit_github import ISSUE_CLOSED, ISSUE_OPENED, PULL_REQUEST_MERGED, RELEASE_PUBLISHED, REVIEW_SUBMITTED
from guildkit_github.rules import FIRST_MERGE_BADGE, POINT_TYPE, REVIEWER_BADGE

Payloads = Callable[[str], dict[str, Any]]


def test_delivered_events_give_the_default_points_and_badges(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Payloads
) -> None:
    octocat, monalisa, hubot = linked["octocat"], linked["monalisa"], linked["hubot"]
    github.deliver("pull_request", payloads("pull_request_closed_merged"))
    github.deliver("pull_request_review", payloads("pull_request_review_submitted"))
    github.deliver("issues", payloads("issues_opened"))
    github.deliver("issues", payloads("issues_closed"))
    github.deliver("release", payloads("release_published"))
    assert gk.balance(octocat, POINT_TYPE) == 10 + 2  # merged PR, opened issue
    assert gk.balance(monalisa, POINT_TYPE) == 5  # a review (merging someone's PR gives nothing)
    assert gk.balance(hubot, POINT_TYPE) == 15  # a release (closing an issue gives nothing)
    assert [(b.badge_slug, b.level) for b in gk.badges(octocat)] == [(FIRST_MERGE_BADGE, 1)]
    assert [(b.badge_slug, b.level) for b in gk.badges(monalisa)] == [(REVIEWER_BADGE, 1)]
    assert gk.badges(hubot) == []


def test_each_rule_on_its_own(gk_members: Members, gk_activities: Activities) -> None:
    ann, bob = gk_members("Ann"), gk_members("Bob")
    expect, record = gk_activities.expect, gk_activities.record
    expect(record(PULL_REQUEST_MERGED, actor=ann), points={ann: 10}, badges={ann: [FIRST_MERGE_BADGE]})
    expect(record(PULL_REQUEST_MERGED, actor=ann), points={ann: 10}, badges={})  # the badge once
    expect(record(REVIEW_SUBMITTED, actor=bob, target=ann, subject="github:o/r#1"), points={bob: 5})
    expect(record(ISSUE_OPENED, actor=bob), points={bob: 2})
    expect(record(ISSUE_CLOSED, actor=bob, target=ann), points={})
    expect(record(RELEASE_PUBLISHED, actor=ann), points={ann: 15})


def test_reviewing_your_own_pull_request_gives_nothing(gk: GuildKit, gk_activities: Activities) -> None:
    gk.join("ann")
    result = gk_activities.record(REVIEW_SUBMITTED, actor="ann", target="ann", subject="github:o/r#1")
    gk_activities.expect(result, points={}, badges={})
    assert gk.badges("ann") == []


def test_the_reviewer_badge_counts_different_pull_requests_of_others(gk: GuildKit, gk_clock: Clock) -> None:
    def review(key: str, pr: int, author: str = "author") -> dict[str, Any]:
        return {"type": REVIEW_SUBMITTED, "key": key, "actor": "rev", "target": author, "subject": f"github:o/r#{pr}"}

    # Three reviews of one PR and reviews of the reviewer's own PRs count once and not at all.
    gk.record_many([review(f"same-{i}", 1) for i in range(3)] + [review(f"own-{i}", 100 + i, "rev") for i in range(9)])
    assert [(b.badge_slug, b.level) for b in gk.badges("rev")] == [(REVIEWER_BADGE, 1)]
    gk.record_many([review(f"r-{pr}", pr) for pr in range(2, 10)])  # 9 different PRs
    assert max(b.level for b in gk.badges("rev")) == 1
    gk.record_many([review("r-10", 10)])
    assert max(b.level for b in gk.badges("rev")) == 2
    gk.record_many([review(f"r-{pr}", pr) for pr in range(11, 51)])
    assert max(b.level for b in gk.badges("rev")) == 3


def test_review_and_issue_points_are_capped_per_day(gk: GuildKit, gk_clock: Clock) -> None:
    def six(type: str, prefix: str) -> list[dict[str, Any]]:
        return [{"type": type, "key": f"{prefix}-{i}", "actor": "busy", "target": f"a-{i}"} for i in range(6)]

    results = gk.record_many(six(REVIEW_SUBMITTED, "review") + six(ISSUE_OPENED, "issue"))
    assert [r.points_for("busy", POINT_TYPE) for r in results] == [5] * 5 + [0] + [2] * 5 + [0]
    gk_clock.advance(days=1)
    assert gk.record(REVIEW_SUBMITTED, key="tomorrow", actor="busy", target="x").points_for("busy") == 5
    # The day is the event's own time: a review submitted yesterday and delivered late stays capped.
    late = gk.record(REVIEW_SUBMITTED, key="late", actor="busy", target="y", occurred_at=gk_clock.now - timedelta(1))
    assert late.points_for("busy") == 0


def test_the_rule_set_is_off_when_the_receiver_is_not_configured(tmp_path: Path) -> None:
    with make_app("sqlite", tmp_path, plugins=(guildkit_github,)) as (_, gk):
        assert POINT_TYPE not in gk.registry.point_types
        assert not [name for name in gk.registry.rules if name.startswith("github-")]


@pytest.mark.parametrize(
    ("config", "registered"),
    [
        ({"GUILDKIT_GITHUB_SECRET": SECRET}, True),
        ({"GUILDKIT_GITHUB_SECRET": SECRET, "GUILDKIT_GITHUB_DEFAULT_RULES": False}, False),
        ({"GUILDKIT_GITHUB_DEFAULT_RULES": True}, True),
    ],
)
def test_the_rule_set_switch(tmp_path: Path, config: dict[str, Any], registered: bool) -> None:
    with make_app("sqlite", tmp_path, plugins=(guildkit_github,), config=config) as (_, gk):
        assert (POINT_TYPE in gk.registry.point_types) is registered
        assert ({FIRST_MERGE_BADGE, REVIEWER_BADGE} <= set(gk.registry.badges)) is registered
        assert ("github-pull-request-merged" in gk.registry.rules) is registered
        assert gk.registry.origin.get(("point type", POINT_TYPE)) == ("guildkit_github" if registered else None)
