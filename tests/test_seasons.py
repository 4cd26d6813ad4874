"""Seasons: standings kept from the ledger, ties, the listed filter, closing and its awards
(guildkit/seasons, docs/seasons.md). Each test runs on every backend (``gk_backend``)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guildkit import GuildKit
from guildkit.errors import InvalidTransition, NotAllowed, ValidationError
from guildkit.models import LedgerEntry, Member, table_of
from guildkit.seasons import closing, standings
from guildkit.seasons.errors import UnknownSeason
from guildkit.seasons.models import Season
from guildkit.testing import Clock

LEDGER = table_of(LedgerEntry)
SEASONS = table_of(Season)
START = datetime(2027, 3, 20, tzinfo=UTC)
END = datetime(2027, 6, 21, tzinfo=UTC)
BEFORE = START - timedelta(days=3)
DURING = START + timedelta(days=10)
AFTER = END + timedelta(days=1)
EXAMPLES = itertools.count()


def make_season(gk: GuildKit, slug: str = "spring-2027", **extra: Any) -> Any:
    fields: dict[str, Any] = {"name": "Spring 2027", "point_type": "xp", "starts_at": START, "ends_at": END} | extra
    return gk.seasons.create(None, slug=slug, **fields)


def give(gk: GuildKit, clock: Clock, user: str, points: int, at: datetime, key: str | None = None) -> str:
    clock.set(at)
    key = key or f"xp:{next(EXAMPLES)}"
    gk.award(user, points=points, point_type="xp", reason="for testing", key=key)
    return key


def board(gk: GuildKit, slug: str = "spring-2027", **kwargs: Any) -> list[tuple[str, int, int]]:
    gk.seasons.refresh()
    found = gk.seasons.leaderboard(slug, limit=kwargs.pop("limit", 100), **kwargs)
    return [(s.user_id, s.rank, s.points) for s in found.standings]


def hand_sum(gk: GuildKit, start: datetime = START, end: datetime = END) -> dict[str, int]:
    """The season's points summed by hand from the ledger."""
    with gk.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(Member.user_id, LEDGER.c.amount, LEDGER.c.created_at, LEDGER.c.rule)
            .join(Member, Member.id == LEDGER.c.member_id)
            .where(LEDGER.c.point_type == "xp")
        ).all()
    totals: dict[str, int] = {}
    for user, amount, created_at, rule in rows:
        if start <= created_at < end and rule != "guildkit.expiry":
            totals[user] = totals.get(user, 0) + amount
    return totals


def write_expiry_row(gk: GuildKit, user: str, amount: int, at: datetime) -> None:
    """A ledger row as the point-expiry feature writes it (rule ``guildkit.expiry``), by hand."""
    # An activity of its own, no rule rewards: a retraction of another never reverses this row.
    activity = gk.record("test.expiry", actor=user, key=f"expiry:{next(EXAMPLES)}").activity_id
    with gk.store.engine.begin() as conn:
        member = conn.scalar(sa.select(Member.id).where(Member.user_id == user))
        conn.execute(
            sa.insert(LEDGER).values(
                member_id=member, point_type="xp", amount=amount, balance_after=0, activity_id=activity,
                rule="guildkit.expiry", reason="expired", capped=False, created_at=at,
            )
        )  # fmt: skip


@pytest.fixture
def people(gk: GuildKit, gk_clock: Clock) -> list[str]:
    gk_clock.set(BEFORE - timedelta(days=30))
    users = ["ann", "bob", "cat", "dan", "eve"]
    for user in users:
        gk.join(user, name=user.title())
    gk.join("boss", name="Boss")
    gk.award("boss", role="admin", reason="setup")
    return users


# -- standings ------------------------------------------------------------------------------


def test_standings_equal_a_hand_sum_of_the_ledger_rows_in_range(
    gk: GuildKit, gk_clock: Clock, people: list[str]
) -> None:
    make_season(gk)
    give(gk, gk_clock, "ann", 50, BEFORE)  # before the season: not counted
    give(gk, gk_clock, "ann", 7, DURING)
    give(gk, gk_clock, "bob", 9, START)  # the first instant counts
    give(gk, gk_clock, "cat", 4, END - timedelta(microseconds=1))
    give(gk, gk_clock, "cat", 100, END)  # the end is excluded
    give(gk, gk_clock, "dan", 30, AFTER)
    retracted = give(gk, gk_clock, "eve", 20, DURING)
    gk_clock.set(DURING + timedelta(days=1))
    gk.retract(retracted, reason="vote undone")  # taken back inside the season
    write_expiry_row(gk, "ann", -5, DURING + timedelta(days=2))  # expiry: never counted
    assert hand_sum(gk) == {"ann": 7, "bob": 9, "cat": 4, "eve": 0}
    assert board(gk) == [("bob", 1, 9), ("ann", 2, 7), ("cat", 3, 4)]
    with gk.store.engine.connect() as conn:
        season_id = gk.seasons.get("spring-2027").id
        assert standings.recompute(conn, season_id) == {gk.member(u).id: p for u, p in hand_sum(gk).items()}


def test_a_season_made_after_the_points_counts_them_and_then_adds_new_ones(
    gk: GuildKit, gk_clock: Clock, people: list[str]
) -> None:
    give(gk, gk_clock, "ann", 5, DURING)
    give(gk, gk_clock, "bob", 3, DURING)
    make_season(gk)
    assert board(gk) == [("ann", 1, 5), ("bob", 2, 3)]
    give(gk, gk_clock, "bob", 4, DURING + timedelta(hours=1))
    assert board(gk) == [("bob", 1, 7), ("ann", 2, 5)]


def test_a_read_refreshes_stale_standings_and_not_more_than_every_two_seconds(
    gk: GuildKit, gk_clock: Clock, people: list[str]
) -> None:
    make_season(gk)
    give(gk, gk_clock, "ann", 5, DURING)
    assert [s.points for s in gk.seasons.leaderboard("spring-2027").standings] == [5]
    give(gk, gk_clock, "ann", 5, DURING)  # the same instant: the last refresh is fresh
    assert [s.points for s in gk.seasons.leaderboard("spring-2027").standings] == [5]
    gk_clock.advance(seconds=3)
    assert [s.points for s in gk.seasons.leaderboard("spring-2027").standings] == [10]


def test_ties_share_a_rank_across_pages(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    make_season(gk)
    for user, points in (("ann", 7), ("bob", 7), ("cat", 3), ("dan", 7), ("eve", 1)):
        give(gk, gk_clock, user, points, DURING)
    assert board(gk) == [("ann", 1, 7), ("bob", 1, 7), ("dan", 1, 7), ("cat", 4, 3), ("eve", 5, 1)]
    first = gk.seasons.leaderboard("spring-2027", limit=2)
    assert [(s.user_id, s.rank) for s in first.standings] == [("ann", 1), ("bob", 1)]
    second = gk.seasons.leaderboard("spring-2027", limit=2, after=first.next_after)
    assert [(s.user_id, s.rank) for s in second.standings] == [("dan", 1), ("cat", 4)]
    third = gk.seasons.leaderboard("spring-2027", limit=2, after=second.next_after)
    assert [(s.user_id, s.rank) for s in third.standings] == [("eve", 5)] and third.next_after is None
    around = gk.seasons.leaderboard("spring-2027", limit=3, around="cat")
    assert around.me is not None and (around.me.rank, around.me.points) == (4, 3)
    assert [s.user_id for s in around.standings] == ["dan", "cat", "eve"]


def test_only_listed_members_are_on_the_board(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    make_season(gk)
    for user, points in (("ann", 9), ("bob", 8), ("cat", 7), ("dan", 6)):
        give(gk, gk_clock, user, points, DURING)
    gk.privacy.set_leaderboard_opt_out("ann", True)
    gk.set_status("bob", "suspended", reason="testing")
    gk.award("cat", role="admin", reason="staff")  # not an excluded role by default
    assert board(gk) == [("cat", 1, 7), ("dan", 2, 6)]
    mine = gk.seasons.standing("spring-2027", "ann")
    assert (mine.rank, mine.points) == (1, 9)  # where she would be


def test_excluded_roles_leave_the_board(gk_clock: Clock, tmp_path: Any, gk_backend: str) -> None:
    from guildkit.testing import make_app
    from tests.plugins import qa_rules

    config = {"GUILDKIT_LEADERBOARD_EXCLUDED_ROLES": ["admin"]}
    with make_app(gk_backend, tmp_path, config=config, plugins=(qa_rules,), clock=gk_clock) as (_, gk):
        gk_clock.set(BEFORE)
        for user in ("ann", "bob"):
            gk.join(user)
        make_season(gk)
        give(gk, gk_clock, "ann", 9, DURING)
        give(gk, gk_clock, "bob", 3, DURING)
        gk.award("ann", role="admin", reason="staff")
        assert board(gk) == [("bob", 1, 3)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(["ann", "bob", "cat"]), st.integers(-5, 20), st.integers(-5, 100),
                  st.booleans(), st.booleans()),
        min_size=1, max_size=25,
    )
)  # fmt: skip
def test_an_incremental_refresh_equals_a_full_recount(
    gk: GuildKit, gk_clock: Clock, people: list[str], steps: list[tuple[str, int, int, bool, bool]]
) -> None:
    """Random ledgers (points before, in and after the range; retractions; expiry rows), with
    refreshes at random moments: the kept standings always equal a sum of the whole ledger."""
    slug = f"s{next(EXAMPLES)}"
    make_season(gk, slug)
    season_id = gk.seasons.get(slug).id
    made: list[str] = []
    for user, points, day, retract, refresh in steps:
        at = START + timedelta(days=day)
        if points == 0:
            write_expiry_row(gk, user, -3, at)
        else:
            made.append(give(gk, gk_clock, user, points, at))
        if retract and made:
            gk_clock.set(START + timedelta(days=day))
            gk.retract(made.pop(0), reason="undone")
        if refresh:
            gk.seasons.refresh(slug)
    gk.seasons.refresh(slug)
    with gk.store.engine.connect() as conn:
        kept = dict(
            conn.execute(sa.select(standings.STANDINGS.c.member_id, standings.STANDINGS.c.points).where(
                standings.STANDINGS.c.season_id == season_id)).all()
        )  # fmt: skip
        assert {m: p for m, p in kept.items() if p} == {
            m: p for m, p in standings.recompute(conn, season_id).items() if p
        }


# -- validation and permissions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"slug": "new"}, "slug"),
        ({"name": ""}, "name"),
        ({"point_type": "nope"}, "point_type"),
        ({"ends_at": START}, "ends_at"),
        ({"starts_at": datetime(2027, 3, 20)}, "starts_at"),
        ({"top_n": 0, "badge": "first-answer"}, "top_n"),
        ({"top_n": 3}, "badge"),
        ({"top_n": 3, "badge": "no-such-badge"}, "badge"),
        ({"badge": "first-answer"}, "top_n"),
        ({"top_n": 3, "define_badge": True, "badge": "first-answer"}, "badge"),
    ],
)
def test_bad_fields_are_refused_by_name(gk: GuildKit, people: list[str], fields: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {"slug": "spring-2027", "name": "Spring 2027", "point_type": "xp",
                            "starts_at": START, "ends_at": END}  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        gk.seasons.create(None, **(base | fields))
    assert raised.value.field == field
    assert gk.seasons.list() == []


def test_a_slug_and_a_defined_badge_are_taken_once(gk: GuildKit, people: list[str]) -> None:
    make_season(gk, top_n=3, define_badge=True)
    with pytest.raises(ValidationError) as raised:
        make_season(gk)
    assert raised.value.field == "slug"
    with pytest.raises(ValidationError) as raised:
        make_season(gk, "other", top_n=3, define_badge=True, badge="spring-2027-top3")
    assert raised.value.field == "badge"


def test_only_season_managers_change_seasons(gk: GuildKit, people: list[str]) -> None:
    with pytest.raises(NotAllowed):
        gk.seasons.create("ann", slug="s", name="S", point_type="xp", starts_at=START, ends_at=END)
    season = gk.seasons.create("boss", slug="s", name="S", point_type="xp", starts_at=START, ends_at=END)
    assert season.created_by == "boss"
    with pytest.raises(NotAllowed):
        gk.seasons.update("ann", "s", name="T")
    with pytest.raises(NotAllowed):
        gk.seasons.close("s", by="ann")
    with pytest.raises(UnknownSeason):
        gk.seasons.get("nope")


def test_changes_are_audited_and_a_new_range_recounts(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    make_season(gk)
    give(gk, gk_clock, "ann", 5, DURING)
    give(gk, gk_clock, "bob", 4, BEFORE)
    assert board(gk) == [("ann", 1, 5)]
    gk_clock.set(DURING)
    gk.seasons.update("boss", "spring-2027", starts_at=BEFORE, name="Long spring")
    assert board(gk) == [("ann", 1, 5), ("bob", 2, 4)]
    actions = [(e.action, e.actor, e.target) for e in gk.audit_log(area="seasons")]
    assert actions == [("season.update", "boss", "season:spring-2027"), ("season.create", None, "season:spring-2027")]
    assert gk.audit_log(area="seasons")[0].details["name"] == {"from": "Spring 2027", "to": "Long spring"}


# -- closing --------------------------------------------------------------------------------


def _standings_rows(gk: GuildKit) -> list[tuple[Any, ...]]:
    with gk.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(standings.STANDINGS).order_by("season_id", "member_id"))]


def _holders(gk: GuildKit, badge: str) -> list[str]:
    return sorted(u for u in ("ann", "bob", "cat", "dan", "eve") if badge in [b.badge_slug for b in gk.badges(u)])


def test_closing_awards_the_top_n_once_ties_included_and_freezes(
    gk: GuildKit, gk_clock: Clock, people: list[str]
) -> None:
    make_season(gk, top_n=2, define_badge=True)
    assert gk.registry.badges["spring-2027-top2"].name == "Top 2 of Spring 2027"
    for user, points in (("ann", 9), ("bob", 5), ("cat", 5), ("dan", 2)):
        give(gk, gk_clock, user, points, DURING)
    gk_clock.set(END - timedelta(hours=1))
    assert gk.seasons.close() == []  # not ended yet
    gk_clock.set(AFTER)
    assert gk.seasons.get("spring-2027").state == "ended"
    [closed] = gk.seasons.close(via="job")
    assert (closed.closed, closed.ranked, closed.awarded, closed.error) == (True, 4, 3, None)
    assert _holders(gk, "spring-2027-top2") == ["ann", "bob", "cat"]  # everyone tied with the 2nd
    notes = [n.text for n in gk.notifications("bob")]
    assert any("Top 2 of Spring 2027" in text for text in notes), notes
    frozen = _standings_rows(gk)

    # Closed twice (the job, then an admin): nothing more, nothing twice.
    assert gk.seasons.close() == []
    [again] = gk.seasons.close("spring-2027", by="boss")
    assert (again.closed, again.awarded) == (False, 0)
    # Closed seasons never change: not with new points dated in their range, nor a retraction.
    give(gk, gk_clock, "dan", 100, DURING)
    gk.seasons.refresh()
    assert _standings_rows(gk) == frozen
    assert board(gk) == [("ann", 1, 9), ("bob", 2, 5), ("cat", 2, 5), ("dan", 4, 2)]
    with pytest.raises(InvalidTransition):
        gk.seasons.update("boss", "spring-2027", name="Renamed")
    assert [e.action for e in gk.audit_log(area="seasons")] == ["season.close", "season.create"]


def test_an_error_between_awards_then_closing_again_awards_each_once(
    gk: GuildKit, gk_clock: Clock, people: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_season(gk, top_n=3, define_badge=True)
    for user, points in (("ann", 9), ("bob", 5), ("cat", 4), ("dan", 2)):
        give(gk, gk_clock, user, points, DURING)
    # ann's award already went out under its key (a crash after it, in an older version).
    gk.award(
        "ann", badge="spring-2027-top3", reason="Top 3 of Spring 2027", key=closing.award_key("spring-2027", "ann")
    )
    gk_clock.set(AFTER)
    calls = {"n": 0}
    real = closing.award_key

    def failing(slug: str, user_id: str) -> str:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the process died here")
        return real(slug, user_id)

    monkeypatch.setattr(closing, "award_key", failing)
    with pytest.raises(RuntimeError):
        gk.seasons.close()
    season = gk.seasons.get("spring-2027")
    assert season.state == "closed" and season.awarded_at is None  # frozen, awards still due
    assert _holders(gk, "spring-2027-top3") == ["ann"]  # the failed transaction awarded nothing
    monkeypatch.setattr(closing, "award_key", real)
    [closed] = gk.seasons.close()
    assert (closed.closed, closed.awarded) == (False, 2)  # ann's was already there
    assert _holders(gk, "spring-2027-top3") == ["ann", "bob", "cat"]
    assert gk.seasons.close() == [] and gk.seasons.get("spring-2027").awarded_at is not None
    awards = [b for u in ("ann", "bob", "cat") for b in gk.badges(u) if b.badge_slug == "spring-2027-top3"]
    assert len(awards) == 3


def test_closing_early_ends_the_season_now(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    make_season(gk, top_n=1, badge="first-answer")
    give(gk, gk_clock, "ann", 3, DURING)
    give(gk, gk_clock, "bob", 5, DURING + timedelta(days=5))
    gk_clock.set(DURING + timedelta(days=2))
    [closed] = gk.seasons.close("spring-2027", by="boss")
    season = gk.seasons.get("spring-2027")
    assert season.ends_at == DURING + timedelta(days=2) and season.closed_by == "boss"
    assert closed.awarded == 1 and _holders(gk, "first-answer") == ["ann"]
    assert gk.badges("ann")[0].reason == "Top 1 of Spring 2027"


def test_an_upcoming_season_cannot_be_closed(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    make_season(gk)
    gk_clock.set(BEFORE)
    with pytest.raises(InvalidTransition):
        gk.seasons.close("spring-2027", by="boss")


def test_the_job_closes_and_refreshes(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    make_season(gk, top_n=1, define_badge=True)
    make_season(gk, "summer-2027", name="Summer 2027", starts_at=END, ends_at=END + timedelta(days=90))
    give(gk, gk_clock, "ann", 3, DURING)
    give(gk, gk_clock, "bob", 4, END + timedelta(days=2))
    gk_clock.set(END + timedelta(days=3))
    out = gk.jobs.run("guildkit.seasons.upkeep")
    assert [c["slug"] for c in out["closed"]] == ["spring-2027"] and out["closed"][0]["awarded"] == 1
    with gk.store.engine.connect() as conn:
        summer = conn.execute(sa.select(SEASONS.c.ledger_id).where(SEASONS.c.slug == "summer-2027")).scalar_one()
    assert summer is not None  # refreshed by the job
    assert [s.slug for s in gk.seasons.list()] == ["summer-2027", "spring-2027"]


def test_a_badge_defined_in_another_process_reaches_this_one(gk: GuildKit, people: list[str]) -> None:
    assert "spring-2027-top3" not in gk.registry.badges
    version = gk.pm.hook.guildkit_definitions_version(gk=gk, engine=gk.store.engine)
    with gk.store.engine.begin() as conn:  # as another process would write it
        conn.execute(
            SEASONS.insert().values(
                slug="spring-2027", name="Spring 2027", description="", point_type="xp", starts_at=START,
                ends_at=END, top_n=3, badge="spring-2027-top3", defined_badge="spring-2027-top3",
                created_at=START, updated_at=START, revision=1,
            )
        )  # fmt: skip
    assert gk.pm.hook.guildkit_definitions_version(gk=gk, engine=gk.store.engine) == (version or 0) + 1
    gk.state.definitions_checked_at = 0.0
    assert gk.registry.badges["spring-2027-top3"].name == "Top 3 of Spring 2027"


def test_switched_off_there_is_no_service(gk_clock: Clock, tmp_path: Any) -> None:
    from guildkit.testing import make_app

    config = {"GUILDKIT_PLUGINS_DENY": ["guildkit.seasons"]}
    with make_app("sqlite", tmp_path, config=config, clock=gk_clock) as (_, gk):
        with pytest.raises(AttributeError):
            gk.seasons  # noqa: B018
        assert "guildkit.seasons.upkeep" not in gk.jobs.registered()
        assert "seasons.manage" not in gk.permissions()
        with gk.store.engine.connect() as conn:
            assert not sa.inspect(conn).has_table("guildkit_seasons")


CRASHING_CLOSER = """
import os, signal, sys
from flask import Flask
from guildkit import GuildKit
from guildkit.seasons import closing
from tests.plugins import qa_rules

app = Flask("crash")
app.config.update(GUILDKIT_DATABASE_URI=sys.argv[1], GUILDKIT_LOAD_ENTRY_POINTS=False)
gk = GuildKit(plugins=(qa_rules,))
gk.init_app(app)
real, calls = closing.award_key, []

def dying(slug, user_id):
    calls.append(user_id)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # between two awards, mid-transaction
    return real(slug, user_id)

closing.award_key = dying
with app.app_context():
    gk.seasons.close()
"""


def test_a_process_killed_between_awards_then_closing_again_awards_each_once(
    gk: GuildKit, gk_clock: Clock, people: list[str], gk_backend: str, tmp_path: Any
) -> None:
    if gk_backend != "sqlite":
        pytest.skip("the killed process opens guildkit's own SQLite file")
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    past = datetime(2025, 1, 1, tzinfo=UTC)  # over by the real clock the other process reads
    gk.seasons.create(None, slug="winter", name="Winter 2025", point_type="xp", starts_at=past,
                      ends_at=past + timedelta(days=30), top_n=3, define_badge=True)  # fmt: skip
    for user, points in (("ann", 9), ("bob", 5), ("cat", 4)):
        give(gk, gk_clock, user, points, past + timedelta(days=3))
    url = str(gk.store.engine.url)
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", CRASHING_CLOSER, url], cwd=root, capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(root)})  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr
    season = gk.seasons.get("winter")
    assert season.state == "closed" and season.awarded_at is None  # frozen, nothing awarded yet
    assert _holders(gk, "winter-top3") == []
    gk_clock.set(datetime(2025, 3, 1, tzinfo=UTC))
    [closed] = gk.seasons.close()
    assert (closed.closed, closed.awarded) == (False, 3)
    assert _holders(gk, "winter-top3") == ["ann", "bob", "cat"]
    assert gk.seasons.close() == []


def test_a_members_export_holds_their_seasons(gk: GuildKit, gk_clock: Clock, people: list[str]) -> None:
    make_season(gk)
    give(gk, gk_clock, "ann", 5, DURING)
    gk.seasons.refresh()
    section = gk.privacy.export("ann")["plugins"]["seasons"]
    assert section == [{"season": "spring-2027", "name": "Spring 2027", "points": 5, "rank": None}]
    assert "seasons" not in gk.privacy.export("bob")["plugins"]
