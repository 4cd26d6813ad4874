"""What happened is the idempotency key, not GitHub's delivery id: a redelivery, or the same event
from a repository webhook and an organization webhook (two delivery ids), is a replay that awards
nothing twice, also when the copies arrive at the same moment; events that really are distinct
(an issue closed again after a reopen, a second review) still count (on every backend)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from guildkit import GuildKit

import guildkit_github
from github_support import MONALISA, OCTOCAT, GitHub, Recorder, Reply
from guildkit_github.rules import FIRST_MERGE_BADGE, POINT_TYPE, REVIEWER_BADGE

Payloads = Callable[[str], dict[str, Any]]

MERGE = "github:1296269:pr#1347:merged@2026-01-04T10:15:00Z"
REPO_HOOK = {"X-GitHub-Hook-ID": "109948940", "X-GitHub-Hook-Installation-Target-Type": "repository"}
ORG_HOOK = {"X-GitHub-Hook-ID": "200000001", "X-GitHub-Hook-Installation-Target-Type": "organization"}


def from_the_organization(payload: dict[str, Any]) -> dict[str, Any]:
    """The same event as an organization webhook sends it: the organization is named too."""
    return {**payload, "organization": {"login": "octo-org", "id": 6811672}}


def _held(gk: GuildKit, user: str) -> list[tuple[str, int]]:
    return sorted((award.badge_slug, award.level) for award in gk.badges(user))


def test_a_redelivery_is_a_duplicate_and_awards_nothing_twice(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Payloads
) -> None:
    payload = payloads("pull_request_closed_merged")
    first = github.deliver("pull_request", payload, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    again = github.deliver("pull_request", payload, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    key = MERGE
    assert first.body["activities"] == [{"key": key, "type": "github.pull_request.merged", "duplicate": False}]
    assert (again.status, again.body["activities"]) == (
        200,
        [{"key": key, "type": "github.pull_request.merged", "duplicate": True}],
    )
    author = linked["octocat"]
    assert gk.balance(author, POINT_TYPE) == 10
    assert [entry.amount for entry in gk.ledger(author, point_type=POINT_TYPE)] == [10]
    assert _held(gk, author) == [(FIRST_MERGE_BADGE, 1)]


def test_one_merge_from_a_repository_and_an_organization_webhook_counts_once(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Payloads
) -> None:
    payload = payloads("pull_request_closed_merged")
    by_repo = github.deliver("pull_request", payload, delivery="d-repo-hook", headers=REPO_HOOK)
    by_org = github.deliver("pull_request", from_the_organization(payload), delivery="d-org-hook", headers=ORG_HOOK)
    assert by_repo.body["activities"] == [{"key": MERGE, "type": "github.pull_request.merged", "duplicate": False}]
    assert (by_org.status, by_org.body["activities"]) == (
        200,
        [{"key": MERGE, "type": "github.pull_request.merged", "duplicate": True}],
    )
    author = linked["octocat"]
    assert [entry.amount for entry in gk.ledger(author, point_type=POINT_TYPE)] == [10]
    assert _held(gk, author) == [(FIRST_MERGE_BADGE, 1)]


def test_one_issue_delivered_three_times_counts_once(
    gk: GuildKit, github: GitHub, recorder: Recorder, linked: dict[str, str], payloads: Payloads
) -> None:
    payload = payloads("issues_opened")
    github.deliver("issues", payload, delivery="issue-repo-hook", headers=REPO_HOOK)
    github.deliver("issues", from_the_organization(payload), delivery="issue-org-hook", headers=ORG_HOOK)
    github.deliver("issues", payload, delivery="issue-repo-hook")  # GitHub's "Redeliver"
    assert gk.balance(linked["octocat"], POINT_TYPE) == 2
    assert [a.key for a in recorder.activities] == ["github:1296269:issue#1348:opened@2026-01-03T09:00:00Z"]


def test_distinct_events_still_count_as_the_rules_intend(
    gk: GuildKit, github: GitHub, recorder: Recorder, linked: dict[str, str], payloads: Payloads
) -> None:
    # Closed, reopened (not mapped), closed again later: two closings, each from both webhooks.
    closed = payloads("issues_closed")
    reopened = {**closed, "action": "reopened", "issue": {**closed["issue"], "state": "open", "closed_at": None}}
    closed_again = {**closed, "issue": {**closed["issue"], "closed_at": "2026-01-05T08:00:00Z"}}
    for event in (closed, reopened, closed_again):
        github.deliver("issues", event, headers=REPO_HOOK)
        github.deliver("issues", from_the_organization(event), headers=ORG_HOOK)
    assert [a.key for a in recorder.activities] == [
        "github:1296269:issue#1348:closed@2026-01-04T16:30:00Z",
        "github:1296269:issue#1348:closed@2026-01-05T08:00:00Z",
    ]
    # A second issue is a second opening: +2 each.
    opened = payloads("issues_opened")
    second = {**opened, "issue": {**opened["issue"], "number": 1349, "created_at": "2026-01-04T09:00:00Z"}}
    for event in (opened, second, opened, second):
        github.deliver("issues", event)
    assert gk.balance(linked["octocat"], POINT_TYPE) == 4
    # Two reviews of one pull request: +5 each (the reviewer badge counts the pull request once).
    review = payloads("pull_request_review_submitted")
    later = {**review, "review": {**review["review"], "id": 81, "submitted_at": "2026-01-04T09:30:00Z"}}
    for event in (review, later, later):
        github.deliver("pull_request_review", event)
    reviewer = linked["monalisa"]
    assert [entry.amount for entry in gk.ledger(reviewer, point_type=POINT_TYPE)] == [5, 5]
    assert _held(gk, reviewer) == [(REVIEWER_BADGE, 1)]


def test_copies_arriving_at_once_award_once(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Payloads
) -> None:
    payload = payloads("pull_request_review_submitted")
    copies = 4
    start = threading.Barrier(copies, timeout=30)
    replies: list[Reply] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def deliver(copy: int) -> None:
        try:
            start.wait()
            # Half of them one delivery (retried), half other webhooks' deliveries of the event.
            reply = github.deliver("pull_request_review", payload, delivery=f"delivery-{max(copy, 1)}")
            with lock:
                replies.append(reply)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(copy,)) for copy in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(reply.status for reply in replies) == [200] * copies
    assert sorted(reply.body["activities"][0]["duplicate"] for reply in replies) == [False] + [True] * (copies - 1)
    reviewer = linked["monalisa"]
    assert gk.balance(reviewer, POINT_TYPE) == 5
    assert [entry.amount for entry in gk.ledger(reviewer, point_type=POINT_TYPE)] == [5]
    assert _held(gk, reviewer) == [(REVIEWER_BADGE, 1)]


def test_a_redelivery_after_the_links_changed_keeps_the_first_recording(
    gk: GuildKit, github: GitHub, payloads: Payloads
) -> None:
    # First delivery: the PR author was not linked, so the review was recorded without a target.
    guildkit_github.link(gk, github_id=MONALISA, user_id="reviewer")
    payload = payloads("pull_request_review_submitted")
    assert github.deliver("pull_request_review", payload, delivery="d-relinked").status == 200
    guildkit_github.link(gk, github_id=OCTOCAT, user_id="author")
    again = github.deliver("pull_request_review", payload, delivery="d-relinked")
    assert again.status == 200
    assert again.body["activities"] == [
        {
            "key": "github:1296269:pr#1347:review:80:submitted@2026-01-03T17:20:33Z",
            "type": "github.review.submitted",
            "duplicate": True,
            "conflict": ["target"],
        }
    ]
    assert gk.balance("reviewer", POINT_TYPE) == 5
