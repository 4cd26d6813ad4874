"""The public Python API integrators used to reach into guildkit's tables for: leaderboards,
notifications, many balances at once, a clock for scripts, dated joins and retractions, and the
user-info loader's contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from guildkit import ConfigurationError, GuildKit, Leaderboard, UserInfo, ValidationError
from guildkit.testing import Clock
from tests.webclient import PREFIX, mount


def scores(gk: GuildKit, points: dict[str, int]) -> None:
    for user, amount in points.items():
        gk.award(user, points=amount, point_type="reputation", reason="setup")


def test_leaderboard_top_pages_and_ties(gk: GuildKit) -> None:
    scores(gk, {"ann": 50, "bob": 40, "cat": 40, "dan": 30, "eve": 20, "fay": 10})
    board = gk.leaderboard("reputation", limit=3)
    assert isinstance(board, Leaderboard) and board.period == "all" and board.since is None
    assert [(s.user_id, s.rank, s.points) for s in board.standings] == [("ann", 1, 50), ("bob", 2, 40), ("cat", 2, 40)]
    assert board.me is None and board.next_after == board.standings[-1]
    rest = gk.leaderboard("reputation", limit=3, after=board.next_after)
    assert [(s.user_id, s.rank) for s in rest.standings] == [("dan", 4), ("eve", 5), ("fay", 6)]
    assert rest.next_after is None


def test_leaderboard_around_a_member(gk: GuildKit) -> None:
    scores(gk, {f"m{n}": 100 - n for n in range(10)})
    board = gk.leaderboard("reputation", limit=5, around="m6")
    assert board.me is not None and (board.me.user_id, board.me.rank) == ("m6", 7)
    assert [s.user_id for s in board.standings] == ["m4", "m5", "m6", "m7", "m8"]
    top = gk.leaderboard("reputation", limit=5, around="m0")
    assert [s.user_id for s in top.standings] == ["m0", "m1", "m2", "m3", "m4"]
    gk.join("newbie")  # no points yet: their place is at the bottom, and they are told it
    bottom = gk.leaderboard("reputation", limit=3, around="newbie")
    assert bottom.me is not None and bottom.me.points == 0 and bottom.me.rank == 11
    assert [s.user_id for s in bottom.standings] == ["m9"]


def test_leaderboard_this_week_counts_only_the_week(gk: GuildKit, gk_clock: Clock) -> None:
    scores(gk, {"ann": 50})
    gk_clock.advance(days=7)
    scores(gk, {"bob": 5})
    week = gk.leaderboard("reputation", period="week")
    assert [(s.user_id, s.points) for s in week.standings] == [("bob", 5)]
    assert week.since is not None and week.since.weekday() == 0


def test_notifications_read_and_mark_read(gk: GuildKit) -> None:
    gk.award("ann", badge="answerer", reason="for the docs")
    gk.award("ann", role="moderator", reason="trusted")
    notes = gk.notifications("ann")
    assert len(notes) >= 2 and notes == sorted(notes, key=lambda n: -n.id)
    assert gk.unread_count("ann") == len(notes)
    assert gk.mark_read("ann", up_to=notes[-1].id) == 1
    assert [n.id for n in gk.notifications("ann", unread=True)] == [n.id for n in notes[:-1]]
    assert gk.mark_read("ann") == len(notes) - 1
    assert gk.unread_count("ann") == 0 and gk.notifications("ann", unread=True) == []
    assert [n.id for n in gk.notifications("ann", limit=1, before=notes[0].id)] == [notes[1].id]
    # Notification ids are 32-bit: a larger one is refused by name (PostgreSQL would raise DataError).
    for call in (lambda: gk.notifications("ann", before=2**40), lambda: gk.mark_read("ann", up_to=2**40)):
        with pytest.raises(ValidationError, match="row id"):
            call()


def test_balances_of_many_users_in_one_call(gk: GuildKit) -> None:
    scores(gk, {"ann": 50, "bob": 7})
    assert gk.balances_of(["ann", "bob", "stranger"], "reputation") == {"ann": 50, "bob": 7, "stranger": 0}
    assert gk.balances_of([], "reputation") == {}


def test_clock_at_dates_what_a_script_records(gk: GuildKit) -> None:
    then = datetime(2025, 3, 1, 9, tzinfo=UTC)
    before = gk.clock
    with gk.clock_at(then):
        gk.award("ann", points=5, point_type="reputation", reason="imported")
    assert gk.clock is before
    assert gk.ledger("ann")[0].created_at.replace(tzinfo=UTC) == then


def test_join_and_retract_take_occurred_at(gk: GuildKit, gk_clock: Clock) -> None:
    joined = gk_clock.now - timedelta(days=400)
    member = gk.join("old-timer", name="Old Timer", occurred_at=joined)
    assert member.joined_at.replace(tzinfo=UTC) == joined
    gk.record("answer.upvoted", key="up:1", actor="v", target="old-timer", occurred_at=joined + timedelta(days=1))
    undone = joined + timedelta(days=2)
    gk.retract("up:1", reason="vote withdrawn", occurred_at=undone)
    reversal = gk.ledger("old-timer")[0]
    assert reversal.amount < 0 and reversal.created_at.replace(tzinfo=UTC) == undone


@pytest.mark.parametrize(
    ("returned", "shown"),
    [
        ({"name": "Ann Lee", "profile_url": "/u/ann"}, UserInfo("Ann Lee", None, "/u/ann")),
        (UserInfo("Ann Lee"), UserInfo("Ann Lee")),
        (None, UserInfo("User ann")),
    ],
)
def test_user_info_loader_may_return_a_mapping(gk: GuildKit, returned: Any, shown: UserInfo) -> None:
    gk.user_info_loader(lambda user_id: returned)
    assert gk.user_info("ann") == shown


@pytest.mark.parametrize("returned", [{"title": "Ann"}, {"name": 5}, "Ann", ("Ann",)])
def test_a_wrong_user_info_loader_is_named_with_the_fix(gk: GuildKit, returned: Any) -> None:
    def load_user(user_id: str) -> Any:
        return returned

    gk.user_info_loader(load_user)
    with pytest.raises(ConfigurationError, match=r"load_user.*UserInfo"):
        gk.user_info("ann")


def test_a_batch_loader_names_a_whole_page_in_one_call_once_per_request(gk_app: Flask, gk: GuildKit) -> None:
    client = mount(gk_app, gk)
    calls: list[list[str]] = []

    @gk.user_infos_loader
    def user_infos(user_ids: list[str]) -> dict[str, Any]:
        calls.append(sorted(user_ids))
        return {u: UserInfo(f"Person {u}", profile_url=f"/u/{u}") for u in user_ids if u != "ghost"}

    scores(gk, {"ann": 30, "bob": 20, "cat": 10})
    calls.clear()
    page = client.get(PREFIX + "/leaderboards/reputation").get_data(as_text=True)
    assert all(f"Person {u}" in page for u in ("ann", "bob", "cat"))
    assert ["ann", "bob", "cat"] in calls  # the board's rows in one call
    assert [u for call in calls for u in call].count("ann") == 1  # and nobody looked up twice in the request
    # Outside a request: one call per ask, the single lookup through the batch loader too.
    calls.clear()
    assert gk.user_infos(["ann", "ghost"]) == {
        "ann": UserInfo("Person ann", None, "/u/ann"),
        "ghost": UserInfo("User ghost"),
    }
    assert gk.user_info(7) == UserInfo("Person 7", None, "/u/7")
    assert calls == [["ann", "ghost"], ["7"]]


@pytest.mark.parametrize("returned", [["Ann"], {"ann": {"title": "Ann"}}, {"ann": "Ann"}])
def test_a_wrong_batch_loader_is_named_with_the_fix(gk: GuildKit, returned: Any) -> None:
    def load_users(user_ids: list[str]) -> Any:
        return returned

    gk.user_infos_loader(load_users)
    with pytest.raises(ConfigurationError, match=r"user_infos_loader .*load_users.*UserInfo"):
        gk.user_info("ann")


def test_pages_work_with_a_dict_returning_loader(gk_app: Flask, gk: GuildKit) -> None:
    client = mount(gk_app, gk)
    gk.user_info_loader(lambda user_id: {"name": f"Person {user_id}", "avatar_url": None})
    scores(gk, {"ann": 5})
    for url in ("/", "/members", "/leaderboards/reputation", "/badges", "/members/ann"):
        response = client.get(PREFIX + url)
        assert response.status_code == 200, url
    assert "Person ann" in client.get(PREFIX + "/leaderboards/reputation").get_data(as_text=True)
