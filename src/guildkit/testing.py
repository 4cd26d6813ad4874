"""Test helpers for guildkit and its plugins: an app factory over real databases, and a clock.

Registered as a pytest plugin (entry point ``pytest11``), so any project with guildkit installed
gets these fixtures:

* ``gk_backend`` — ``"sqlite"`` (guildkit's own database), ``"sqlite-host"`` (the host's
  flask-sqlalchemy database) and ``"postgresql"`` (the host's database on the server named by
  ``GUILDKIT_TEST_POSTGRES_URL``, a fresh schema per test). Override it to narrow the set.
* ``gk_clock`` — a :class:`Clock` you move by hand; it is the GuildKit's clock.
* ``gk_plugins`` — plugins to register; override it in your ``conftest.py``.
* ``gk_app`` — the Flask app, inside an app context, tables created.
* ``gk`` — the :class:`~guildkit.GuildKit`.
* ``gk_members`` — a :class:`Members` factory: ``ann = gk_members("Ann", roles=["moderator"])``.
* ``gk_activities`` — an :class:`Activities` helper: record with fresh keys, then check what an
  activity awarded with :meth:`Activities.expect`.

A plugin's test then reads::

    def test_upvote_gives_ten(gk, gk_members, gk_activities):
        voter, author = gk_members("Vic"), gk_members("Ann")
        result = gk_activities.record("answer.upvoted", actor=voter, target=author)
        gk_activities.expect(result, points={author: 10}, badges={author: ["first-upvote"]})
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from guildkit.activity import ActivityResult
from guildkit.extension import GuildKit

POSTGRES_URL_ENV = "GUILDKIT_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "sqlite-host", "postgresql")


@dataclass
class Clock:
    """A clock for tests: call it for "now"; move it with :meth:`advance` or :meth:`set`."""

    now: datetime = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("use an aware datetime")
        self.now = moment
        return self.now


@dataclass
class Members:
    """Makes members with fresh user ids (``user-1``, ``user-2`` …), named and with roles."""

    gk: GuildKit
    made: int = 0

    def __call__(self, name: str | None = None, *, roles: Iterable[str] = ()) -> str:
        self.made += 1
        user_id = f"user-{self.made}"
        self.gk.join(user_id, name=name or f"Member {self.made}")
        for role in roles:
            self.gk.award(user_id, role=role, reason="test setup")
        return user_id


@dataclass
class Activities:
    """Records activities under fresh keys and checks what they awarded."""

    gk: GuildKit
    recorded: list[ActivityResult] = field(default_factory=list)

    def record(self, type: str, *, key: str | None = None, **fields: Any) -> ActivityResult:
        """``gk.record(type, ...)`` with a fresh key unless one is given."""
        result: ActivityResult = self.gk.record(type, key=key or f"test:{type}:{len(self.recorded) + 1}", **fields)
        self.recorded.append(result)
        return result

    def expect(
        self,
        result: ActivityResult,
        *,
        points: Mapping[str, int] | None = None,
        badges: Mapping[str, Iterable[str]] | None = None,
        roles: Mapping[str, Iterable[str]] | None = None,
        point_type: str | None = None,
    ) -> None:
        """Assert exactly what ``result`` gave: net points per user (of ``point_type`` or all
        types; users left out must have got none), badges and roles granted per user."""
        if points is not None:
            given = {p.user_id for p in result.points if point_type is None or p.point_type == point_type}
            got = {user: result.points_for(user, point_type) for user in given | set(points)}
            want = {user: points.get(user, 0) for user in got}
            assert got == want, f"{result.key}: points {got}, expected {want}"
        if badges is not None:
            got_badges = _by_user((b.user_id, b.badge) for b in result.badges if b.granted)
            assert got_badges == _sorted(badges), f"{result.key}: badges {got_badges}, expected {_sorted(badges)}"
        if roles is not None:
            got_roles = _by_user((r.user_id, r.role) for r in result.roles if r.granted)
            assert got_roles == _sorted(roles), f"{result.key}: roles {got_roles}, expected {_sorted(roles)}"


def _by_user(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for user, name in pairs:
        out.setdefault(user, []).append(name)
    return {user: sorted(names) for user, names in out.items()}


def _sorted(wanted: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    return {user: sorted(names) for user, names in wanted.items() if list(names)}


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@contextmanager
def postgres_schema(url: str) -> Iterator[dict[str, Any]]:
    """A throwaway schema on ``url``; yields engine options that make it the search path."""
    schema = f"gk_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@contextmanager
def make_app(
    backend: str,
    tmp_path: Path,
    *,
    config: dict[str, Any] | None = None,
    plugins: tuple[object, ...] = (),
    clock: Clock | None = None,
) -> Iterator[tuple[Flask, GuildKit]]:
    """An app with guildkit on ``backend``, tables created; disposed of on exit."""
    from flask_sqlalchemy import SQLAlchemy

    tmp_path.mkdir(parents=True, exist_ok=True)
    app = Flask("guildkit_test", instance_path=str(tmp_path / "instance"))
    app.config.update(TESTING=True, SECRET_KEY="test", GUILDKIT_LOAD_ENTRY_POINTS=False)
    app.config.update(config or {})
    with _database(backend, tmp_path) as (url, options):
        db: SQLAlchemy | None = None
        if backend == "sqlite":
            app.config["GUILDKIT_DATABASE_URI"] = url
        else:
            app.config["SQLALCHEMY_DATABASE_URI"] = url
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
            db = SQLAlchemy()
            db.init_app(app)
        gk = GuildKit(db=db, plugins=plugins)
        if clock is not None:
            gk.clock = clock
        gk.init_app(app)
        with app.app_context():
            gk.create_all()
            try:
                yield app, gk
            finally:
                gk.jobs.stop()  # a test that queued a job leaves no worker threads behind
                gk.store.remove_session()
                engine = gk.store.engine
                engine.dispose()


@contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if backend in ("sqlite", "sqlite-host"):
        yield f"sqlite:///{tmp_path / 'guildkit.db'}", {"connect_args": {"timeout": 30}}
    elif backend == "postgresql":
        url = postgres_url()
        if url is None:
            pytest.skip(f"{POSTGRES_URL_ENV} is not set")
        with postgres_schema(url) as options:
            yield url, options
    else:
        raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")


# -- pytest fixtures (loaded through the pytest11 entry point) ----------------------------


def require_backend(backend: str) -> str:
    """``backend``, or skip the test when it is PostgreSQL and no server is set (fail in CI)."""
    if backend == "postgresql" and postgres_url() is None:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_URL_ENV} must be set in CI: run ./scripts/test.sh")
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    return backend


@pytest.fixture(params=BACKENDS)
def gk_backend(request: pytest.FixtureRequest) -> str:
    return require_backend(str(request.param))


@pytest.fixture
def gk_clock() -> Clock:
    return Clock()


@pytest.fixture
def gk_plugins() -> tuple[object, ...]:
    return ()


@pytest.fixture
def gk_config() -> dict[str, Any]:
    return {}


@pytest.fixture
def gk_app(
    gk_backend: str,
    tmp_path: Path,
    gk_clock: Clock,
    gk_plugins: tuple[object, ...],
    gk_config: dict[str, Any],
) -> Iterator[Flask]:
    with make_app(gk_backend, tmp_path, config=gk_config, plugins=gk_plugins, clock=gk_clock) as (app, _):
        yield app


@pytest.fixture
def gk(gk_app: Flask) -> GuildKit:
    return gk_app.extensions["guildkit"].gk  # type: ignore[no-any-return]


@pytest.fixture
def gk_members(gk: GuildKit) -> Members:
    return Members(gk)


@pytest.fixture
def gk_activities(gk: GuildKit) -> Activities:
    return Activities(gk)
