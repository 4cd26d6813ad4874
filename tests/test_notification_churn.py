"""A badge that is taken back and earned again before the member looks tells them once, not three
times; what they have read stays, and the awards themselves keep every step."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from guildkit import GuildKit
from guildkit.models import BadgeAward


def badge_notes(gk: GuildKit, user: str) -> list[str]:
    return [n.kind for n in reversed(gk.notifications(user)) if n.kind.startswith("badge_")]


def upvote(gk: GuildKit, n: int, target: str) -> None:
    gk.record("answer.upvoted", actor="zed", target=target, key=f"up:{n}")


def test_a_retraction_between_records_does_not_churn_the_inbox(gk: GuildKit) -> None:
    for n, target in enumerate(["ann", "ben", "cat"]):
        upvote(gk, n, target)
    assert badge_notes(gk, "zed") == ["badge_awarded"]
    gk.retract("up:2", reason="vote withdrawn")  # unread "earned" + "taken back" cancel out
    assert badge_notes(gk, "zed") == []
    upvote(gk, 3, "dan")  # earned again: told once
    assert badge_notes(gk, "zed") == ["badge_awarded"]
    gk.retract("up:3", reason="vote withdrawn")
    upvote(gk, 4, "eve")
    assert badge_notes(gk, "zed") == ["badge_awarded"]
    # History keeps every step: three awards, two of them revoked.
    awards = gk.session.scalars(sa.select(BadgeAward).where(BadgeAward.badge_slug == "supporter")).all()
    assert sorted(a.revoked_at is None for a in awards) == [False, False, True]


def test_what_the_member_read_stays_and_the_next_change_is_told(gk: GuildKit) -> None:
    for n, target in enumerate(["ann", "ben", "cat"]):
        upvote(gk, n, target)
    gk.mark_read("zed")
    gk.retract("up:2", reason="vote withdrawn")
    assert badge_notes(gk, "zed") == ["badge_awarded", "badge_revoked"]
    upvote(gk, 3, "dan")  # the unread "taken back" and the new "earned" cancel out
    assert badge_notes(gk, "zed") == ["badge_awarded"]


def test_both_in_one_transaction_cancel_out(gk: GuildKit) -> None:
    def body(tx: Any) -> None:
        for target in ("ann", "ben", "cat"):
            tx.record("answer.upvoted", actor="zed", target=target, key=f"b:{target}")
        tx.retract("b:cat", reason="withdrawn in the same breath")

    gk.transaction(body)
    assert badge_notes(gk, "zed") == []
