"""Each mapped event, delivered over HTTP, records the right activity (type, actor, target,
subject, payload, time) for the linked members, on every backend; unlinked users are skipped,
a host resolver can decide who they are, and a renamed login is followed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from guildkit import GuildKit

import guildkit_github
from github_support import MONALISA, OCTOCAT, SECRET, GitHub, Recorder

Payloads = Callable[[str], dict[str, Any]]

# The activity keys of the payload files: what happened, with the event's own time.
MERGE = "github:1296269:pr#1347:merged@2026-01-04T10:15:00Z"
REVIEW = "github:1296269:pr#1347:review:80:submitted@2026-01-03T17:20:33Z"
OPEN = "github:1296269:issue#1348:opened@2026-01-03T09:00:00Z"
CLOSE = "github:1296269:issue#1348:closed@2026-01-04T16:30:00Z"
RELEASE = "github:1296269:release:1:published@2026-01-04T08:05:00Z"


def test_a_merged_pull_request(github: GitHub, recorder: Recorder, linked: dict[str, str], payloads: Payloads) -> None:
    reply = github.deliver("pull_request", payloads("pull_request_closed_merged"), delivery="d-merge")
    assert reply.status == 200
    assert reply.body == {
        "delivery": "d-merge",
        "activities": [{"key": MERGE, "type": "github.pull_request.merged", "duplicate": False}],
        "skipped": [],
    }
    activity = recorder.by_key(MERGE)
    assert (activity.type, activity.actor_user_id, activity.target_user_id) == (
        "github.pull_request.merged",
        linked["octocat"],
        None,
    )
    assert activity.subject == "github:octocat/Hello-World#1347"
    assert dict(activity.payload) == {
        "repo": "octocat/Hello-World",
        "number": 1347,
        "title": "Amazing new feature",
        "url": "https://github.com/octocat/Hello-World/pull/1347",
        "merged_by": "monalisa",
    }
    assert activity.occurred_at == datetime(2026, 1, 4, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize("state", ["approved", "changes_requested", "commented"])
def test_a_submitted_review(
    github: GitHub, recorder: Recorder, linked: dict[str, str], payloads: Payloads, state: str
) -> None:
    payload = payloads("pull_request_review_submitted")
    payload["review"]["state"] = state
    reply = github.deliver("pull_request_review", payload, delivery="d-review")
    assert [a["type"] for a in reply.body["activities"]] == ["github.review.submitted"]
    activity = recorder.by_key(REVIEW)
    assert (activity.actor_user_id, activity.target_user_id) == (linked["monalisa"], linked["octocat"])
    assert activity.subject == "github:octocat/Hello-World#1347"
    assert dict(activity.payload) == {
        "repo": "octocat/Hello-World",
        "number": 1347,
        "title": "Amazing new feature",
        "url": "https://github.com/octocat/Hello-World/pull/1347#pullrequestreview-80",
        "state": state,
        "review_id": 80,
    }
    assert activity.occurred_at == datetime(2026, 1, 3, 17, 20, 33, tzinfo=UTC)


def test_an_opened_issue(github: GitHub, recorder: Recorder, linked: dict[str, str], payloads: Payloads) -> None:
    github.deliver("issues", payloads("issues_opened"), delivery="d-open")
    activity = recorder.by_key(OPEN)
    assert (activity.type, activity.actor_user_id, activity.target_user_id) == (
        "github.issue.opened",
        linked["octocat"],
        None,
    )
    assert activity.subject == "github:octocat/Hello-World#1348"
    assert dict(activity.payload) == {
        "repo": "octocat/Hello-World",
        "number": 1348,
        "title": "Found a bug",
        "url": "https://github.com/octocat/Hello-World/issues/1348",
    }


def test_a_closed_issue(github: GitHub, recorder: Recorder, linked: dict[str, str], payloads: Payloads) -> None:
    github.deliver("issues", payloads("issues_closed"), delivery="d-close")
    activity = recorder.by_key(CLOSE)
    # The actor is whoever closed it (the sender), the target the issue's author.
    assert (activity.type, activity.actor_user_id, activity.target_user_id) == (
        "github.issue.closed",
        linked["hubot"],
        linked["octocat"],
    )
    assert activity.payload["state_reason"] == "completed"
    assert activity.occurred_at == datetime(2026, 1, 4, 16, 30, tzinfo=UTC)


def test_a_published_release(github: GitHub, recorder: Recorder, linked: dict[str, str], payloads: Payloads) -> None:
    github.deliver("release", payloads("release_published"), delivery="d-release")
    activity = recorder.by_key(RELEASE)
    assert (activity.type, activity.actor_user_id, activity.target_user_id) == (
        "github.release.published",
        linked["hubot"],
        None,
    )
    assert activity.subject == "github:octocat/Hello-World@v1.0.0"
    assert dict(activity.payload) == {
        "repo": "octocat/Hello-World",
        "tag": "v1.0.0",
        "name": "v1.0.0",
        "url": "https://github.com/octocat/Hello-World/releases/tag/v1.0.0",
        "prerelease": False,
    }


def test_an_unlinked_actor_is_skipped(gk: GuildKit, github: GitHub, recorder: Recorder, payloads: Payloads) -> None:
    reply = github.deliver("pull_request", payloads("pull_request_closed_merged"), delivery="d-nobody")
    assert reply.status == 202
    assert reply.body == {
        "delivery": "d-nobody",
        "activities": [],
        "skipped": [
            {
                "type": "github.pull_request.merged",
                "reason": f"GitHub user octocat (id {OCTOCAT}) is not linked to a member",
            }
        ],
    }
    assert recorder.activities == []
    # Linked later, the same delivery (GitHub's "Redeliver") is recorded then.
    guildkit_github.link(gk, github_id=OCTOCAT, user_id="late-octocat")
    again = github.deliver("pull_request", payloads("pull_request_closed_merged"), delivery="d-nobody")
    assert (again.status, again.body["activities"][0]["duplicate"]) == (200, False)
    assert recorder.by_key(MERGE).actor_user_id == "late-octocat"


def test_an_unlinked_target_is_dropped_but_the_actor_still_counts(
    gk: GuildKit, github: GitHub, recorder: Recorder, payloads: Payloads
) -> None:
    guildkit_github.link(gk, github_id=MONALISA, user_id="reviewer")
    reply = github.deliver("pull_request_review", payloads("pull_request_review_submitted"), delivery="d-half")
    assert (reply.status, reply.body["skipped"]) == (200, [])
    activity = recorder.by_key(REVIEW)
    assert (activity.actor_user_id, activity.target_user_id) == ("reviewer", None)


def test_users_are_matched_by_id_not_login(
    gk: GuildKit, github: GitHub, recorder: Recorder, linked: dict[str, str], payloads: Payloads
) -> None:
    # Someone who took the login "octocat" after a rename is not octocat's member.
    payload = payloads("issues_opened")
    payload["issue"]["user"]["id"] = 99999999
    reply = github.deliver("issues", payload)
    assert reply.status == 202
    assert recorder.activities == []
    # octocat renamed to "octo-renamed" is still octocat's member, and the stored login follows.
    payload = payloads("issues_opened")
    payload["issue"]["user"]["login"] = "octo-renamed"
    assert github.deliver("issues", payload, delivery="d-renamed").status == 200
    assert recorder.by_key(OPEN).actor_user_id == linked["octocat"]
    logins = {a.github_id: a.login for a in guildkit_github.linked_accounts(gk)}
    assert logins[OCTOCAT] == "octo-renamed"


class TestResolver:
    """``GUILDKIT_GITHUB_RESOLVE`` decides for GitHub users without a link row."""

    calls: list[Mapping[str, Any]]

    @pytest.fixture
    def gk_config(self) -> dict[str, Any]:
        self.calls = []

        def resolve(user: Mapping[str, Any]) -> str | None:
            self.calls.append(dict(user))
            if user["login"] == "explode":
                raise RuntimeError("host database down")
            if user["login"] == "weird":
                return ["not", "an", "id"]  # type: ignore[return-value]
            return f"sso-{user['id']}" if user["login"] != "hubot" else None

        return {"GUILDKIT_GITHUB_SECRET": SECRET, "GUILDKIT_GITHUB_RESOLVE": resolve}

    def test_the_resolver_names_unlinked_users(self, github: GitHub, recorder: Recorder, payloads: Payloads) -> None:
        reply = github.deliver("issues", payloads("issues_closed"), delivery="d-resolved")
        # hubot (who closed it) resolves to None: the activity is skipped, so octocat (the
        # target) is never asked about.
        assert (reply.status, [s["type"] for s in reply.body["skipped"]]) == (202, ["github.issue.closed"])
        assert self.calls == [{"id": 480938, "login": "hubot", "type": "User"}]
        assert recorder.activities == []
        github.deliver("issues", payloads("issues_opened"), delivery="d-resolved-2")
        assert recorder.by_key(OPEN).actor_user_id == f"sso-{OCTOCAT}"

    def test_a_link_row_wins_over_the_resolver(
        self, gk: GuildKit, github: GitHub, recorder: Recorder, payloads: Payloads
    ) -> None:
        guildkit_github.link(gk, github_id=OCTOCAT, user_id="linked-octocat")
        github.deliver("issues", payloads("issues_opened"), delivery="d-linked")
        assert recorder.by_key(OPEN).actor_user_id == "linked-octocat"
        assert self.calls == []

    @pytest.mark.parametrize("login", ["explode", "weird"])
    def test_a_failing_resolver_is_500_and_records_nothing(
        self, github: GitHub, recorder: Recorder, payloads: Payloads, login: str
    ) -> None:
        payload = payloads("issues_opened")
        payload["issue"]["user"]["login"] = login
        reply = github.deliver("issues", payload)
        assert (reply.status, reply.body["code"]) == (500, "resolve_failed")
        assert recorder.activities == []
