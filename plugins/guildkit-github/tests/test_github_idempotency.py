"""GitHub's delivery id is the idempotency key: a redelivery is a replay that awards nothing twice,
also when two copies arrive at the same moment (on every backend)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from guildkit import GuildKit

import guildkit_github
from github_support import MONALISA, OCTOCAT, GitHub, Reply
from guildkit_github.rules import FIRST_MERGE_BADGE, POINT_TYPE, REVIEWER_BADGE

Payloads = Callable[[str], dict[str, Any]]


def _held(gk: GuildKit, user: str) -> list[tuple[str, int]]:
    return sorted((award.badge_slug, award.level) for award in gk.badges(user))


def test_a_redelivery_is_a_duplicate_and_awards_nothing_twice(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Payloads
) -> None:
    payload = payloads("pull_request_closed_merged")
    first = github.deliver("pull_request", payload, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    again = github.deliver("pull_request", payload, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    key = "github:72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert first.body["activities"] == [{"key": key, "type": "github.pull_request.merged", "duplicate": False}]
    assert (again.status, again.body["activities"]) == (
        200,
        [{"key": key, "type": "github.pull_request.merged", "duplicate": True}],
    )
    author = linked["octocat"]
    assert gk.balance(author, POINT_TYPE) == 10
    assert [entry.amount for entry in gk.ledger(author, point_type=POINT_TYPE)] == [10]
    assert _held(gk, author) == [(FIRST_MERGE_BADGE, 1)]


def test_a_new_delivery_id_is_a_new_activity(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Payloads
) -> None:
    github.deliver("issues", payloads("issues_opened"), delivery="issue-a")
    github.deliver("issues", payloads("issues_opened"), delivery="issue-b")
    assert gk.balance(linked["octocat"], POINT_TYPE) == 4


def test_two_copies_at_once_award_once(
    gk: GuildKit, github: GitHub, linked: dict[str, str], payloads: Payloads
) -> None:
    payload = payloads("pull_request_review_submitted")
    copies = 4
    start = threading.Barrier(copies, timeout=30)
    replies: list[Reply] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            start.wait()
            reply = github.deliver("pull_request_review", payload, delivery="same-delivery")
            with lock:
                replies.append(reply)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
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
        {"key": "github:d-relinked", "type": "github.review.submitted", "duplicate": True, "conflict": ["target"]}
    ]
    assert gk.balance("reviewer", POINT_TYPE) == 5
