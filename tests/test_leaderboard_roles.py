"""Holders of excluded roles (``GUILDKIT_LEADERBOARD_EXCLUDED_ROLES``) are off every board and out
of everyone's rank, and the score histogram stays exactly a recount from the raw tables through
grants, revocations (by hand and by rule), configuration changes at start, suspensions, opt-outs,
rebuilds, migrations and concurrent writers, on every backend."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, RoleDef, hookimpl, leaderboards, migrate
from guildkit.leaderboards import Board
from guildkit.models import Balance, Member, PointType, Role, RoleGrant, ScoreCount, table_of
from guildkit.models.scores import BLOCK
from guildkit.store import OwnStore
from guildkit.testing import Clock, postgres_schema, postgres_url, require_backend
from tests.plugins import qa_rules

EXCLUDED = "GUILDKIT_LEADERBOARD_EXCLUDED_ROLES"


class StaffRoles:
    @hookimpl
    def guildkit_register_roles(self, gk: GuildKit) -> list[RoleDef]:
        return [RoleDef("staff", "Staff"), RoleDef("bot", "Bot")]


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return (qa_rules, StaffRoles())


@pytest.fixture
def gk_config() -> dict[str, Any]:
    # "trusted" is granted and revoked by a rule (50 reputation), "staff" by hand.
    return {"GUILDKIT_TIMEZONE": "Pacific/Auckland", EXCLUDED: ["staff", "trusted"]}


# -- the truth, from the raw tables ----------------------------------------------------------


def left_out(conn: sa.Connection, excluded: set[str]) -> Counter[int]:
    """Per member, how many live grants of the configured roles they hold."""
    grants = table_of(RoleGrant)
    rows = conn.execute(sa.select(grants.c.member_id, grants.c.role_slug).where(grants.c.revoked_at.is_(None)))
    return Counter(member for member, role in rows if role in excluded)


def recount(conn: sa.Connection, excluded: set[str]) -> Counter[tuple[Any, ...]]:
    """The histogram the tables call for, computed here: who is listed from the members, their
    grants and the configured roles (not from the stored flags or counts)."""
    out = left_out(conn, excluded)
    members = table_of(Member)
    listed = {
        m.id
        for m in conn.execute(sa.select(members))
        if m.status == "active" and not m.leaderboard_opt_out and not out[m.id]
    }
    counts: Counter[tuple[Any, ...]] = Counter()
    for b in conn.execute(sa.select(table_of(Balance))):
        if b.member_id not in listed:
            continue
        for period, key, points in (
            ("all", 0, b.balance),
            ("week", b.week_key, b.week_points),
            ("month", b.month_key, b.month_points),
        ):
            if period == "all" or key > 0:
                counts[(b.point_type, period, key, 1, points)] += 1
                counts[(b.point_type, period, key, BLOCK, points - points % BLOCK)] += 1
    return counts


def stored(conn: sa.Connection) -> Counter[tuple[Any, ...]]:
    scores = table_of(ScoreCount)
    rows = conn.execute(sa.select(scores).where(scores.c.members != 0))
    return Counter({(r.point_type, r.period, r.period_key, r.width, r.points): r.members for r in rows})


def check_exact(engine: sa.Engine, excluded: set[str]) -> None:
    with engine.connect() as conn:
        assert stored(conn) == recount(conn, excluded)
        out = left_out(conn, excluded)
        counts = {row.id: row.excluded_roles for row in conn.execute(sa.select(Member.id, Member.excluded_roles))}
        assert counts == {member: out[member] for member in counts}
        flagged = set(conn.execute(sa.select(Role.slug).where(Role.leaderboard_excluded)).scalars())
        roles = set(conn.execute(sa.select(Role.slug)).scalars())
        assert flagged == excluded & roles


def shown(gk: GuildKit, board: Board, limit: int = 5) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    after = None
    while True:
        page = leaderboards.standings(gk.session, board, limit, after)
        found += [(s.user_id, s.points, s.rank) for s in page[:limit]]
        if len(page) <= limit:
            return found
        after = (page[limit - 1].points, page[limit - 1].member_id)


def check(gk: GuildKit, excluded: set[str]) -> None:
    """Exact histogram and counts; every board and every member's own standing as computed here."""
    gk.session.rollback()
    engine = gk.store.engine
    check_exact(engine, excluded)
    with engine.connect() as conn:
        out = left_out(conn, excluded)
        members = {m.id: m for m in conn.execute(sa.select(table_of(Member)))}
        balances = conn.execute(sa.select(table_of(Balance))).all()
    for point_type in ("reputation", "xp"):
        for period in leaderboards.PERIODS:
            board = Board.of(point_type, period, gk.clock(), gk.state.zone)
            points = {
                b.member_id: {"all": b.balance, "week": b.week_points, "month": b.month_points}[period]
                for b in balances
                if b.point_type == point_type and (period == "all" or getattr(b, f"{period}_key") == board.key)
            }
            listed = sorted(
                (
                    (-value, member)
                    for member, value in points.items()
                    if members[member].status == "active" and not members[member].leaderboard_opt_out
                    if not out[member]
                ),
            )
            want = [(members[m].user_id, -v, 1 + sum(1 for w, _ in listed if w < v)) for v, m in listed]
            assert shown(gk, board) == want, (point_type, period)
            for member_id in members:
                member = gk.session.get(Member, member_id)
                assert member is not None
                mine = leaderboards.standing_of(gk.session, board, member)
                value = points.get(member_id, 0)
                assert (mine.points, mine.rank) == (value, 1 + sum(1 for w, _ in listed if -w > value))


def restart(gk: GuildKit, excluded: list[str]) -> None:
    """What the app does when it starts with ``excluded`` configured: sync the definitions (a real
    second app on the same database: test_a_start_with_another_setting_moves_the_holders)."""
    from flask import current_app

    current_app.config[EXCLUDED] = excluded
    gk._sync(force=True)


# -- everything at once ------------------------------------------------------------------------


def test_exact_through_grants_revocations_config_changes_and_suspensions(gk: GuildKit, gk_clock: Clock) -> None:
    rng = random.Random(6)
    users = [f"u{n}" for n in range(16)]
    excluded = {"staff", "trusted"}
    gk_clock.set(datetime(2026, 3, 27, 9, 0, tzinfo=gk.state.zone))
    for user in users:
        gk.join(user)
    for step in range(240):
        roll = rng.random()
        actor, target = rng.sample(users, 2)
        key = f"a{step}"
        if roll < 0.35:
            gk.record("answer.upvoted", actor=actor, target=target, subject=f"answer:{step}", key=key)
        elif roll < 0.45:
            gk.record("answer.downvoted", actor=actor, target=target, subject=f"answer:{step}", key=key)
        elif roll < 0.55:
            gk.record("answer.posted", actor=actor, subject=f"answer:{step}", key=key)
        elif roll < 0.7:
            role = rng.choice(["staff", "bot"])
            if role in gk.roles(target):
                gk.revoke(target, role=role, reason="test")
            else:
                gk.award(target, role=role, reason="test")
        elif roll < 0.77:
            gk.set_status(target, rng.choice(["active", "active", "suspended"]), reason="test")
        elif roll < 0.82:
            gk.privacy.set_leaderboard_opt_out(target, rng.random() < 0.4)
        elif roll < 0.88:
            excluded = set(rng.sample(["staff", "trusted", "bot", "admin", "no-such-role"], rng.randint(0, 3)))
            restart(gk, sorted(excluded))
        else:
            gk_clock.advance(hours=rng.randint(6, 60))
        if step % 40 == 39:
            check(gk, excluded)
    check(gk, excluded)
    # A rebuild recomputes the counts and the histogram from scratch: the same.
    before = Counter(stored_rows(gk))
    result = gk.store.run_write(lambda conn: leaderboards.rebuild(conn, gk.clock(), gk.state.zone))
    assert result["excluded_members"] == 0
    assert Counter(stored_rows(gk)) == before
    check(gk, excluded)


def stored_rows(gk: GuildKit) -> Counter[tuple[Any, ...]]:
    with gk.store.engine.connect() as conn:
        current = {0, *leaderboards.period_keys(gk.clock(), gk.state.zone)}
        return Counter({k: v for k, v in stored(conn).items() if k[2] in current})


def test_staff_are_off_the_board_and_out_of_ranks_but_see_their_own_standing(gk: GuildKit) -> None:
    for n, votes in enumerate((4, 3, 3, 2, 1)):
        for vote in range(votes):
            gk.record("answer.upvoted", actor=f"v{vote}", target=f"u{n}", subject="answer:1", key=f"up:{n}:{vote}")
    board = Board("reputation", "all", 0, None)
    assert [(u, r) for u, _, r in shown(gk, board)] == [("u0", 1), ("u1", 2), ("u2", 2), ("u3", 4), ("u4", 5)]
    gk.award("u1", role="staff", reason="hired")
    gk.session.rollback()
    assert [(u, r) for u, _, r in shown(gk, board)] == [("u0", 1), ("u2", 2), ("u3", 3), ("u4", 4)]
    mine = leaderboards.standing_of(gk.session, board, gk.member("u1"))
    assert (mine.points, mine.rank) == (30, 2)  # where they would be: below u0, level with u2
    # A second excluded role, then one of the two revoked: still off; both: back.
    gk.record("answer.upvoted", actor="v9", target="u1", subject="answer:2", key="up:u1:more")
    gk.record("answer.upvoted", actor="v8", target="u1", subject="answer:3", key="up:u1:more2")
    gk.session.rollback()
    assert "trusted" in gk.roles("u1") and gk.member("u1").excluded_roles == 2
    gk.revoke("u1", role="staff", reason="left")
    gk.session.rollback()
    assert "u1" not in [u for u, _, _ in shown(gk, board)]
    gk.retract("up:u1:more", reason="spam")  # below 50: the rule takes "trusted" back
    gk.session.rollback()
    assert gk.member("u1").excluded_roles == 0
    assert {u: r for u, _, r in shown(gk, board)} == {"u0": 1, "u1": 1, "u2": 3, "u3": 4, "u4": 5}
    check(gk, {"staff", "trusted"})


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    from guildkit import ConfigurationError

    for bad in ("staff", [1], None):
        app = Flask("bad", instance_path=str(tmp_path))
        app.config.update(GUILDKIT_LOAD_ENTRY_POINTS=False, **{EXCLUDED: bad})
        with pytest.raises(ConfigurationError, match=EXCLUDED):
            GuildKit(app)


# -- a restart with another setting, on the same database ------------------------------------------


@contextmanager
def started_again(app: Flask, excluded: list[str]) -> Iterator[GuildKit]:
    """The same database, as another app process would start on it with ``excluded``."""
    from flask_sqlalchemy import SQLAlchemy

    again = Flask("again", instance_path=app.instance_path)
    again.config.update(TESTING=True, GUILDKIT_LOAD_ENTRY_POINTS=False, GUILDKIT_TIMEZONE="Pacific/Auckland")
    again.config[EXCLUDED] = excluded
    db = None
    for name in ("GUILDKIT_DATABASE_URI", "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS"):
        if app.config.get(name) is not None:
            again.config[name] = app.config[name]
    if "SQLALCHEMY_DATABASE_URI" in again.config:
        db = SQLAlchemy()
        db.init_app(again)
    gk = GuildKit(again, db=db, plugins=(qa_rules, StaffRoles()))
    with again.app_context():
        try:
            yield gk
        finally:
            gk.store.remove_session()
            gk.store.engine.dispose()


def test_a_start_with_another_setting_moves_the_holders(gk: GuildKit, gk_app: Flask) -> None:
    for n in range(4):
        gk.record("answer.posted", actor=f"u{n}", subject=f"answer:{n}", key=f"p{n}")
    gk.award("u0", role="staff", reason="x")
    gk.award("u1", role="bot", reason="x")
    gk.set_status("u2", "suspended", reason="x")
    check(gk, {"staff", "trusted"})
    with started_again(gk_app, ["bot"]) as again:
        again.record("answer.posted", actor="u3", subject="answer:9", key="p9")  # first use: the sync
        check(again, {"bot"})
        xp = [u for u, _, _ in shown(again, Board("xp", "all", 0, None))]
        assert xp == ["u3", "u0"]
    with started_again(gk_app, []) as again:
        again._sync()  # what the first use does
        check(again, set())


# -- the migration: backfill, round trip ----------------------------------------------------------

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def bare_engine(backend: str, tmp_path: Path) -> Iterator[sa.Engine]:
    if backend == "sqlite":
        store = OwnStore(f"sqlite:///{tmp_path / 'm.db'}", {})
        yield store.engine
        store.dispose()
        return
    url = postgres_url()
    assert url is not None
    with postgres_schema(url) as options:
        store = OwnStore(url, options)
        yield store.engine
        store.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_core_0006_keeps_the_histogram_exact_both_ways(backend: str, tmp_path: Path) -> None:
    require_backend(backend)
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    with bare_engine(backend, tmp_path) as engine:
        migrate.upgrade(engine, "core_0005")
        with engine.begin() as conn:  # core_0005's columns only: raw SQL, not today's models
            for n in (1, 2):
                conn.execute(
                    sa.text(
                        "INSERT INTO guildkit_members (id, user_id, status, joined_at) VALUES (:n, :u, 'active', :t)"
                    ),
                    {"n": n, "u": f"u{n}", "t": now},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO guildkit_roles (slug, name, description, permissions, source) "
                    "VALUES ('staff', 'Staff', '', '[]', 'code')"
                )
            )
            conn.execute(sa.insert(table_of(PointType)).values(slug="xp", name="XP"))
            conn.execute(
                sa.insert(table_of(Balance)),
                [{"member_id": n, "point_type": "xp", "balance": 10 * n, "updated_at": now} for n in (1, 2)],
            )
            conn.execute(
                sa.text(
                    "INSERT INTO guildkit_role_grants (member_id, role_slug, rule, mode, reason, granted_at) "
                    "VALUES (1, 'staff', 'manual', 'manual', '', :now)"
                ),
                {"now": now},
            )
        migrate.upgrade(engine)
        check_exact(engine, set())  # no role flagged yet: nobody left out
        with engine.begin() as conn:
            assert leaderboards.exclude_roles(conn, ["staff"]) == 1
        check_exact(engine, {"staff"})
        with engine.begin() as conn:
            assert leaderboards.exclude_roles(conn, ["staff"]) == 0  # already so: nothing written
        migrate.downgrade(engine, "core_0005")
        with engine.connect() as conn:
            # Back to core_0005's histogram (nobody left out) and its triggers, which still work.
            assert stored(conn) == Counter(
                {("xp", "all", 0, 1, 10): 1, ("xp", "all", 0, 1, 20): 1, ("xp", "all", 0, BLOCK, 0): 2}
            )
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE guildkit_members SET status = 'suspended' WHERE id = 1"))
        with engine.connect() as conn:
            assert stored(conn) == Counter({("xp", "all", 0, 1, 20): 1, ("xp", "all", 0, BLOCK, 0): 1})
        migrate.upgrade(engine)
        check_exact(engine, set())


# -- concurrent writers ------------------------------------------------------------------------


def test_concurrent_grants_points_and_flag_changes_stay_exact(gk: GuildKit, gk_app: Flask) -> None:
    """Real threads: one grants and revokes "staff", one "bot" (to the same members), one records
    points, one flips which roles are excluded. A grant's trigger reads the role's flag and a flag
    change counts the grants: neither may miss a write of the other that commits meanwhile."""
    users = [f"u{n}" for n in range(10)]
    for n, user in enumerate(users):
        gk.record("answer.posted", actor=user, subject=f"answer:{n}", key=f"p{n}")
    errors: list[BaseException] = []
    start = threading.Barrier(4)
    sets = [["staff"], ["staff", "bot"], ["bot"], []]

    def run(body: Any) -> None:
        try:
            with gk_app.app_context():
                start.wait()
                body()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def grants(role: str, seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(30):
            user = rng.choice(users)
            if role in gk.roles(user):
                gk.revoke(user, role=role, reason="t")
            else:
                gk.award(user, role=role, reason="t")
            gk.session.rollback()

    def points() -> None:
        for n in range(40):
            gk.record("answer.posted", actor=users[n % len(users)], subject=f"answer:x{n}", key=f"x{n}")

    def flags() -> None:
        for n in range(24):
            chosen = sets[n % len(sets)]
            gk.store.run_write(lambda conn, chosen=chosen: leaderboards.exclude_roles(conn, chosen))

    bodies = [lambda: grants("staff", 1), lambda: grants("bot", 2), points, flags]
    threads = [threading.Thread(target=run, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    check(gk, set(sets[23 % len(sets)]))
