"""Reads that may lag go to a read replica (``GUILDKIT_READ_DATABASE_URI``): leaderboards, through
``gk.leaderboard``, the JSON API and the pages; everything else stays on the primary.

On SQLite the "replica" is a copy of the database file taken earlier, so what a read returns
shows which database answered. On PostgreSQL it is a real hot standby, streaming from the test
server (scripts/postgres-replica.sh): after the standby has replayed the primary's writes, the
boards read there equal the primary's, and the standby is where they were read.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit import GuildKit, leaderboards
from guildkit.errors import ConfigurationError
from guildkit.testing import postgres_schema, postgres_url, require_backend
from guildkit.web import make_blueprint
from tests.plugins import qa_rules

ROOT = Path(__file__).resolve().parent.parent


def _app(tmp_path: Path, config: dict[str, Any]) -> tuple[Flask, GuildKit]:
    app = Flask("replica_test", instance_path=str(tmp_path / "instance"))
    app.config.update(TESTING=True, SECRET_KEY="test", GUILDKIT_LOAD_ENTRY_POINTS=False, **config)
    gk = GuildKit(app, plugins=(qa_rules,))
    app.register_blueprint(make_blueprint(), url_prefix="/community")
    return app, gk


def _board(app: Flask) -> list[tuple[str, int]]:
    body = app.test_client().get("/community/api/leaderboards/reputation").get_json()
    return [(s["user_id"], s["points"]) for s in body["items"]]


def test_without_a_replica_reads_go_to_the_primary(tmp_path: Path) -> None:
    app, gk = _app(tmp_path, {"GUILDKIT_DATABASE_URI": f"sqlite:///{tmp_path / 'gk.db'}"})
    with app.app_context():
        assert gk.store.replica is None
        assert gk.store.read_session is gk.session


def test_a_replica_url_must_be_text(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="GUILDKIT_READ_DATABASE_URI"):
        _app(tmp_path, {"GUILDKIT_DATABASE_URI": f"sqlite:///{tmp_path / 'gk.db'}", "GUILDKIT_READ_DATABASE_URI": 5})


def test_leaderboards_are_read_from_the_replica_and_the_rest_from_the_primary(tmp_path: Path) -> None:
    primary, replica = tmp_path / "primary.db", tmp_path / "replica.db"
    app, gk = _app(
        tmp_path,
        {"GUILDKIT_DATABASE_URI": f"sqlite:///{primary}", "GUILDKIT_READ_DATABASE_URI": f"sqlite:///{replica}"},
    )
    with app.app_context():
        gk.create_all()
        gk.record("answer.upvoted", actor="ann", target="bob", key="up:1")
        # The "replica" as it stands now; the primary moves on without it.
        with sqlite3.connect(primary) as source, sqlite3.connect(replica) as copy:
            source.backup(copy)
        for n in range(3):
            gk.record("answer.upvoted", actor="bob", target="cy", key=f"up:cy:{n}")

        assert [(s.user_id, s.points) for s in gk.leaderboard("reputation").standings] == [("bob", 10)]
        assert _board(app) == [("bob", 10)]
        page = app.test_client().get("/community/leaderboards/reputation").get_data(as_text=True)
        assert "/community/members/bob" in page and "/community/members/cy" not in page
        # Balances, the ledger and the members' own pages read the primary.
        assert gk.balance("cy", "reputation") == 30
        # And the primary's board is the one the replica will have once it catches up.
        primary_board = leaderboards.standings(gk.session, leaderboards.Board("reputation", "all", 0, None), 10, None)
        assert [(s.user_id, s.points) for s in primary_board] == [("cy", 30), ("bob", 10)]

        # The replica's connections are read-only: a write sent there by mistake fails.
        with pytest.raises(sa.exc.OperationalError, match=r"readonly|read-only"):
            gk.store.read_session.execute(sa.text("DELETE FROM guildkit_balances"))
        gk.store.read_session.rollback()
        assert _board(app) == [("bob", 10)]


# -- a real PostgreSQL hot standby ------------------------------------------------------------


@pytest.fixture(scope="module")
def standby_url() -> Iterator[str]:
    require_backend("postgresql")
    url = sa.engine.make_url(postgres_url() or "")
    started = subprocess.run(
        [str(ROOT / "scripts" / "postgres-replica.sh"), "start", str(url.port or 5432), str(os.getpid())],
        capture_output=True,
        text=True,
        timeout=180,
    )
    if started.returncode != 0:
        raise RuntimeError(f"the standby did not start:\n{started.stderr}")
    folder, port = started.stdout.split()
    try:
        yield url.set(port=int(port)).render_as_string(hide_password=False)
    finally:
        subprocess.run([str(ROOT / "scripts" / "postgres-replica.sh"), "stop", folder], check=False, timeout=120)


def _caught_up(primary: sa.Engine, standby: sa.Engine, timeout: float = 30.0) -> None:
    with primary.connect() as conn:
        # The insert position, not the write position: with synchronous_commit off (the test
        # server's setting) the last commits may still sit in WAL buffers, ahead of the latter.
        wanted = conn.scalar(sa.text("SELECT pg_current_wal_insert_lsn()"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with standby.connect() as conn:
            if conn.scalar(sa.text("SELECT pg_last_wal_replay_lsn() >= :lsn"), {"lsn": wanted}):
                return
        time.sleep(0.05)
    raise AssertionError(f"the standby did not replay up to {wanted} in {timeout} s")


def test_a_postgresql_hot_standby_serves_the_boards(tmp_path: Path, standby_url: str) -> None:
    primary_url = postgres_url() or ""
    with postgres_schema(primary_url) as options:
        app, gk = _app(
            tmp_path,
            {
                "GUILDKIT_DATABASE_URI": primary_url,
                "GUILDKIT_ENGINE_OPTIONS": options,
                "GUILDKIT_READ_DATABASE_URI": standby_url,
                "GUILDKIT_READ_ENGINE_OPTIONS": options,
            },
        )
        with app.app_context():
            try:
                gk.create_all()
                for n in range(4):
                    gk.record("answer.upvoted", actor="ann", target="bob", key=f"up:bob:{n}")
                gk.record("answer.accepted", actor="bob", target="cy", key="acc:cy")
                replica = gk.store.replica
                assert replica is not None
                reads: list[str] = []
                sa.event.listen(replica.engine, "before_cursor_execute", lambda *a: reads.append(a[2]))
                _caught_up(gk.store.engine, replica.engine)

                board = gk.leaderboard("reputation", around="cy")
                assert [(s.user_id, s.points) for s in board.standings] == [("bob", 40), ("cy", 15)]
                assert board.me is not None and board.me.rank == 2
                assert _board(app) == [("bob", 40), ("cy", 15)]
                assert any("guildkit_balances" in sql for sql in reads)
                assert gk.store.read_session.scalar(sa.text("SELECT pg_is_in_recovery()")) is True
                assert gk.session.scalar(sa.text("SELECT pg_is_in_recovery()")) is False

                # A write on the read engine fails there, whatever server it names.
                with pytest.raises(sa.exc.InternalError, match="read-only"):
                    gk.store.read_session.execute(sa.text("DELETE FROM guildkit_balances"))
                gk.store.read_session.rollback()
            finally:
                gk.store.remove_session()
                gk.store.dispose()  # type: ignore[attr-defined]
