"""The Stack Exchange rule set: amounts, the daily cap, the floor, the edit total and undo.

Every test runs on each backend (``gk`` is parametrized by ``gk_backend``). Members who should
start at 1, as on Stack Exchange, are joined with ``gk.join``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from guildkit import GuildKit
from guildkit.testing import Clock

from guildkit_stackexchange import (
    ANSWER_ACCEPTED,
    ANSWER_DOWNVOTED,
    ANSWER_UPVOTED,
    EDIT_APPROVED,
    QUESTION_DOWNVOTED,
    QUESTION_UPVOTED,
    SPAM_FLAGGED,
)

REP = "reputation"


def rep(gk: GuildKit, user: str) -> int:
    return gk.balance(user, REP)


def last_reason(gk: GuildKit, user: str) -> str:
    return gk.ledger(user, point_type=REP, limit=1)[0].reason


def upvotes(gk: GuildKit, target: str, count: int, *, prefix: str = "up", **extra: Any) -> list[int]:
    """``count`` answer upvotes from different voters; returns what each gave ``target``."""
    given = []
    for i in range(count):
        result = gk.record(ANSWER_UPVOTED, actor=f"{prefix}-voter-{i}", target=target, key=f"{prefix}:{i}", **extra)
        given.append(result.points_for(target, REP))
    return given


def edits(editor: str, days: list[int], start: datetime, prefix: str = "edit") -> list[dict[str, Any]]:
    """One approved edit per entry of ``days``, each on that day after ``start``."""
    return [
        {
            "type": EDIT_APPROVED,
            "actor": "reviewer",
            "target": editor,
            "key": f"{prefix}:{n}",
            "occurred_at": start + timedelta(days=day),
        }
        for n, day in enumerate(days)
    ]


# -- definitions and starting reputation --------------------------------------------------


def test_reputation_point_type(gk: GuildKit) -> None:
    reputation = gk.registry.point_types[REP]
    assert (reputation.floor, reputation.daily_cap) == (1, 200)


def test_join_gives_the_starting_one_once(gk: GuildKit) -> None:
    gk.join("alice")
    assert rep(gk, "alice") == 1
    gk.join("alice")  # the same guildkit.joined key: a replay, nothing more
    assert rep(gk, "alice") == 1
    assert [e.amount for e in gk.ledger("alice", point_type=REP)] == [1]


def test_join_after_earlier_activity_still_gives_one(gk: GuildKit) -> None:
    upvotes(gk, "bob", 21)
    assert rep(gk, "bob") == 200
    gk.join("bob")  # not a vote: exempt from the daily cap
    assert rep(gk, "bob") == 201


def test_a_member_never_joined_starts_at_zero_and_stays_there(gk: GuildKit) -> None:
    result = gk.record(ANSWER_DOWNVOTED, actor="voter", target="newcomer", key="down:1")
    assert (result.points_for("newcomer", REP), result.points_for("voter", REP)) == (0, 0)
    assert (rep(gk, "newcomer"), rep(gk, "voter")) == (0, 0)


# -- each rule's amount ---------------------------------------------------------------------


@pytest.mark.parametrize("vote", [QUESTION_UPVOTED, ANSWER_UPVOTED])
def test_upvote_gives_ten_to_the_author_only(gk: GuildKit, vote: str) -> None:
    gk.join("author")
    gk.join("voter")
    result = gk.record(vote, actor="voter", target="author", subject="post:1", key="vote:1")
    assert result.points_for("author", REP) == 10
    assert result.points_for("voter", REP) == 0
    assert (rep(gk, "author"), rep(gk, "voter")) == (11, 1)
    assert last_reason(gk, "author") == f"{vote} on post:1"


def test_question_downvote_costs_the_author_two_and_the_voter_nothing(gk: GuildKit) -> None:
    gk.join("author")
    gk.join("voter")
    upvotes(gk, "author", 1)
    upvotes(gk, "voter", 1, prefix="v")
    result = gk.record(QUESTION_DOWNVOTED, actor="voter", target="author", key="down:1")
    assert (result.points_for("author", REP), result.points_for("voter", REP)) == (-2, 0)
    assert (rep(gk, "author"), rep(gk, "voter")) == (9, 11)


def test_answer_downvote_costs_the_author_two_and_the_voter_one(gk: GuildKit) -> None:
    gk.join("author")
    gk.join("voter")
    upvotes(gk, "author", 1)
    upvotes(gk, "voter", 1, prefix="v")
    result = gk.record(ANSWER_DOWNVOTED, actor="voter", target="author", key="down:1")
    assert (result.points_for("author", REP), result.points_for("voter", REP)) == (-2, -1)
    assert (rep(gk, "author"), rep(gk, "voter")) == (9, 10)


def test_accepted_answer_gives_fifteen_and_two(gk: GuildKit) -> None:
    gk.join("answerer")
    gk.join("asker")
    result = gk.record(ANSWER_ACCEPTED, actor="asker", target="answerer", subject="answer:7", key="accept:7")
    assert (result.points_for("answerer", REP), result.points_for("asker", REP)) == (15, 2)
    assert (rep(gk, "answerer"), rep(gk, "asker")) == (16, 3)


def test_accepting_your_own_answer_gives_nothing(gk: GuildKit) -> None:
    gk.join("alice")
    result = gk.record(ANSWER_ACCEPTED, actor="alice", target="alice", subject="answer:8", key="accept:8")
    assert result.points == ()
    assert rep(gk, "alice") == 1


def test_approved_edit_gives_two_to_the_editor(gk: GuildKit) -> None:
    gk.join("editor")
    gk.join("reviewer")
    result = gk.record(EDIT_APPROVED, actor="reviewer", target="editor", subject="post:3", key="edit:1")
    assert (result.points_for("editor", REP), result.points_for("reviewer", REP)) == (2, 0)
    assert (rep(gk, "editor"), rep(gk, "reviewer")) == (3, 1)
    # With no reviewer named, the editor still gets the points.
    gk.record(EDIT_APPROVED, target="editor", key="edit:2")
    assert rep(gk, "editor") == 5


def test_approving_your_own_edit_gives_nothing(gk: GuildKit) -> None:
    gk.join("editor")
    result = gk.record(EDIT_APPROVED, actor="editor", target="editor", key="edit:1")
    assert result.points == ()
    assert rep(gk, "editor") == 1


def test_spam_flag_costs_a_hundred(gk: GuildKit) -> None:
    gk.join("spammer")
    upvotes(gk, "spammer", 15)  # 151
    result = gk.record(SPAM_FLAGGED, target="spammer", subject="post:9", key="spam:9")
    assert result.points_for("spammer", REP) == -100
    assert rep(gk, "spammer") == 51


def test_spam_flag_applies_whoever_reports_it(gk: GuildKit) -> None:
    # A penalty is not a self-award: the author named as actor too does not escape it.
    gk.join("spammer")
    upvotes(gk, "spammer", 15)
    gk.record(SPAM_FLAGGED, actor="spammer", target="spammer", key="spam:1")
    assert rep(gk, "spammer") == 51


# -- the daily cap ------------------------------------------------------------------------


def test_the_twenty_first_upvote_of_a_day_gives_nothing(gk: GuildKit) -> None:
    gk.join("author")
    given = upvotes(gk, "author", 21)
    assert given == [10] * 20 + [0]
    assert rep(gk, "author") == 201
    assert last_reason(gk, "author").endswith("(daily cap reached)")
    # Question votes share the same cap.
    result = gk.record(QUESTION_UPVOTED, actor="another", target="author", key="q:1")
    assert result.points_for("author", REP) == 0
    assert rep(gk, "author") == 201


def test_accepted_answers_count_past_the_cap(gk: GuildKit) -> None:
    gk.join("answerer")
    gk.join("asker")
    upvotes(gk, "answerer", 21, prefix="a")
    upvotes(gk, "asker", 21, prefix="q")
    assert (rep(gk, "answerer"), rep(gk, "asker")) == (201, 201)
    result = gk.record(ANSWER_ACCEPTED, actor="asker", target="answerer", key="accept:1")
    assert (result.points_for("answerer", REP), result.points_for("asker", REP)) == (15, 2)
    assert (rep(gk, "answerer"), rep(gk, "asker")) == (216, 203)


def test_a_capped_edit_gives_a_partial_amount(gk: GuildKit) -> None:
    gk.join("author")
    upvotes(gk, "author", 19)  # 190 of the cap
    gk.record(EDIT_APPROVED, target="author", key="edit:1")  # 192
    assert upvotes(gk, "author", 1, prefix="late") == [8]
    assert rep(gk, "author") == 201


def test_the_cap_resets_the_next_day(gk: GuildKit, gk_clock: Clock) -> None:
    gk.join("author")
    yesterday = gk_clock.now
    upvotes(gk, "author", 21)
    gk_clock.advance(days=1)
    assert upvotes(gk, "author", 20, prefix="day2") == [10] * 20
    assert rep(gk, "author") == 401
    # The day is the activity's occurred_at, not the time it was reported: a vote cast
    # yesterday and delivered late still counts against yesterday's cap.
    late = gk.record(ANSWER_UPVOTED, actor="late", target="author", key="late:1", occurred_at=yesterday)
    assert late.points_for("author", REP) == 0
    assert rep(gk, "author") == 401


class TestCommunityTimeZone:
    @pytest.fixture
    def gk_config(self) -> dict[str, Any]:
        return {"GUILDKIT_TIMEZONE": "America/New_York"}

    def test_the_cap_day_starts_at_the_community_midnight(self, gk: GuildKit, gk_clock: Clock) -> None:
        gk.join("author")
        gk_clock.set(datetime(2026, 1, 5, 12, 0, tzinfo=UTC))  # 07:00 in New York
        upvotes(gk, "author", 20)
        gk_clock.set(datetime(2026, 1, 6, 4, 30, tzinfo=UTC))  # 23:30 in New York: the same day
        assert upvotes(gk, "author", 1, prefix="late") == [0]
        gk_clock.set(datetime(2026, 1, 6, 5, 0, tzinfo=UTC))  # midnight in New York: a new day
        assert upvotes(gk, "author", 1, prefix="next") == [10]
        assert rep(gk, "author") == 211


# -- the floor ----------------------------------------------------------------------------


def test_downvotes_at_one_leave_one(gk: GuildKit) -> None:
    gk.join("author")
    gk.join("voter")
    for i in range(3):
        result = gk.record(ANSWER_DOWNVOTED, actor="voter", target="author", key=f"down:{i}")
        assert (result.points_for("author", REP), result.points_for("voter", REP)) == (0, 0)
    assert (rep(gk, "author"), rep(gk, "voter")) == (1, 1)
    assert last_reason(gk, "author").endswith("(floor of 1)")


def test_a_downvote_near_the_floor_takes_what_is_left(gk: GuildKit) -> None:
    gk.join("author")
    gk.record(EDIT_APPROVED, target="author", key="edit:1")  # 3
    gk.record(ANSWER_DOWNVOTED, actor="author", target="someone", key="down:cast")  # casting costs 1: 2
    assert rep(gk, "author") == 2
    result = gk.record(ANSWER_DOWNVOTED, actor="voter", target="author", key="down:1")
    assert result.points_for("author", REP) == -1
    assert rep(gk, "author") == 1


def test_spam_flag_respects_the_floor(gk: GuildKit) -> None:
    gk.join("spammer")
    upvotes(gk, "spammer", 5)  # 51
    result = gk.record(SPAM_FLAGGED, target="spammer", key="spam:1")
    assert result.points_for("spammer", REP) == -50
    assert rep(gk, "spammer") == 1
    assert gk.record(SPAM_FLAGGED, target="spammer", key="spam:2").points_for("spammer", REP) == 0
    assert rep(gk, "spammer") == 1


# -- the edit total -------------------------------------------------------------------------


def test_edits_give_at_most_a_thousand_in_total(gk: GuildKit, gk_clock: Clock) -> None:
    gk.join("editor")
    start = gk_clock.now
    gk_clock.advance(days=6)
    # 100 edits a day (200, the daily cap) for six days, in one batch: the total stops at 1,000.
    results = gk.record_many(edits("editor", [day for day in range(6) for _ in range(100)], start))
    given = [r.points_for("editor", REP) for r in results]
    assert given == [2] * 500 + [0] * 100
    assert rep(gk, "editor") == 1001
    assert last_reason(gk, "editor").endswith("(rule's total cap reached)")
    # In a later transaction too (the total is read from the stored ledger).
    assert gk.record(EDIT_APPROVED, target="editor", key="edit:late").points_for("editor", REP) == 0
    # The edits that gave nothing did not use up the day's cap: votes still count.
    assert upvotes(gk, "editor", 1) == [10]
    assert rep(gk, "editor") == 1011


def test_edits_cut_by_the_daily_cap_do_not_use_up_the_total(gk: GuildKit, gk_clock: Clock) -> None:
    gk.join("editor")
    start = gk_clock.now
    gk_clock.advance(days=5)
    # Day 0: 150 edits, of which only 100 fit under the daily cap; days 1-4: 100 a day.
    days = [0] * 150 + [day for day in range(1, 5) for _ in range(100)]
    given = [r.points_for("editor", REP) for r in gk.record_many(edits("editor", days, start))]
    assert given == [2] * 100 + [0] * 50 + [2] * 400
    assert rep(gk, "editor") == 1001  # 1,000 from 550 edits: a count of edits would stop at 500
    assert gk.record(EDIT_APPROVED, target="editor", key="edit:more").points_for("editor", REP) == 0


def test_a_retracted_edit_gives_its_share_of_the_total_back(gk: GuildKit, gk_clock: Clock) -> None:
    gk.join("editor")
    start = gk_clock.now
    gk_clock.advance(days=6)
    gk.record_many(edits("editor", [day for day in range(6) for _ in range(100)], start))
    assert rep(gk, "editor") == 1001
    assert gk.retract("edit:0").points_for("editor", REP) == -2  # gave 2: takes 2 back
    assert gk.retract("edit:599").points_for("editor", REP) == 0  # gave 0: takes nothing
    assert rep(gk, "editor") == 999
    assert gk.record(EDIT_APPROVED, target="editor", key="edit:again").points_for("editor", REP) == 2
    assert gk.record(EDIT_APPROVED, target="editor", key="edit:again2").points_for("editor", REP) == 0
    assert rep(gk, "editor") == 1001


# -- undoing votes ------------------------------------------------------------------------


def test_undoing_an_upvote_takes_back_exactly_ten(gk: GuildKit) -> None:
    gk.join("author")
    gk.record(ANSWER_UPVOTED, actor="voter", target="author", key="vote:1")
    assert rep(gk, "author") == 11
    undo = gk.retract("vote:1", reason="vote undone")
    assert undo.retracted
    assert [(p.user_id, p.amount) for p in undo.points] == [("author", -10)]
    assert rep(gk, "author") == 1
    # Undoing twice changes nothing more.
    assert gk.retract("vote:1").duplicate
    assert rep(gk, "author") == 1


def test_undoing_a_downvote_returns_both_sides(gk: GuildKit) -> None:
    gk.join("author")
    gk.join("voter")
    upvotes(gk, "author", 1)
    upvotes(gk, "voter", 1, prefix="v")
    gk.record(ANSWER_DOWNVOTED, actor="voter", target="author", key="down:1")
    assert (rep(gk, "author"), rep(gk, "voter")) == (9, 10)
    undo = gk.retract("down:1")
    assert sorted((p.user_id, p.amount) for p in undo.points) == [("author", 2), ("voter", 1)]
    assert (rep(gk, "author"), rep(gk, "voter")) == (11, 11)


def test_undoing_a_vote_the_cap_cut_to_nothing_takes_nothing(gk: GuildKit) -> None:
    gk.join("author")
    upvotes(gk, "author", 21)
    assert rep(gk, "author") == 201
    undo = gk.retract("up:20")  # the 21st, which gave 0
    assert [p.amount for p in undo.points] == [0]
    assert rep(gk, "author") == 201


def test_undoing_a_vote_the_cap_cut_short_takes_what_it_gave(gk: GuildKit) -> None:
    gk.join("author")
    upvotes(gk, "author", 19)
    gk.record(EDIT_APPROVED, target="author", key="edit:1")
    assert upvotes(gk, "author", 1, prefix="late") == [8]
    assert rep(gk, "author") == 201
    undo = gk.retract("late:0")
    assert [p.amount for p in undo.points] == [-8]
    assert rep(gk, "author") == 193
    # What the undone vote used of the day's cap is free again.
    assert upvotes(gk, "author", 1, prefix="again") == [8]


def test_undoing_a_floored_downvote_returns_what_it_took(gk: GuildKit) -> None:
    gk.join("author")
    gk.record(EDIT_APPROVED, target="author", key="edit:1")  # 3
    gk.record(ANSWER_DOWNVOTED, actor="author", target="someone", key="down:cast")  # 2
    partial = gk.record(ANSWER_DOWNVOTED, actor="voter", target="author", key="down:1")  # -1 of -2: 1
    nothing = gk.record(ANSWER_DOWNVOTED, actor="voter", target="author", key="down:2")  # floored: 0
    assert (partial.points_for("author", REP), nothing.points_for("author", REP)) == (-1, 0)
    assert [p.amount for p in gk.retract("down:2").points if p.user_id == "author"] == [0]
    assert rep(gk, "author") == 1
    assert [p.amount for p in gk.retract("down:1").points if p.user_id == "author"] == [1]
    assert rep(gk, "author") == 2


def test_undoing_an_upvote_never_takes_reputation_below_one(gk: GuildKit) -> None:
    gk.join("author")
    gk.record(ANSWER_UPVOTED, actor="voter", target="author", key="vote:1")  # 11
    for i in range(6):
        gk.record(ANSWER_DOWNVOTED, actor=f"critic-{i}", target="author", key=f"down:{i}")  # floored at 1
    assert rep(gk, "author") == 1
    gk.retract("vote:1")
    assert rep(gk, "author") == 1
    assert last_reason(gk, "author").endswith("(floor of 1)")


def test_the_starting_point_explains_itself(gk: GuildKit) -> None:
    gk.join("newcomer")
    (entry,) = gk.ledger("newcomer")
    assert (entry.amount, entry.reason) == (1, "Joined the community")
